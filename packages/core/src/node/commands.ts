/**
 * The user's commands. Each gets exactly one `Complete` with its `opId`, now or when the work it
 * started ends. A malformed command completes with `Failed { reason: 'InvalidRequest' }`.
 *
 * - Bootstrap (§2.3 join): PING every given address; with the peers that answered, look up our
 *   own id, complete `Bootstrapped`, then refresh every bucket farther than our closest neighbour.
 * - Get: a value lookup, even when we hold the key (a local copy may be stale, Python's F12);
 *   when no peer has it our own copy is served (`Found { hops: 0 }`).
 * - RecordsRestored: records past their expiry are dropped and notified `RecordRemoved`, so the
 *   driver deletes them from durable storage too.
 * - Put: the record is kept here as our publication (we republish it every tRepublish, §2.3),
 *   then a node lookup and STOREs to the k closest; completes with the number of acks. A value
 *   whose STORE would not fit one datagram fails `TooLarge`, never silently.
 */
import type { Address } from '../address.js'
import * as NodeId from '../id/node-id.js'
import * as Value from '../rpc/value.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as RpcId from '../rpc/rpc-id.js'
import * as Store from '../store/store.js'
import type { StoredRecord } from '../store/record.js'
import * as Time from '../time.js'
import * as Wire from '../wire/wire.js'
import type { Event, OpId } from './event.js'
import type { FailureReason } from './effect.js'
import * as Lookups from './lookups.js'
import type { Fx } from './send.js'
import * as Send from './send.js'
import type { Draft, NodeState, Task } from './state.js'

type Command = Exclude<Event, { _tag: 'MessageReceived' | 'SendFailed' | 'Ticked' }>

// queries

const isAddress = (u: unknown): u is Address => typeof u === 'string' && u.length > 0

const isRecord = (u: unknown): u is StoredRecord => {
  if (typeof u !== 'object' || u === null) return false
  const r = u as Partial<Record<keyof StoredRecord, unknown>>
  return (
    NodeId.isNodeId(r.key) &&
    Value.isValue(r.value) &&
    (r.origin === 'Published' || r.origin === 'Replica' || r.origin === 'Cached') &&
    typeof r.storedAt === 'number' &&
    Number.isFinite(r.storedAt) &&
    typeof r.expiresAt === 'number' &&
    Number.isFinite(r.expiresAt)
  )
}

const opIdOfTask = (t: Task): OpId | undefined => {
  switch (t._tag) {
    case 'Looking':
      return t.goal._tag === 'Refresh' ? undefined : t.goal.opId
    default:
      return t.opId
  }
}

/** Whether a STORE of `value` under `key` fits one datagram (paper-agnostic UDP limit). */
export const fits = (s: NodeState, key: NodeId.NodeId, value: Value.Value): boolean =>
  Wire.fitsInDatagram({
    _tag: 'Store',
    rpcId: RpcId.unsafeFromBytes(new Uint8Array(RpcId.BYTES)),
    sender: s.id,
    key,
    value,
    ttl: s.config.expireAfter,
  })

// transitions

const fail = (fx: Fx, opId: OpId, reason: FailureReason): void => {
  fx.push({ _tag: 'Complete', opId, outcome: { _tag: 'Failed', reason } })
}

export const onCommand = (s: Draft, fx: Fx, c: Command): void => {
  switch (c._tag) {
    case 'BootstrapRequested':
      return bootstrap(s, fx, c.opId, c.contacts)
    case 'GetRequested':
      return get(s, fx, c.opId, c.key)
    case 'PutRequested':
      return put(s, fx, c.opId, c.key, c.value)
    case 'PingRequested': {
      if (!isAddress(c.address)) return fail(fx, c.opId, 'InvalidRequest')
      const id = Lookups.addTask(s, { _tag: 'Pinging', opId: c.opId })
      return Send.request(s, fx, c.address, undefined, { _tag: 'Ping' }, { _tag: 'Ping', task: id })
    }
    case 'FindNodeRequested':
      if (!NodeId.isNodeId(c.target)) return fail(fx, c.opId, 'InvalidRequest')
      if (RoutingTable.size(s.table) === 0) return fail(fx, c.opId, 'NoPeers')
      return Lookups.start(s, fx, c.target, { _tag: 'FindNode', opId: c.opId }, false)
    case 'RefreshRequested': {
      const stale = RoutingTable.staleBuckets(s.table, s.now, s.config.refreshInterval)
      if (stale.length === 0) {
        fx.push({ _tag: 'Complete', opId: c.opId, outcome: { _tag: 'Refreshed', buckets: 0 } })
        return
      }
      const id = Lookups.addTask(s, { _tag: 'Refreshing', opId: c.opId, pending: stale.length, buckets: stale.length })
      return Lookups.refreshBuckets(s, fx, stale, id, false)
    }
    case 'RecordsRestored': {
      const records = Array.isArray(c.records) ? c.records.filter(isRecord) : []
      const { store, kept, dropped } = Store.restore(s.store, records, s.now, s.config, s.config.maxRecords)
      for (const key of dropped) fx.push({ _tag: 'Notify', notification: { _tag: 'RecordRemoved', key } })
      fx.push({ _tag: 'Complete', opId: c.opId, outcome: { _tag: 'Restored', records: kept } })
      s.store = store
      return
    }
    case 'Cancelled': {
      for (const [id, t] of s.tasks)
        if (opIdOfTask(t) === c.opId) {
          Lookups.setTask(s, id, undefined)
          return fail(fx, c.opId, 'Cancelled')
        }
      return
    }
  }
}

const bootstrap = (s: Draft, fx: Fx, opId: OpId, contacts: ReadonlyArray<Address>): void => {
  const addresses = Array.isArray(contacts) ? [...new Set(contacts.filter(isAddress))] : []
  if (addresses.length === 0) return fail(fx, opId, 'InvalidRequest')
  const id = Lookups.addTask(s, { _tag: 'Bootstrapping', opId, pending: addresses.length, answered: 0 })
  for (const a of addresses) Send.request(s, fx, a, undefined, { _tag: 'Ping' }, { _tag: 'Ping', task: id })
}

const get = (s: Draft, fx: Fx, opId: OpId, key: NodeId.NodeId): void => {
  if (!NodeId.isNodeId(key)) return fail(fx, opId, 'InvalidRequest')
  if (RoutingTable.size(s.table) === 0) {
    const local = Store.get(s.store, key, s.now)
    if (local === undefined) return fail(fx, opId, 'NoPeers')
    fx.push({ _tag: 'Complete', opId, outcome: { _tag: 'Found', value: local.value, hops: 0 } })
    return
  }
  Lookups.start(s, fx, key, { _tag: 'Get', opId }, true)
}

const put = (s: Draft, fx: Fx, opId: OpId, key: NodeId.NodeId, value: Value.Value): void => {
  if (!NodeId.isNodeId(key) || !Value.isValue(value)) return fail(fx, opId, 'InvalidRequest')
  if (!fits(s, key, value)) return fail(fx, opId, 'TooLarge')
  const { store, outcome } = Store.put(
    s.store,
    { key, value, origin: 'Published', expiresAt: Time.add(s.now, s.config.expireAfter) },
    s.now,
    s.config,
    Number.MAX_SAFE_INTEGER,
  )
  if (outcome._tag !== 'Full') fx.push({ _tag: 'Notify', notification: { _tag: 'RecordStored', record: outcome.record } })
  s.store = store
  if (RoutingTable.size(s.table) === 0) return fail(fx, opId, 'NoPeers')
  Lookups.start(s, fx, key, { _tag: 'Put', opId, key, value }, false)
}
