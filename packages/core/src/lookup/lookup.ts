/**
 * The iterative node lookup of paper §2.3 as a clock-free machine (after rust-libp2p's
 * `ClosestPeersIter`). It knows only peers, their per-peer status and the XOR order to the
 * target; the node reducer sends the RPCs it asks for and feeds back replies and timeouts.
 *
 * - α in flight at all times, no round barrier: `next` tops the in-flight count up to α from
 *   the k closest live peers seen so far.
 * - "No closer node this round → query all of the k closest not yet queried": with a sliding
 *   window there are no rounds, so the rule becomes the termination condition: the lookup goes on,
 *   α at a time, until every one of the k closest live peers has answered, whether or not the
 *   last replies brought anything closer. Never more than α of its RPCs are in flight (rust-libp2p
 *   raises the window to k when stalled; we keep α, see ADR 0005).
 * - A peer that timed out is `Unresponsive`: out of consideration (it neither blocks termination
 *   nor counts among the k closest) but its late reply is still used. `Failed` is final.
 * - Finished when the k closest live peers have all answered (or no live candidate is left).
 * - Every peer is queried at most once: no peer is ever dropped from the list. The list is bounded
 *   by the replies: at most k new peers per answered query, and a lookup queries each peer once.
 */
import type * as Address from '../address.js'
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import type { PeerInfo } from '../rpc/message.js'

// model

export type PeerState = 'NotContacted' | 'Waiting' | 'Unresponsive' | 'Succeeded' | 'Failed'

export interface Peer {
  readonly id: NodeId.NodeId
  readonly address: Address.Address
  readonly state: PeerState
  /** How many hops from us it was learned: 0 for seeds from our own table. */
  readonly hop: number
}

export interface Lookup {
  readonly target: NodeId.NodeId
  /** Our own id: never a candidate. */
  readonly self: NodeId.NodeId
  readonly bucketSize: number
  readonly parallelism: number
  /** Ascending XOR distance to `target`, unique ids. */
  readonly peers: ReadonlyArray<Peer>
  /** RPCs this lookup asked for. */
  readonly rpcs: number
}

export type RecordOutcome = 'Recorded' | 'Ignored'

// constructors

/** Peers and lookups are built field by field: one shape each, cheap to copy. */
const peer = (id: NodeId.NodeId, address: Address.Address, state: PeerState, hop: number): Peer => ({ id, address, state, hop })

const withPeers = (l: Lookup, peers: ReadonlyArray<Peer>, rpcs: number): Lookup => ({
  target: l.target,
  self: l.self,
  bucketSize: l.bucketSize,
  parallelism: l.parallelism,
  peers,
  rpcs,
})

/** A lookup of `target` seeded with contacts from our own table (hop 0). */
export const start = (
  target: NodeId.NodeId,
  self: NodeId.NodeId,
  seeds: ReadonlyArray<PeerInfo>,
  params: { readonly bucketSize: number; readonly parallelism: number },
): Lookup =>
  merge(
    {
      target,
      self,
      bucketSize: Math.max(1, params.bucketSize),
      parallelism: Math.max(1, params.parallelism),
      peers: [],
      rpcs: 0,
    },
    seeds,
    0,
  )

// queries

const isLive = (p: Peer): boolean => p.state !== 'Failed' && p.state !== 'Unresponsive'

/** First index whose peer is not closer to the target than `id` (binary search on the order). */
const lowerBound = (peers: ReadonlyArray<Peer>, target: NodeId.NodeId, id: NodeId.NodeId): number => {
  let lo = 0
  let hi = peers.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (Distance.compareTo(target, (peers[mid] as Peer).id, id) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Index of the peer with this id, or -1: O(log n), ids are unique and sorted by distance. */
const indexOfId = (l: Lookup, id: NodeId.NodeId): number => {
  const i = lowerBound(l.peers, l.target, id)
  const p = l.peers[i]
  return p !== undefined && NodeId.equals(p.id, id) ? i : -1
}

export const find = (l: Lookup, id: NodeId.NodeId): Peer | undefined => l.peers[indexOfId(l, id)]

export const inFlight = (l: Lookup): number => {
  let n = 0
  for (const p of l.peers) if (p.state === 'Waiting') n++
  return n
}

export const queried = (l: Lookup): number => {
  let n = 0
  for (const p of l.peers) if (p.state !== 'NotContacted') n++
  return n
}

/** True when the k closest live peers have all answered, or no live candidate is left. */
export const isFinished = (l: Lookup): boolean => {
  let live = 0
  for (const p of l.peers) {
    if (!isLive(p)) continue
    if (++live > l.bucketSize) return true
    if (p.state !== 'Succeeded') return false
  }
  return true
}

/** The up to k closest peers that answered, closest first: the lookup's result. */
export const closest = (l: Lookup): ReadonlyArray<Peer> => {
  const out: Peer[] = []
  for (const p of l.peers) {
    if (out.length >= l.bucketSize) break
    if (p.state === 'Succeeded') out.push(p)
  }
  return out
}

/** The closest peer that answered without the value: where a found value is cached (§2.3). */
export const closestAnswered = (l: Lookup): Peer | undefined => l.peers.find((p) => p.state === 'Succeeded')

/** How many peers this lookup knows that are closer to the target than `id`. */
export const rankOf = (l: Lookup, id: NodeId.NodeId): number => {
  let n = 0
  for (const p of l.peers) {
    if (Distance.compareTo(l.target, p.id, id) >= 0) break
    n++
  }
  return n
}

/** The hop count of the lookup: one more than the hop at which its closest result was learned. */
export const hops = (l: Lookup): number => {
  const first = closest(l)[0]
  return first === undefined ? 0 : first.hop + 1
}

// transitions

/**
 * The peers to query now, marked `Waiting`: not-yet-contacted peers among the k closest live
 * ones, closest first, until α are in flight.
 */
export const next = (l: Lookup): { readonly lookup: Lookup; readonly query: ReadonlyArray<Peer> } => {
  if (inFlight(l) >= l.parallelism) return { lookup: l, query: [] }
  const peers = l.peers.slice()
  const query = markNext(l, peers)
  return query.length === 0 ? { lookup: l, query } : { lookup: withPeers(l, peers, l.rpcs + query.length), query }
}

/**
 * `next` on `peers`, a fresh array owned by the caller (never shared yet): the peers to query are
 * replaced in place by their `Waiting` copies and returned.
 */
const markNext = (l: Lookup, peers: Peer[]): Peer[] => {
  const limit = l.parallelism
  const query: Peer[] = []
  let waiting = 0
  for (const p of peers) if (p.state === 'Waiting') waiting++
  let live = 0
  for (let i = 0; i < peers.length && waiting < limit; i++) {
    const p = peers[i] as Peer
    if (!isLive(p)) continue
    if (++live > l.bucketSize) break
    if (p.state !== 'NotContacted') continue
    const q = peer(p.id, p.address, 'Waiting', p.hop)
    peers[i] = q
    query.push(q)
    waiting++
  }
  return query
}

/**
 * `id` answered with `contacts` (a late answer of an unresponsive peer counts too). New contacts
 * join the candidates one hop further; our own id and known ids are skipped.
 */
export const recordReply = (
  l: Lookup,
  id: NodeId.NodeId,
  contacts: ReadonlyArray<PeerInfo>,
): { readonly lookup: Lookup; readonly outcome: RecordOutcome } => {
  const peers = replied(l, id, contacts)
  return peers === undefined ? { lookup: l, outcome: 'Ignored' } : { lookup: withPeers(l, peers, l.rpcs), outcome: 'Recorded' }
}

/**
 * `recordReply` then `next` in one copy of the peer list: the lookup after the reply and the
 * peers to query now (already `Waiting` in it), plus how many peers had been queried and were in
 * flight after the reply but before `next` (what `LookupProgressed` reports).
 */
export const recordReplyAndNext = (
  l: Lookup,
  id: NodeId.NodeId,
  contacts: ReadonlyArray<PeerInfo>,
):
  | { readonly outcome: 'Ignored' }
  | {
      readonly outcome: 'Recorded'
      readonly lookup: Lookup
      readonly query: ReadonlyArray<Peer>
      readonly queried: number
      readonly inFlight: number
    } => {
  const peers = replied(l, id, contacts)
  if (peers === undefined) return { outcome: 'Ignored' }
  let queried = 0
  let waiting = 0
  for (const p of peers) {
    if (p.state !== 'NotContacted') queried++
    if (p.state === 'Waiting') waiting++
  }
  const query = waiting >= l.parallelism ? [] : markNext(l, peers)
  return { outcome: 'Recorded', lookup: withPeers(l, peers, l.rpcs + query.length), query, queried, inFlight: waiting }
}

/** The new peer list after `id` answered with `contacts`, or undefined when the reply is ignored. */
const replied = (l: Lookup, id: NodeId.NodeId, contacts: ReadonlyArray<PeerInfo>): Peer[] | undefined => {
  const i = indexOfId(l, id)
  const p = l.peers[i]
  if (p === undefined || (p.state !== 'Waiting' && p.state !== 'Unresponsive')) return undefined
  return mergePeers(l, contacts, p.hop + 1, i, peer(p.id, p.address, 'Succeeded', p.hop))
}

/** `id` did not answer in time: out of consideration until it answers late. */
export const recordTimeout = (l: Lookup, id: NodeId.NodeId): { readonly lookup: Lookup; readonly outcome: RecordOutcome } =>
  setState(l, id, (s) => s === 'Waiting', 'Unresponsive')

/** `id` failed for good (could not be sent to, or answered as someone else). */
export const recordFailure = (l: Lookup, id: NodeId.NodeId): { readonly lookup: Lookup; readonly outcome: RecordOutcome } =>
  setState(l, id, (s) => s !== 'Succeeded' && s !== 'Failed', 'Failed')

const setState = (
  l: Lookup,
  id: NodeId.NodeId,
  when: (s: PeerState) => boolean,
  state: PeerState,
): { readonly lookup: Lookup; readonly outcome: RecordOutcome } => {
  const i = indexOfId(l, id)
  const p = l.peers[i]
  if (p === undefined || !when(p.state)) return { lookup: l, outcome: 'Ignored' }
  const peers = l.peers.slice()
  peers[i] = peer(p.id, p.address, state, p.hop)
  return { lookup: withPeers(l, peers, l.rpcs), outcome: 'Recorded' }
}

/**
 * Inserts new candidates in distance order (known ids, duplicates and our own id are skipped):
 * the new ones are sorted, then merged with the list in one pass.
 */
const merge = (l: Lookup, contacts: ReadonlyArray<PeerInfo>, hop: number): Lookup => {
  const peers = mergePeers(l, contacts, hop, -1, undefined)
  return peers === undefined || peers === l.peers ? l : withPeers(l, peers, l.rpcs)
}

/**
 * `l.peers` with the new candidates among `contacts` inserted (and, when `at >= 0`, the peer at
 * index `at` replaced by `changed`), as a fresh array; `l.peers` itself when nothing changes.
 */
const mergePeers = (
  l: Lookup,
  contacts: ReadonlyArray<PeerInfo>,
  hop: number,
  at: number,
  changed: Peer | undefined,
): Peer[] => {
  const target = l.target
  const old = l.peers
  let fresh: Peer[] | undefined
  for (const c of contacts) {
    if (c.id.length !== NodeId.BYTES || NodeId.equals(c.id, l.self) || indexOfId(l, c.id) >= 0) continue
    ;(fresh ??= []).push(peer(c.id, c.address, 'NotContacted', hop))
  }
  if (fresh === undefined) {
    if (at < 0) return old as Peer[]
    const copy = old.slice()
    copy[at] = changed as Peer
    return copy
  }
  if (fresh.length > 1) fresh.sort((a, b) => Distance.compareTo(target, a.id, b.id))
  const peers: Peer[] = []
  let i = 0
  let last: Peer | undefined
  for (const f of fresh) {
    while (i < old.length && Distance.compareTo(target, (old[i] as Peer).id, f.id) < 0) {
      peers.push(i === at ? (changed as Peer) : (old[i] as Peer))
      i++
    }
    if (last !== undefined && NodeId.equals(last.id, f.id)) continue
    peers.push(f)
    last = f
  }
  for (; i < old.length; i++) peers.push(i === at ? (changed as Peer) : (old[i] as Peer))
  return peers
}
