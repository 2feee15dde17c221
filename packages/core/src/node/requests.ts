/**
 * Answering the four RPCs (paper §2.3). The requester is first recorded in the routing table
 * (§2.2) under the address the datagram came from; a request signed with our own id is ignored.
 *
 * - PING → PONG.
 * - STORE → the record is kept for `min(ttl, tExpire)`, `RecordStored` is notified, then STORED
 *   is answered (in that order, so a driver can make the record durable before acknowledging). It is a `Replica`
 *   (replicated hourly, §2.5) when we are among the k closest to the key we know, else a `Cached`
 *   copy (never replicated). A new key while `maxRecords` are held is refused: no answer, so the
 *   requester does not count us as a replica (Python acknowledges everything, F9/F11).
 * - FIND_NODE → the k closest contacts to the target, the requester excluded (the target itself
 *   included when known, unlike Python's F6).
 * - FIND_VALUE → the value with its remaining lifetime when held, else as FIND_NODE.
 */
import type { Address } from '../address.js'
import type * as NodeId from '../id/node-id.js'
import type { FindNode, FindValue, PeerInfo, Request, Store as StoreMsg } from '../rpc/message.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Store from '../store/store.js'
import type { Duration } from '../time.js'
import * as Time from '../time.js'
import * as Metrics from './metrics.js'
import * as Peers from './peers.js'
import * as Wire from '../wire/wire.js'
import type { Fx } from './send.js'
import * as Send from './send.js'
import type { Draft, NodeState } from './state.js'

// queries

/**
 * The k closest contacts to `target`, the requester excluded, as `PeerInfo` records
 * (`RoutingTable.closestPeersExcept`: the id and address the wire writes, nothing more; the
 * requester is skipped during the search, by its head, without reading the winners' ids).
 */
const closestTo = (s: NodeState, target: NodeId.NodeId, requester: NodeId.NodeId): ReadonlyArray<PeerInfo> =>
  RoutingTable.closestPeersExcept(s.table, target, Math.min(s.config.bucketSize, Wire.MAX_CONTACTS), requester)

// transitions

/** A request arrived from `from`. */
export const onRequest = (s: Draft, fx: Fx, from: Address, m: Request): void => {
  const mark = fx.length
  const rejected = Peers.heard(s, fx, { id: m.sender, address: from }, m._tag !== 'Ping')
  if (rejected === 'OwnId') {
    fx.push({ _tag: 'Notify', notification: { _tag: 'MessageIgnored', from, reason: 'OwnId' } })
    Metrics.ignore(s.metrics, 'OwnId')
    return
  }
  // The table's effects (probes, hand-offs) go after the answer.
  const early = fx.length - mark
  answer(s, fx, from, m)
  if (early > 0) for (const e of fx.splice(mark, early)) fx.push(e)
}

const answer = (s: Draft, fx: Fx, from: Address, m: Request): void => {
  switch (m._tag) {
    case 'Ping':
      return Send.reply(s, fx, from, m.rpcId, { _tag: 'Pong' })
    case 'FindNode':
      return findNode(s, fx, from, m)
    case 'FindValue':
      return findValue(s, fx, from, m)
    case 'Store':
      return store(s, fx, from, m)
  }
}

const findNode = (s: Draft, fx: Fx, from: Address, m: FindNode): void =>
  Send.reply(s, fx, from, m.rpcId, { _tag: 'Nodes', contacts: closestTo(s, m.target, m.sender) })

const findValue = (s: Draft, fx: Fx, from: Address, m: FindValue): void => {
  const r = Store.get(s.store, m.key, s.now)
  if (r === undefined) Send.reply(s, fx, from, m.rpcId, { _tag: 'Nodes', contacts: closestTo(s, m.key, m.sender) })
  else Send.reply(s, fx, from, m.rpcId, { _tag: 'ValueFound', value: r.value, ttl: Time.elapsed(s.now, r.expiresAt) })
}

const store = (s: Draft, fx: Fx, from: Address, m: StoreMsg): void => {
  const ttl = Math.floor(Math.min(m.ttl, s.config.expireAfter)) as Duration
  if (!(ttl > 0)) {
    fx.push({ _tag: 'Notify', notification: { _tag: 'MessageIgnored', from, reason: 'Invalid' } })
    Metrics.ignore(s.metrics, 'Invalid')
    return
  }
  const origin = Peers.isResponsible(s, m.key) ? 'Replica' : 'Cached'
  const { store, outcome } = Store.put(
    s.store,
    { key: m.key, value: m.value, origin, expiresAt: Time.add(s.now, ttl) },
    s.now,
    s.config,
    s.config.maxRecords,
  )
  if (outcome._tag === 'Full') {
    fx.push({ _tag: 'Notify', notification: { _tag: 'MessageIgnored', from, reason: 'StoreFull' } })
    Metrics.ignore(s.metrics, 'StoreFull')
    return
  }
  // The notification goes first: a driver makes the record durable before it acknowledges it.
  if (outcome._tag === 'Stored') fx.push({ _tag: 'Notify', notification: { _tag: 'RecordStored', record: outcome.record } })
  s.store = store
  Send.reply(s, fx, from, m.rpcId, { _tag: 'Stored' })
}
