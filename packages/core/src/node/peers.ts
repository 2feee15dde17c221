/**
 * Routing-table upkeep as the node sees it: the table's outcomes turned into effects.
 *
 * - Every message updates the table (§2.2): `heard` calls `RoutingTable.observe`.
 * - Ping-before-evict (§2.2, §4.1): a `Pending` outcome sends a PING to the least-recently seen
 *   contact (purpose `Probe`); its reply or its expiry resolves the probe. A PING never triggers
 *   a probe (see `heard`).
 * - 5-strike staleness (§4.1): `failed` calls `RoutingTable.markFailed`, which evicts a stale
 *   contact only when a replacement can take its place.
 * - Hand-off (§2.5): when a contact enters the table, we STORE to it every record whose k
 *   closest (in our view) it belongs to, but only when we ourselves are closer to the key than
 *   every other contact we know, so one node (not all k) hands each key over. The key is used as
 *   it is (Python hashes it a second time, bug F1).
 */
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import type { PeerInfo } from '../rpc/message.js'
import * as Bucket from '../routing-table/bucket.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Store from '../store/store.js'
import * as Time from '../time.js'
import type { Fx } from './send.js'
import * as Send from './send.js'
import type { Draft, NodeState } from './state.js'

// queries

const info = (c: { readonly id: NodeId.NodeId; readonly address: PeerInfo['address'] }): PeerInfo => ({
  id: c.id,
  address: c.address,
})

/** Whether fewer than k contacts of ours are closer to `key` than we are (we are among its k closest). */
export const isResponsible = (s: NodeState, key: NodeId.NodeId): boolean => {
  const k = s.config.bucketSize
  const near = RoutingTable.closestPeers(s.table, key, k)
  const kth = near[k - 1]
  return kth === undefined || Distance.compareTo(key, s.id, kth.id) < 0
}

// transitions

/**
 * We heard from `peer` (a request, or a reply that matched a request in flight). Returns whether
 * the table refused the peer (`OwnId` or `AddressConflict`).
 *
 * `probe = false` (the message was a PING): a full bucket caches the newcomer but sends no probe
 * now. The probe is left pending in the bucket and settled lazily, as §4.1 suggests: by the next
 * message from that contact (kept), or by its failures (stale after five, then replaced). Without
 * this, a probe PING to a contact that does not know us makes it probe its own least-recently
 * seen contact, and so on: a chain of probes that was 80% of all traffic in `bench:core`.
 */
export const heard = (s: Draft, fx: Fx, peer: PeerInfo, probe = true): 'OwnId' | 'AddressConflict' | undefined => {
  const { table, outcome } = RoutingTable.observe(s.table, peer, s.now)
  s.table = table
  switch (outcome._tag) {
    case 'Rejected':
      return outcome.reason
    case 'Refreshed':
    case 'Cached':
      return undefined
    case 'Inserted':
      fx.push({ _tag: 'Notify', notification: { _tag: 'ContactAdded', contact: info(outcome.contact) } })
      if (outcome.splits > 0)
        fx.push({
          _tag: 'Notify',
          notification: {
            _tag: 'BucketSplit',
            depth: RoutingTable.bucketOf(table, outcome.contact.id).depth,
            buckets: RoutingTable.buckets(table).length,
          },
        })
      handOff(s, fx, outcome.contact)
      return undefined
    case 'Replaced':
      evicted(s, fx, outcome.evicted, outcome.inserted)
      return undefined
    case 'Pending':
      if (probe) Send.request(s, fx, outcome.probe.address, outcome.probe.id, { _tag: 'Ping' }, { _tag: 'Probe' })
      return undefined
  }
}

/** An RPC to `id` failed: count it (§4.1), evicting a stale contact when a replacement exists. */
export const failed = (s: Draft, fx: Fx, id: NodeId.NodeId): void => {
  const { table, outcome } = RoutingTable.markFailed(s.table, id, s.now)
  s.table = table
  if (outcome._tag === 'Evicted') evicted(s, fx, outcome.evicted, outcome.promoted)
}

/** The probe of `id` answered (`responded`) or expired (§2.2 ping-before-evict). */
export const probed = (s: Draft, fx: Fx, id: NodeId.NodeId, responded: boolean): void => {
  const { table, outcome } = RoutingTable.resolveProbe(s.table, id, responded, s.now)
  s.table = table
  if (outcome._tag === 'Evicted') evicted(s, fx, outcome.evicted, outcome.promoted)
}

const evicted = (s: Draft, fx: Fx, gone: RoutingTable.Contact, replacedBy: RoutingTable.Contact | undefined): void => {
  fx.push({
    _tag: 'Notify',
    notification: { _tag: 'ContactEvicted', contact: info(gone), replacedBy: replacedBy && info(replacedBy) },
  })
  if (replacedBy === undefined) return
  fx.push({ _tag: 'Notify', notification: { _tag: 'ContactAdded', contact: info(replacedBy) } })
  handOff(s, fx, replacedBy)
}

/** §2.5: STORE to a newly seen contact the records it should hold that we are closest to. */
const handOff = (s: Draft, fx: Fx, newcomer: RoutingTable.Contact): void => {
  if (Store.size(s.store) === 0) return
  const k = s.config.bucketSize
  for (const r of Store.records(s.store)) {
    if (r.origin === 'Cached' || Time.isReached(r.expiresAt, s.now)) continue
    // Cheap necessary condition first: a contact in the key's bucket, when that bucket is not
    // ours, shares more leading bits with the key than we do, so we are not the closest.
    const b = RoutingTable.bucketOf(s.table, r.key)
    if (!Bucket.covers(b, s.id) && Bucket.size(b) > (Bucket.indexOf(b, newcomer.id) >= 0 ? 1 : 0)) continue
    const others = RoutingTable.closestPeers(s.table, r.key, k + 1).filter((c) => !NodeId.equals(c.id, newcomer.id))
    const nearest = others[0]
    const farthest = others[k - 1]
    const newcomerIsNear = farthest === undefined || Distance.compareTo(r.key, newcomer.id, farthest.id) < 0
    const weAreClosest = nearest === undefined || Distance.compareTo(r.key, s.id, nearest.id) < 0
    if (!newcomerIsNear || !weAreClosest) continue
    Send.request(
      s,
      fx,
      newcomer.address,
      newcomer.id,
      { _tag: 'Store', key: r.key, value: r.value, ttl: Time.elapsed(s.now, r.expiresAt) },
      { _tag: 'Store', task: undefined },
    )
  }
}
