/**
 * What time alone triggers, run on `Ticked` once the deadline is reached:
 *
 * - Expiry (§2.3): records past `expiresAt` are dropped (`RecordExpired`).
 * - Replication (§2.5): a replica not received for tReplicate is STOREd, with its remaining
 *   lifetime, to the k closest contacts of our table (no lookup: §2.5 relies on the table's
 *   knowledge of the surrounding subtree). Receiving a STORE pushes the next replication back, so
 *   of the k holders usually only one pushes each hour.
 * - Republish (§2.3): our own publications are republished every tRepublish with a fresh node
 *   lookup and STOREs with a full tExpire; our copy's lifetime is renewed (`RecordStored`).
 * - Bucket refresh (§2.3): every bucket without a lookup for tRefresh gets a lookup of a random
 *   id in its range.
 */
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Store from '../store/store.js'
import * as Time from '../time.js'
import * as Lookups from './lookups.js'
import type { Fx } from './send.js'
import * as Send from './send.js'
import * as State from './state.js'
import type { NodeState } from './state.js'

// transitions

export const onTick = (s0: NodeState, fx: Fx): NodeState => {
  // republish before expiry: a publication is due exactly when it would expire
  let s = records(s0, fx)
  s = expire(s, fx)
  return refresh(s, fx)
}

const expire = (s: NodeState, fx: Fx): NodeState => {
  if (s.store.next === undefined || !Time.isReached(s.store.next, s.now)) return s
  const { store, expired } = Store.expire(s.store, s.now)
  for (const key of expired) fx.push({ _tag: 'Notify', notification: { _tag: 'RecordExpired', key } })
  return store === s.store ? s : State.set(s, 'store', store)
}

const records = (s0: NodeState, fx: Fx): NodeState => {
  if (s0.store.next === undefined || !Time.isReached(s0.store.next, s0.now)) return s0
  let s = s0
  const c = s.config
  for (const { record } of Store.dueAt(s.store, s.now)) {
    if (record.origin === 'Published') {
      const renewed = { ...record, storedAt: s.now, expiresAt: Time.add(s.now, c.expireAfter) }
      s = State.set(s, 'store', Store.renew(s.store, renewed, Time.add(s.now, c.republishInterval)))
      fx.push({ _tag: 'Notify', notification: { _tag: 'RecordStored', record: renewed } })
      if (RoutingTable.size(s.table) > 0)
        s = Lookups.start(s, fx, record.key, { _tag: 'Put', opId: undefined, key: record.key, value: record.value }, false)
      continue
    }
    s = State.set(s, 'store', Store.reschedule(s.store, record.key, Time.add(s.now, c.replicateInterval)))
    const ttl = Lookups.remaining(s, record.expiresAt)
    for (const peer of RoutingTable.closest(s.table, record.key, c.bucketSize))
      s = Send.request(
        s,
        fx,
        peer.address,
        peer.id,
        { _tag: 'Store', key: record.key, value: record.value, ttl },
        { _tag: 'Store', task: undefined },
      )
  }
  return s
}

const refresh = (s: NodeState, fx: Fx): NodeState => {
  if (RoutingTable.size(s.table) === 0) return s
  const at = RoutingTable.nextRefreshAt(s.table, s.config.refreshInterval)
  if (at === undefined || !Time.isReached(at, s.now)) return s
  return Lookups.refreshBuckets(s, fx, RoutingTable.staleBuckets(s.table, s.now, s.config.refreshInterval), undefined, false)
}
