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
import type { Draft } from './state.js'

// transitions

export const onTick = (s: Draft, fx: Fx): void => {
  // republish before expiry: a publication is due exactly when it would expire
  records(s, fx)
  expire(s, fx)
  refresh(s, fx)
}

const expire = (s: Draft, fx: Fx): void => {
  if (s.store.next === undefined || !Time.isReached(s.store.next, s.now)) return
  const { store, expired } = Store.expire(s.store, s.now)
  for (const key of expired) fx.push({ _tag: 'Notify', notification: { _tag: 'RecordExpired', key } })
  s.store = store
}

const records = (s: Draft, fx: Fx): void => {
  if (s.store.next === undefined || !Time.isReached(s.store.next, s.now)) return
  const c = s.config
  for (const { record } of Store.dueAt(s.store, s.now)) {
    if (record.origin === 'Published') {
      const renewed = { ...record, storedAt: s.now, expiresAt: Time.add(s.now, c.expireAfter) }
      s.store = Store.renew(s.store, renewed, Time.add(s.now, c.republishInterval))
      fx.push({ _tag: 'Notify', notification: { _tag: 'RecordStored', record: renewed } })
      if (RoutingTable.size(s.table) > 0)
        Lookups.start(s, fx, record.key, { _tag: 'Put', opId: undefined, key: record.key, value: record.value }, false)
      continue
    }
    s.store = Store.reschedule(s.store, record.key, Time.add(s.now, c.replicateInterval))
    const ttl = Lookups.remaining(s, record.expiresAt)
    for (const peer of RoutingTable.closestPeers(s.table, record.key, c.bucketSize))
      Send.request(
        s,
        fx,
        peer.address,
        peer.id,
        { _tag: 'Store', key: record.key, value: record.value, ttl },
        { _tag: 'Store', task: undefined },
      )
  }
}

const refresh = (s: Draft, fx: Fx): void => {
  if (RoutingTable.size(s.table) === 0) return
  const at = RoutingTable.nextRefreshAt(s.table, s.config.refreshInterval)
  if (at === undefined || !Time.isReached(at, s.now)) return
  Lookups.refreshBuckets(s, fx, RoutingTable.staleBuckets(s.table, s.now, s.config.refreshInterval), undefined, false)
}
