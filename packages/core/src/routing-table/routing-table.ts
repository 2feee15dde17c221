/**
 * The routing table (paper §2.2, §2.4, §4.1, §4.2): a binary prefix tree of k-buckets held as its
 * leaves in id order, as immutable data.
 *
 * - Splitting (§2.4, §4.2): a full bucket splits when its range holds our own id, when its depth is
 *   not a multiple of `bitsPerHop` (b bits per hop, §4.2), or, relaxed (§2.4, Fig. 5), when the
 *   newcomer would be among the k contacts closest to our own id. Otherwise the newcomer waits in
 *   the bucket's replacement cache and the least-recently seen contact is probed (§2.2, §4.1).
 * - A live contact is never dropped for a newcomer (§2.2): a contact leaves a full bucket only
 *   when its probe failed, when it is stale (`staleAfterFailures` consecutive failures, §4.1) and
 *   a replacement or newcomer takes its place, or when the driver removes it.
 * - Address conflicts: a known id heard from another address takes that address only if the
 *   stored contact has failed at least once since we last heard from it; a live contact keeps its
 *   address and the claim is `Rejected { reason: 'AddressConflict' }`. This stops a third party
 *   from hijacking a live contact's slot by spoofing its id (the Python library never updates the
 *   address, its bug F2).
 * - Time: every transition takes `at`, which the driver keeps non-decreasing; contacts stay ordered
 *   by `lastSeen`.
 * - Never contains our own id. A bucket holds at most `bucketSize` contacts and at most
 *   `replacementCacheSize` replacements.
 *
 * Performance: a bucket holds its contacts as parallel arrays (`Bucket`: four slots per contact,
 * no record per contact; a refresh copies one array of small integers); transitions copy only the
 * changed bucket's arrays and the bucket spine (one slot per leaf: about log2(n/k) leaves for n peers, a few more with relaxed
 * splitting or b > 1); ids and addresses are shared. `Contact` records are made only for what the
 * queries and outcomes return. `closest` visits only the leaves nearest to the target and sorts at
 * most n + k - 1 contacts, block by block. See docs/adr/0004-routing-table.md.
 */
import type { Address } from '../address.js'
import type { PeerInfo } from '../rpc/message.js'
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import type { Duration, Instant } from '../time.js'
import * as B from './bucket.js'
import * as C from './contact.js'
import type { Config, RoutingTable } from './model.js'
import * as Head from './head.js'
import * as Walk from './walk.js'

// model

export type { Contact } from './contact.js'
export type { Bucket } from './bucket.js'
type Contact = C.Contact
type Bucket = B.Bucket

export type { Config, RoutingTable } from './model.js'
export { defaultConfig } from './model.js'
export { checkInvariants } from './invariants.js'

export type ObserveOutcome =
  /** Added, after `splits` bucket splits. */
  | { readonly _tag: 'Inserted'; readonly contact: Contact; readonly splits: number }
  /** Known: moved to the tail, `lastSeen` = at, failures reset (and the address taken, see above). */
  | { readonly _tag: 'Refreshed'; readonly contact: Contact }
  /** The bucket was full but held a stale contact (≥ staleAfterFailures failures): it made room. */
  | { readonly _tag: 'Replaced'; readonly evicted: Contact; readonly inserted: Contact }
  /** Bucket full: the newcomer is cached; the driver must PING `probe` (the LRS) and call `resolveProbe`. */
  | { readonly _tag: 'Pending'; readonly probe: Contact }
  /** Bucket full and a probe already pending: the newcomer is only in the replacement cache. */
  | { readonly _tag: 'Cached' }
  /** Our own id; or a known live id claimed from another address. */
  | { readonly _tag: 'Rejected'; readonly reason: 'OwnId' | 'AddressConflict' }

export type FailureOutcome =
  /** Failures incremented, contact kept. */
  | { readonly _tag: 'Flagged'; readonly contact: Contact }
  /** Removed: stale with a replacement (§4.1), or its probe failed; `promoted` took its place. */
  | { readonly _tag: 'Evicted'; readonly evicted: Contact; readonly promoted: Contact | undefined }
  /** Not a contact of the table (an entry of a replacement cache is dropped). */
  | { readonly _tag: 'Unknown' }

export type ProbeOutcome = FailureOutcome | { readonly _tag: 'Kept'; readonly contact: Contact }

export type RespondedOutcome =
  | { readonly _tag: 'Refreshed'; readonly contact: Contact }
  | { readonly _tag: 'Unknown' }

export interface Step<O> {
  readonly table: RoutingTable
  readonly outcome: O
}

/** The head of an id (`Head.head`) as made by `keyedPeer` only: a brand, so none is made up. */
export type KeyedHead = number & { readonly KeyedHead: unique symbol }

/**
 * A peer with the head of its id computed once, for `observeAll`: a driver that hands the same
 * peer to many tables (a simulator's prefill, where every peer is in ~250 tables) makes it with
 * `keyedPeer`, and the tables read the head instead of the id's bytes, which in a large network
 * are a cache miss for every table.
 */
export interface KeyedPeer {
  readonly id: NodeId.NodeId
  readonly address: Address
  readonly head: KeyedHead
}

// constructors

/** A table holding nothing: one bucket covering the whole id space, its refresh clock at `at`. */
export const empty = (self: NodeId.NodeId, config: Config, at: Instant): RoutingTable => ({
  self,
  config,
  buckets: [B.root(at)],
  size: 0,
  heads: ROOT_HEADS,
  oldestLookup: at,
})

const ROOT_HEADS: ReadonlyArray<number> = [0]

/** `peer` with the head of its id (see `KeyedPeer`). */
export const keyedPeer = (id: NodeId.NodeId, address: Address): KeyedPeer => ({ id, address, head: Head.head(id) as KeyedHead })

/** Index of the bucket holding `id` (by the table's `heads`). */
const indexOf = (t: RoutingTable, id: NodeId.NodeId): number => Walk.indexOfHead(t.buckets, t.heads, id)

// queries

/** The leaf whose range holds `id`. */
export const bucketOf = (t: RoutingTable, id: NodeId.NodeId): Bucket =>
  t.buckets[indexOf(t, id)] as Bucket

/** The contact with this id (a new record), or undefined. */
export const find = (t: RoutingTable, id: NodeId.NodeId): Contact | undefined => {
  const b = bucketOf(t, id)
  const i = B.indexOf(b, id)
  return i < 0 ? undefined : B.contactAt(b, i)
}

/** The consecutive failures of the contact with this id; 0 when the table does not hold it. */
export const failuresOf = (t: RoutingTable, id: NodeId.NodeId): number => {
  const b = bucketOf(t, id)
  const i = B.indexOf(b, id)
  return i < 0 ? 0 : B.failuresAt(b, i)
}

/** Every contact (new records), bucket by bucket in id order, each least-recently seen first. */
export const contacts = (t: RoutingTable): ReadonlyArray<Contact> => {
  const out: Contact[] = []
  for (const b of t.buckets) for (const c of B.contacts(b)) out.push(c)
  return out
}

/** The ids of every contact, bucket by bucket in id order; allocates no record. */
export const ids = (t: RoutingTable): ReadonlyArray<NodeId.NodeId> => {
  const out: NodeId.NodeId[] = []
  for (const b of t.buckets) {
    const n = B.size(b)
    for (let i = 0; i < n; i++) out.push(B.idAt(b, i))
  }
  return out
}

export const size = (t: RoutingTable): number => t.size

export const buckets = (t: RoutingTable): ReadonlyArray<Bucket> => t.buckets

/**
 * The `n` contacts closest to `target` by XOR distance, closest first: exactly the first `n` of
 * the table's contacts sorted by distance (fewer only when the table holds fewer). Paper §2.3:
 * FIND_NODE answers from several buckets when one has fewer than k.
 */
export const closest = (t: RoutingTable, target: NodeId.NodeId, n: number): ReadonlyArray<Contact> =>
  closestWith(t, target, n, B.contactAt, undefined)

/**
 * `closest` as `PeerInfo` records (id and address only): what a NODES reply, a lookup's seeds and
 * a STORE need, two fields lighter than a `Contact` each.
 */
export const closestPeers = (t: RoutingTable, target: NodeId.NodeId, n: number): ReadonlyArray<PeerInfo> =>
  closestWith(t, target, n, peerAt, undefined)

/**
 * `closestPeers` without the contact `except` (when the table holds it): the `n` closest of the
 * others, which is what a FIND_NODE answer must be (never the requester itself). Found during the
 * search, by its head first, so no winner's id is read to compare it.
 */
export const closestPeersExcept = (
  t: RoutingTable,
  target: NodeId.NodeId,
  n: number,
  except: NodeId.NodeId,
): ReadonlyArray<PeerInfo> => closestWith(t, target, n, peerAt, except)

const peerAt = (b: Bucket, i: number): PeerInfo => ({ id: B.idAt(b, i), address: B.addressAt(b, i) })

/**
 * `closest` without `except`, each winner made by `make` from its bucket and position. The result
 * array is allocated once at its final size (at most `n` and at most the table's size).
 */
const closestWith = <A>(
  t: RoutingTable,
  target: NodeId.NodeId,
  n: number,
  make: (b: Bucket, i: number) => A,
  except: NodeId.NodeId | undefined,
): A[] => {
  if (!(n > 0) || t.size === 0) return []
  const out = new Array<A>(n < t.size ? Math.ceil(n) : t.size)
  let count = 0
  const th = Walk.head(target)
  const eh = except === undefined ? -1 : Walk.head(except)
  // The sort keys of the current bucket: one array for the whole search, refilled per bucket
  // (it never leaves this call).
  let small: number[] = NO_KEYS
  // Buckets come in increasing distance (every contact of a bucket is closer than any of the
  // next), so each bucket's block is sorted on its own and its closest ones appended.
  Walk.byDistance(t.buckets, t.heads, target, (b) => {
    const m = B.size(b)
    if (m === 0) return false
    // One sort key per contact, `distance bits · positions + position` (see `smallKeys` and
    // `largeKeys`), sorted; contacts whose keys agree on the distance bits are then ordered by
    // the full distance, and the first ones taken.
    let keys: number[]
    let positions: number
    if (m <= SLOTS) {
      if (small.length < m) small = new Array<number>(m)
      keys = smallKeys(b, th, small)
      positions = SLOTS
      for (let i = 0; i < m; ) {
        const bits = (keys[i] as number) >>> SLOT_BITS
        let end = i + 1
        while (end < m && (keys[end] as number) >>> SLOT_BITS === bits) end++
        if (end - i > 1) sortRun(keys, i, end, b, target, positions)
        i = end
      }
    } else {
      keys = largeKeys(b, th)
      positions = POSITIONS
      for (let i = 0; i < m; ) {
        const bits = Math.floor((keys[i] as number) / positions)
        let end = i + 1
        while (end < m && Math.floor((keys[end] as number) / positions) === bits) end++
        if (end - i > 1) sortRun(keys, i, end, b, target, positions)
        i = end
      }
    }
    for (let i = 0; i < m && count < n; i++) {
      const at = (keys[i] as number) % positions
      if (b.heads[at] === eh && NodeId.equals(B.idAt(b, at), except as NodeId.NodeId)) continue
      out[count++] = make(b, at)
    }
    return count >= n
  })
  if (count < out.length) out.length = count
  return out
}

const NO_KEYS: number[] = []

/** Positions in a small-integer sort key of `closest`: buckets of up to 64 contacts. */
const SLOTS = 64
const SLOT_BITS = 6
const HEAD_MASK = 2 ** Head.HEAD_BITS - 1

/** Positions in a sort key of a bucket of more than 64 contacts: fewer than 2^22 contacts. */
const POSITIONS = 2 ** 22

/**
 * The sorted keys of a bucket of at most 64 contacts, written to the first `size(b)` slots of
 * `keys` (the caller's own array) and returned: small integers, the 24 bits of each contact's
 * distance to the target (head `th`) that follow the `depth` bits all of the bucket's contacts
 * share, times 64, plus its position.
 */
const smallKeys = (b: Bucket, th: number, keys: number[]): number[] => {
  const hs = b.heads
  const m = hs.length
  const shift = Math.min(b.depth, Head.HEAD_BITS)
  for (let i = 0; i < m; i++) keys[i] = (((((hs[i] as number) ^ th) << shift) & HEAD_MASK) >>> SLOT_BITS) * SLOTS + i
  sortNumbers(keys, m)
  return keys
}

/** Sorted keys of a larger bucket (a table with a large k): `head distance · 2^22 + position`. */
const largeKeys = (b: Bucket, th: number): number[] => {
  const m = B.size(b)
  const keys: number[] = []
  for (let i = 0; i < m; i++) keys.push(((b.heads[i] as number) ^ th) * POSITIONS + i)
  return keys.sort((x, y) => x - y)
}

/** The first `m` slots of `a` ascending, in place (the array is the caller's own): insertion sort, blocks are small. */
const sortNumbers = (a: number[], m: number): void => {
  for (let i = 1; i < m; i++) {
    const x = a[i] as number
    let j = i - 1
    while (j >= 0 && (a[j] as number) > x) {
      a[j + 1] = a[j] as number
      j--
    }
    a[j + 1] = x
  }
}

/** Sorts `keys[from, to)`, whose contacts agree on the keyed bits, by their full distance. */
const sortRun = (keys: number[], from: number, to: number, b: Bucket, target: NodeId.NodeId, positions: number): void => {
  const run = keys.slice(from, to)
  run.sort((x, y) => Distance.compareTo(target, B.idAt(b, x % positions), B.idAt(b, y % positions)))
  for (let i = 0; i < run.length; i++) keys[from + i] = run[i] as number
}

/** Buckets due for a refresh lookup (paper §2.3): `lastLookup + refreshInterval <= at`. */
export const staleBuckets = (t: RoutingTable, at: Instant, refreshInterval: Duration): ReadonlyArray<Bucket> =>
  t.oldestLookup + refreshInterval > at ? [] : t.buckets.filter((b) => b.lastLookup + refreshInterval <= at)

/** The earliest `lastLookup + refreshInterval` over all buckets (read from the table, no scan). */
export const nextRefreshAt = (t: RoutingTable, refreshInterval: Duration): Instant | undefined =>
  (t.oldestLookup + refreshInterval) as Instant

/**
 * How many contacts are strictly closer to `self` than `id`, counting no further than `limit`.
 * Walks the buckets outward from `self`: whole buckets before the one holding `id` are closer.
 */
const closerToSelf = (t: RoutingTable, id: NodeId.NodeId, limit: number): number => {
  let count = 0
  const self = t.self
  Walk.byDistance(t.buckets, t.heads, self, (b) => {
    if (B.covers(b, id)) {
      const m = B.size(b)
      for (let i = 0; i < m; i++) if (Distance.compareTo(self, B.idAt(b, i), id) < 0) count++
      return true
    }
    count += B.size(b)
    return count >= limit
  })
  return count
}

/**
 * Whether at least `k` contacts are strictly closer to `self` than `id`, whose bucket does not
 * hold `self` (`s` is the index of the bucket that does). Fast path: every contact sharing more
 * leading bits with `self` than `id` does is closer. Those are the contacts of our own leaf and of
 * the leaves of the subtree around it (the leaves whose prefix shares more than that with `self`,
 * next to ours in the id-ordered spine); all the other leaves sit at the two ends of the spine.
 * So their number is the table's size minus the contacts of the leaves at the ends, found by the
 * table's `heads` (these leaves are few: one per bit `id` shares with `self`, plus its own, which
 * the caller has just read). Only when they are fewer than k is the exact outward walk needed.
 */
const hasKCloser = (t: RoutingTable, s: number, id: NodeId.NodeId, k: number): boolean => {
  const self = t.self
  const bs = t.buckets
  const hs = t.heads
  const c = Distance.commonPrefixLength(self, id)
  const sh = Head.head(self)
  let outside = 0
  for (let j = 0; j < s && sharesAtMost(bs, hs, j, self, sh, c); j++) outside += B.size(bs[j] as Bucket)
  for (let j = bs.length - 1; j > s && sharesAtMost(bs, hs, j, self, sh, c); j--) outside += B.size(bs[j] as Bucket)
  return t.size - outside >= k || closerToSelf(t, id, k) >= k
}

/**
 * Whether the prefix of bucket `j` shares at most `c` leading bits with `self` (head `sh`): read
 * from the table's `heads` below 30 shared bits, from the prefix itself beyond.
 */
const sharesAtMost = (
  bs: ReadonlyArray<Bucket>,
  hs: ReadonlyArray<number>,
  j: number,
  self: NodeId.NodeId,
  sh: number,
  c: number,
): boolean => {
  const x = (hs[j] as number) ^ sh
  if (x !== 0) return Math.clz32(x) - (32 - Head.HEAD_BITS) <= c
  return c >= Head.HEAD_BITS && Distance.commonPrefixLength((bs[j] as Bucket).prefix, self) <= c
}

/**
 * Whether the full bucket `b`, at index `i`, should split to make room for `id` (paper §2.4,
 * Fig. 5, §4.2). It holds our own id exactly when it is the leaf of `self`.
 */
const maySplit = (t: RoutingTable, i: number, b: Bucket, id: NodeId.NodeId): boolean => {
  if (b.depth >= NodeId.BITS) return false
  const s = indexOf(t, t.self)
  return i === s || b.depth % t.config.bitsPerHop !== 0 || !hasKCloser(t, s, id, t.config.bucketSize)
}

// transitions

// The outcomes that carry no data are shared (they are immutable).
const CACHED: ObserveOutcome = Object.freeze({ _tag: 'Cached' })
const OWN_ID: ObserveOutcome = Object.freeze({ _tag: 'Rejected', reason: 'OwnId' })
const ADDRESS_CONFLICT: ObserveOutcome = Object.freeze({ _tag: 'Rejected', reason: 'AddressConflict' })

const withBucket = (t: RoutingTable, i: number, b: Bucket, sizeDelta: number): RoutingTable => {
  const spine = t.buckets.slice()
  const old = spine[i] as Bucket
  spine[i] = b
  const oldest = b.lastLookup === old.lastLookup ? t.oldestLookup : oldestOf(spine)
  return { self: t.self, config: t.config, buckets: spine, size: t.size + sizeDelta, heads: t.heads, oldestLookup: oldest }
}

/** The earliest `lastLookup` of `buckets` (at least one). */
const oldestOf = (buckets: ReadonlyArray<Bucket>): Instant => {
  let min = (buckets[0] as Bucket).lastLookup
  for (const b of buckets) if (b.lastLookup < min) min = b.lastLookup
  return min
}

const withSplit = (t: RoutingTable, i: number, halves: readonly [Bucket, Bucket]): RoutingTable => {
  const old = t.buckets
  const spine = new Array<Bucket>(old.length + 1)
  for (let j = 0; j < i; j++) spine[j] = old[j] as Bucket
  spine[i] = halves[0]
  spine[i + 1] = halves[1]
  for (let j = i + 1; j < old.length; j++) spine[j + 1] = old[j] as Bucket
  const heads = new Array<number>(old.length + 1)
  for (let j = 0; j <= i; j++) heads[j] = t.heads[j] as number
  heads[i + 1] = Walk.head(halves[1].prefix)
  for (let j = i + 1; j < old.length; j++) heads[j + 1] = t.heads[j] as number
  return { self: t.self, config: t.config, buckets: spine, size: t.size, heads, oldestLookup: t.oldestLookup }
}

const clearProbe = (b: Bucket, id: NodeId.NodeId): NodeId.NodeId | undefined =>
  b.probing !== undefined && NodeId.equals(b.probing, id) ? undefined : b.probing

/**
 * We heard from `peer` at `at` (any message or reply, paper §2.2). A known contact moves to the
 * tail; a newcomer is added when there is room, after splitting if the rules allow, or in place of
 * a stale contact; otherwise it is cached and the least-recently seen contact must be probed.
 */
export const observe = (
  t: RoutingTable,
  peer: { readonly id: NodeId.NodeId; readonly address: Address },
  at: Instant,
): Step<ObserveOutcome> => {
  const id = peer.id
  const address = peer.address
  const self = t.self
  if (id[0] === self[0] && NodeId.equals(id, self)) return { table: t, outcome: OWN_ID }
  const cfg = t.config
  let i = indexOf(t, id)
  let b = t.buckets[i] as Bucket
  const found = B.indexOf(b, id)
  if (found >= 0) {
    const oldAddress = B.addressAt(b, found)
    const oldFailures = B.failuresAt(b, found)
    if (oldAddress !== address && oldFailures === 0) return { table: t, outcome: ADDRESS_CONFLICT }
    const contact = C.of(B.idAt(b, found), address, at, 0)
    // Heard again in the same instant, already the most recent and live: nothing to change, so
    // the same table (a reply burst from one peer costs no copy).
    if (B.lastSeenAt(b, found) === at && oldFailures === 0 && oldAddress === address &&
      (b.probing === undefined || !NodeId.equals(b.probing, id)) && B.isMostRecent(b, found)) {
      return { table: t, outcome: { _tag: 'Refreshed', contact } }
    }
    const nb = B.refreshed(b, found, address, at)
    return { table: withBucket(t, i, withProbe(nb, clearProbe(b, id)), 0), outcome: { _tag: 'Refreshed', contact } }
  }
  const k = cfg.bucketSize
  let table = t
  let splits = 0
  // Bounded: each split increases the depth of the bucket holding `id`, at most 160.
  while (B.isFull(b, k) && maySplit(table, i, b, id)) {
    table = withSplit(table, i, B.split(b))
    splits++
    if (B.covers(table.buckets[i + 1] as Bucket, id)) i++
    b = table.buckets[i] as Bucket
  }
  if (!B.isFull(b, k)) {
    const nb = B.appended(B.withCache(b, cacheWithout(b, id), b.lastLookup, b.probing), id, address, at, 0)
    return { table: withBucket(table, i, nb, 1), outcome: { _tag: 'Inserted', contact: C.of(id, address, at, 0), splits } }
  }
  const stale = B.indexOfStale(b, cfg.staleAfterFailures)
  if (stale >= 0) {
    const evicted = B.contactAt(b, stale)
    const nb = B.appended(B.removed(B.withCache(b, cacheWithout(b, id), b.lastLookup, clearProbe(b, evicted.id)), stale), id, address, at, 0)
    return { table: withBucket(table, i, nb, 0), outcome: { _tag: 'Replaced', evicted, inserted: C.of(id, address, at, 0) } }
  }
  if (b.probing !== undefined) {
    // Already the newest replacement, heard in the same instant from the same address: unchanged.
    if (splits === 0 && B.cacheSize(b) > 0 && B.cacheLastSeenAt(b, 0) === at && B.cacheAddressAt(b, 0) === address &&
      NodeId.equals(B.cacheIdAt(b, 0), id)) {
      return { table: t, outcome: CACHED }
    }
    // A probe is pending: the newcomer only joins the replacement cache.
    const pushed = B.pushReplacement(b.cache, id, address, at, cfg.replacementCacheSize, B.keyByte(b.depth))
    return { table: withBucket(table, i, B.withCache(b, pushed, b.lastLookup, b.probing), 0), outcome: CACHED }
  }
  const pushed = B.pushReplacement(b.cache, id, address, at, cfg.replacementCacheSize, B.keyByte(b.depth))
  const lru = B.leastRecent(b)
  // Only with an invalid bucketSize < 1 is a "full" bucket empty: nothing to probe.
  if (lru < 0) return { table: withBucket(table, i, B.withCache(b, pushed, b.lastLookup, b.probing), 0), outcome: CACHED }
  const probe = B.contactAt(b, lru)
  return { table: withBucket(table, i, B.withCache(b, pushed, b.lastLookup, probe.id), 0), outcome: { _tag: 'Pending', probe } }
}

/** The replacement cache of `b` without `id` (the same array when it holds none). */
const cacheWithout = (b: Bucket, id: NodeId.NodeId): ReadonlyArray<B.Slot> => {
  const r = B.cacheIndexOf(b, id)
  return r < 0 ? b.cache : B.withoutReplacement(b.cache, r)
}

/** `b` with `probing` set (the same bucket when unchanged). */
const withProbe = (b: Bucket, probing: NodeId.NodeId | undefined): Bucket =>
  b.probing === probing ? b : B.withCache(b, b.cache, b.lastLookup, probing)

/**
 * The table after observing each of `peers` at `at`, in order: exactly the fold of `observe`
 * (outcomes dropped, so nothing gets probed), for drivers that build many tables at once (a
 * simulator's prefill, a test network). Faster than the fold: a newcomer appended to a bucket
 * whose arrays this call itself made extends them in place, since no table anyone holds points
 * at them yet (the intermediate tables are never returned), and such arrays are copied to exact
 * size once, at the end. The input table is never mutated. A peer with a `head` is taken as a
 * `KeyedPeer` (made by `keyedPeer`): its head is used instead of reading its id's bytes.
 */
export const observeAll = (
  t: RoutingTable,
  peers: ReadonlyArray<{ readonly id: NodeId.NodeId; readonly address: Address } | KeyedPeer>,
  at: Instant,
): RoutingTable => {
  // Arrays of the input table: never written.
  const theirs = new Set<ReadonlyArray<unknown>>([B.EMPTY])
  for (const b of t.buckets) for (const a of [b.peers, b.heads, b.seen, b.failures, b.cache]) theirs.add(a)
  // Arrays extended in place: copied to exact size at the end.
  const pushed = new Set<ReadonlyArray<unknown>>()
  const k = t.config.bucketSize
  const selfHead = Walk.head(t.self)
  let table = t
  for (const peer of peers) {
    const id = peer.id
    // A keyed peer's head spares reading the id's bytes (see `KeyedPeer`).
    const h = 'head' in peer ? peer.head : Walk.head(id)
    const i = Walk.indexOfHead(table.buckets, table.heads, id, h)
    const b = table.buckets[i] as Bucket
    // `observe`'s plain insertion (room, no split, not known, not cached, not us), in place.
    if (table !== t && !theirs.has(b.peers) && !theirs.has(b.heads) && !theirs.has(b.seen) &&
      b.failures.length === 0 && !B.isFull(b, k) && B.indexOf(b, id, h) < 0 && B.cacheIndexOf(b, id) < 0 &&
      (h !== selfHead || !NodeId.equals(id, table.self))) {
      ;(b.peers as Array<NodeId.NodeId | Address>).push(id, peer.address)
      ;(b.heads as number[]).push(h)
      ;(b.seen as number[]).push(at)
      ;(table as { size: number }).size++
      pushed.add(b.peers).add(b.heads).add(b.seen)
      continue
    }
    table = observe(table, peer, at).table
  }
  if (pushed.size === 0) return table
  const exact = <A>(a: ReadonlyArray<A>): ReadonlyArray<A> => (pushed.has(a) ? a.slice() : a)
  const spine = table.buckets.map((b) =>
    pushed.has(b.peers) || pushed.has(b.heads) || pushed.has(b.seen)
      ? B.make(b.prefix, b.depth, exact(b.peers), exact(b.heads), exact(b.seen), b.failures, b.cache, b.lastLookup, b.probing)
      : b)
  return { self: table.self, config: table.config, buckets: spine, size: table.size, heads: table.heads, oldestLookup: table.oldestLookup }
}

/**
 * Removes contact `j` of bucket `i` and promotes the most recently seen replacement, if any,
 * into its place by last seen (paper §4.1).
 */
const evict = (t: RoutingTable, i: number, j: number, evicted: Contact): Step<FailureOutcome> => {
  const b = t.buckets[i] as Bucket
  const promoted = B.cacheSize(b) === 0 ? undefined : B.replacementAt(b, 0)
  const gone = B.removed(b, j)
  const nb = promoted === undefined
    ? withProbe(gone, clearProbe(b, evicted.id))
    : B.appended(B.withCache(gone, B.withoutReplacement(b.cache, 0), b.lastLookup, clearProbe(b, evicted.id)),
      promoted.id, promoted.address, promoted.lastSeen, 0)
  return {
    table: withBucket(t, i, nb, promoted === undefined ? -1 : 0),
    outcome: { _tag: 'Evicted', evicted, promoted },
  }
}

/**
 * An RPC to `id` failed (timed out). Paper §4.1: the failure is counted; a contact with
 * `staleAfterFailures` consecutive failures is evicted only when a replacement exists to take its
 * place, otherwise it is only flagged. A failing entry of a replacement cache is dropped.
 * `at` is when the failure was noticed; it changes no clock.
 */
export const markFailed = (t: RoutingTable, id: NodeId.NodeId, _at: Instant): Step<FailureOutcome> => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b, id)
  if (j < 0) {
    const r = B.cacheIndexOf(b, id)
    if (r < 0) return { table: t, outcome: { _tag: 'Unknown' } }
    const nb = B.withCache(b, B.withoutReplacement(b.cache, r), b.lastLookup, b.probing)
    return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Unknown' } }
  }
  const contact = C.failed(B.contactAt(b, j))
  if (C.isStale(contact, t.config.staleAfterFailures) && B.cacheSize(b) > 0) return evict(t, i, j, contact)
  return { table: withBucket(t, i, B.withFailures(b, j, contact.failures), 0), outcome: { _tag: 'Flagged', contact } }
}

/**
 * An RPC to `id` was answered at `at`: failures reset, `lastSeen` = at, moved to the tail (paper
 * §2.2). A no-op (`Unknown`) for an id the table does not hold.
 */
export const markResponded = (t: RoutingTable, id: NodeId.NodeId, at: Instant): Step<RespondedOutcome> => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b, id)
  if (j < 0) return { table: t, outcome: { _tag: 'Unknown' } }
  const contact = C.of(B.idAt(b, j), B.addressAt(b, j), at, 0)
  const nb = withProbe(B.refreshed(b, j, contact.address, at), clearProbe(b, id))
  return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Refreshed', contact } }
}

/**
 * The ping of a `Pending` outcome's probe was answered (`responded`: kept, moved to the tail) or
 * not. A failed probe that is still the bucket's pending probe is evicted and the most recently
 * seen replacement (normally the newcomer that caused the probe) takes its place (paper §2.2). If
 * no replacement is left, or the contact answered something else since the probe began, the
 * failure is only counted as `markFailed` does: a live contact is never dropped for a newcomer.
 */
export const resolveProbe = (
  t: RoutingTable,
  probe: NodeId.NodeId,
  responded: boolean,
  at: Instant,
): Step<ProbeOutcome> => {
  const i = indexOf(t, probe)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b, probe)
  const pending = b.probing !== undefined && NodeId.equals(b.probing, probe)
  if (j < 0) {
    if (!pending) return { table: t, outcome: { _tag: 'Unknown' } }
    return { table: withBucket(t, i, withProbe(b, undefined), 0), outcome: { _tag: 'Unknown' } }
  }
  if (responded) {
    const step = markResponded(t, probe, at)
    const contact = step.outcome._tag === 'Refreshed' ? step.outcome.contact : B.contactAt(b, j)
    return { table: step.table, outcome: { _tag: 'Kept', contact } }
  }
  if (pending && B.cacheSize(b) > 0) return evict(t, i, j, C.failed(B.contactAt(b, j)))
  const step = markFailed(t, probe, at)
  if (!pending || step.outcome._tag === 'Evicted') return step
  const fb = step.table.buckets[i] as Bucket
  return { table: withBucket(step.table, i, withProbe(fb, undefined), 0), outcome: step.outcome }
}

/** A lookup for `target` ran at `at`: the bucket holding `target` needs no refresh (paper §2.3). */
export const touch = (t: RoutingTable, target: NodeId.NodeId, at: Instant): RoutingTable => {
  const i = indexOf(t, target)
  const b = t.buckets[i] as Bucket
  return withBucket(t, i, B.withCache(b, b.cache, at, b.probing), 0)
}

/**
 * Forgets `id`: a contact is removed and the most recently seen replacement promoted; a
 * replacement is dropped. Unchanged (the same table) when the id is unknown.
 */
export const remove = (t: RoutingTable, id: NodeId.NodeId): RoutingTable => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b, id)
  if (j >= 0) return evict(t, i, j, B.contactAt(b, j)).table
  const r = B.cacheIndexOf(b, id)
  if (r < 0) return t
  return withBucket(t, i, B.withCache(b, B.withoutReplacement(b.cache, r), b.lastLookup, b.probing), 0)
}
