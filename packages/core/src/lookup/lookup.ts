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
  /**
   * The first 31 bits of its distance to the lookup's target (`headOf`): most comparisons of the
   * order are integer compares on these.
   */
  readonly head: number
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
  /** How many peers are `Waiting` (`inFlight`) and how many are not `NotContacted` (`queried`), kept up to date so no step counts them. */
  readonly waiting: number
  readonly queried: number
}

export type RecordOutcome = 'Recorded' | 'Ignored'

// constructors

/** Peers and lookups are built field by field: one shape each, cheap to copy. */
const peer = (id: NodeId.NodeId, address: Address.Address, state: PeerState, hop: number, head: number): Peer => ({
  id,
  address,
  state,
  hop,
  head,
})

const withPeers = (l: Lookup, peers: ReadonlyArray<Peer>, rpcs: number, waiting: number, queried: number): Lookup => ({
  target: l.target,
  self: l.self,
  bucketSize: l.bucketSize,
  parallelism: l.parallelism,
  peers,
  rpcs,
  waiting,
  queried,
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
      waiting: 0,
      queried: 0,
    },
    seeds,
    0,
  )

// queries

const isLive = (p: Peer): boolean => p.state !== 'Failed' && p.state !== 'Unresponsive'

/**
 * The first 31 bits of the XOR distance from `target` to `id`, as a non-negative small integer:
 * a smaller head means a closer id; equal heads need the full comparison (`compareTo`).
 */
const headOf = (target: NodeId.NodeId, id: NodeId.NodeId): number =>
  (((id[0] as number) ^ (target[0] as number)) << 23) |
  (((id[1] as number) ^ (target[1] as number)) << 15) |
  (((id[2] as number) ^ (target[2] as number)) << 7) |
  (((id[3] as number) ^ (target[3] as number)) >>> 1)

/** Order of `a` (head `ha`) and `b` (head `hb`) by distance to `target`: negative when `a` is closer. */
const order = (target: NodeId.NodeId, ha: number, a: NodeId.NodeId, hb: number, b: NodeId.NodeId): number =>
  ha !== hb ? ha - hb : Distance.compareTo(target, a, b)

/** First index whose peer is not closer to the target than `id` (head `h`): binary search on the order. */
const lowerBound = (l: Lookup, h: number, id: NodeId.NodeId): number => {
  const peers = l.peers
  let lo = 0
  let hi = peers.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const pm = peers[mid] as Peer
    if (pm.head < h || (pm.head === h && Distance.compareTo(l.target, pm.id, id) < 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose head is not below `h` (integer binary search; equal heads are not ordered). */
const firstHead = (peers: ReadonlyArray<Peer>, h: number): number => {
  let lo = 0
  let hi = peers.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((peers[mid] as Peer).head < h) lo = mid + 1
    else hi = mid
  }
  return lo
}

/**
 * Index of the peer with this id (head `h`), or -1: O(log n) integer compares, then the 20-byte
 * check only against the peers with the same head (ids are unique and sorted by distance).
 */
const indexOfHead = (l: Lookup, h: number, id: NodeId.NodeId): number => {
  const peers = l.peers
  for (let i = firstHead(peers, h); i < peers.length; i++) {
    const p = peers[i] as Peer
    if (p.head !== h) break
    if (NodeId.equals(p.id, id)) return i
  }
  return -1
}

const indexOfId = (l: Lookup, id: NodeId.NodeId): number => indexOfHead(l, headOf(l.target, id), id)

export const find = (l: Lookup, id: NodeId.NodeId): Peer | undefined => l.peers[indexOfId(l, id)]

/** Peers `Waiting`, counted (`l.waiting` is the same number, kept up to date by the transitions). */
export const inFlight = (l: Lookup): number => {
  let n = 0
  for (const p of l.peers) if (p.state === 'Waiting') n++
  return n
}

/** Peers ever queried (not `NotContacted`), counted (`l.queried` is the same number, kept). */
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
export const rankOf = (l: Lookup, id: NodeId.NodeId): number => lowerBound(l, headOf(l.target, id), id)

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
  if (l.waiting >= l.parallelism) return { lookup: l, query: [] }
  const peers = l.peers.slice()
  const query = markNext(l, peers, l.waiting)
  const n = query.length
  return n === 0 ? { lookup: l, query } : { lookup: withPeers(l, peers, l.rpcs + n, l.waiting + n, l.queried + n), query }
}

/**
 * `next` on `peers`, a fresh array owned by the caller (never shared yet), `alreadyWaiting` of whose
 * peers are `Waiting`: the peers to query are replaced in place by their `Waiting` copies and
 * returned.
 */
const markNext = (l: Lookup, peers: Peer[], alreadyWaiting: number): Peer[] => {
  const limit = l.parallelism
  const query: Peer[] = []
  let waiting = alreadyWaiting
  let live = 0
  for (let i = 0; i < peers.length && waiting < limit; i++) {
    const p = peers[i] as Peer
    if (!isLive(p)) continue
    if (++live > l.bucketSize) break
    if (p.state !== 'NotContacted') continue
    const q = peer(p.id, p.address, 'Waiting', p.hop, p.head)
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
  const next = replied(l, id, contacts)
  return next === undefined ? { lookup: l, outcome: 'Ignored' } : { lookup: next, outcome: 'Recorded' }
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
  const next = replied(l, id, contacts)
  if (next === undefined) return { outcome: 'Ignored' }
  const queried = next.queried
  const waiting = next.waiting
  // `next` was just made by `replied` and has not escaped: its fresh peer array is ours to mark.
  const query = waiting >= l.parallelism ? NO_PEERS : markNext(l, next.peers, waiting)
  const n = query.length
  next.rpcs = l.rpcs + n
  next.waiting = waiting + n
  next.queried = queried + n
  return { outcome: 'Recorded', lookup: next, query, queried, inFlight: waiting }
}

const NO_PEERS: ReadonlyArray<Peer> = []

/** A lookup being built: local to one transition until it is returned. */
interface Draft {
  readonly target: NodeId.NodeId
  readonly self: NodeId.NodeId
  readonly bucketSize: number
  readonly parallelism: number
  readonly peers: Peer[]
  rpcs: number
  waiting: number
  queried: number
}

/** The lookup after `id` answered with `contacts` (a fresh peer array), or undefined when the reply is ignored. */
const replied = (l: Lookup, id: NodeId.NodeId, contacts: ReadonlyArray<PeerInfo>): Draft | undefined => {
  const i = indexOfId(l, id)
  const p = l.peers[i]
  if (p === undefined || (p.state !== 'Waiting' && p.state !== 'Unresponsive')) return undefined
  return mergePeers(l, contacts, p.hop + 1, i, peer(p.id, p.address, 'Succeeded', p.hop, p.head), l.waiting - (p.state === 'Waiting' ? 1 : 0))
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
  peers[i] = peer(p.id, p.address, state, p.hop, p.head)
  const waiting = l.waiting - (p.state === 'Waiting' ? 1 : 0) + (state === 'Waiting' ? 1 : 0)
  const queried = l.queried + (p.state === 'NotContacted' ? 1 : 0) - (state === 'NotContacted' ? 1 : 0)
  return { lookup: withPeers(l, peers, l.rpcs, waiting, queried), outcome: 'Recorded' }
}

/** Inserts new candidates in distance order (known ids, duplicates and our own id are skipped). */
const merge = (l: Lookup, contacts: ReadonlyArray<PeerInfo>, hop: number): Lookup => mergePeers(l, contacts, hop, -1, undefined, l.waiting) ?? l

/**
 * `l` with the new candidates among `contacts` inserted (and, when `at >= 0`, the peer at index
 * `at` replaced by `changed`, leaving `waiting` peers in flight), with a fresh peer array;
 * undefined when `at < 0` and nothing is new. New peers are `NotContacted`: `queried` is unchanged.
 *
 * Each contact's distance head is computed once and its place in the list found by an integer
 * binary search on the heads (20-byte compares only between equal heads), which also tells
 * whether it is known. The new ones are kept sorted by an insertion sort (a reply holds at most
 * k) with their places, then copied in with the list in one pass, without further compares.
 */
const mergePeers = (
  l: Lookup,
  contacts: ReadonlyArray<PeerInfo>,
  hop: number,
  at: number,
  changed: Peer | undefined,
  waiting: number,
): Draft | undefined => {
  const target = l.target
  const old = l.peers
  const m = old.length
  // set together with `fresh`: the places of its peers among the old ones
  let fresh: Peer[] | undefined
  let freshAt!: number[]
  for (let c = 0; c < contacts.length; c++) {
    const info = contacts[c] as PeerInfo
    const id = info.id
    if (id.length !== NodeId.BYTES || NodeId.equals(id, l.self)) continue
    const h = headOf(target, id)
    // where `id` goes among the old peers, or known
    let pos = firstHead(old, h)
    let known = false
    for (; pos < m; pos++) {
      const other = old[pos] as Peer
      if (other.head !== h) break
      if (NodeId.equals(other.id, id)) {
        known = true
        break
      }
      if (Distance.compareTo(target, other.id, id) > 0) break
    }
    if (known) continue
    const p = peer(id, info.address, 'NotContacted', hop, h)
    if (fresh === undefined) {
      fresh = [p]
      freshAt = [pos]
      continue
    }
    // insertion sort, ascending distance; a duplicate within the reply is dropped
    let j = fresh.length
    let dup = false
    while (j > 0) {
      const q = fresh[j - 1] as Peer
      const cmp = order(target, q.head, q.id, h, id)
      if (cmp === 0) dup = true
      if (cmp <= 0) break
      j--
    }
    if (dup) continue
    // insert at j (by hand: `splice` allocates an array of the removed elements)
    fresh.push(p)
    freshAt.push(pos)
    for (let e = fresh.length - 1; e > j; e--) {
      fresh[e] = fresh[e - 1] as Peer
      freshAt[e] = freshAt[e - 1] as number
    }
    fresh[j] = p
    freshAt[j] = pos
  }
  if (fresh === undefined) {
    if (at < 0) return undefined
    const copy = old.slice()
    copy[at] = changed as Peer
    return { target, self: l.self, bucketSize: l.bucketSize, parallelism: l.parallelism, peers: copy, rpcs: l.rpcs, waiting, queried: l.queried }
  }
  // sorted by distance, the new peers' places among the old ones are non-decreasing
  const peers = new Array<Peer>(m + fresh.length)
  let i = 0
  let o = 0
  let shift = 0
  for (let f = 0; f < fresh.length; f++) {
    const p = freshAt[f] as number
    if (p <= at) shift++
    for (; i < p; i++) peers[o++] = old[i] as Peer
    peers[o++] = fresh[f] as Peer
  }
  for (; i < m; i++) peers[o++] = old[i] as Peer
  if (at >= 0) peers[at + shift] = changed as Peer
  return { target, self: l.self, bucketSize: l.bucketSize, parallelism: l.parallelism, peers, rpcs: l.rpcs, waiting, queried: l.queried }
}
