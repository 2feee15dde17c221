/**
 * A k-bucket: one leaf of the routing table's prefix tree (paper §2.2, §2.4). It covers the ids
 * whose first `depth` bits equal those of `prefix`, holds at most k contacts, and a bounded
 * replacement cache ordered most-recently seen first (§4.1).
 *
 * Compact representation (no record per contact): the contacts are parallel arrays, `peers`
 * (id, address: two slots per contact), `heads` (the first 30 bits of each id, `Head.head`: a
 * search touches these small integers, not the ids' bytes, which in a large simulation are cache
 * misses), `seen` (last-seen instants) and `failures` (consecutive failures, or the shared empty
 * list while all are zero). A contact costs four array slots (32 bytes on x64; ids and addresses
 * are shared with whoever made them) instead of a record of its own plus a slot (~64 bytes). The replacement cache is one flat array of three
 * slots per entry (id, address, last seen; a replacement never has failures).
 *
 * Order. The contacts' least-recently-seen order (§2.2) is not their position: it is ascending
 * `(seen, position)`. Positions keep a contact's place while it is refreshed, so hearing from a
 * known contact copies only the small-integer `seen` array (`peers` and `heads` stay shared). The tie rule keeps the order exact:
 * among contacts seen in the same instant, positions follow the order they were heard in — a
 * refresh that would break this (another contact heard in that same instant sits after it) moves
 * the contact to the last position, as an insertion does. Instants are stored unboxed while they
 * are small integers (below 2^31 ms, ~24 days on the driver's time line), boxed beyond.
 *
 * These helpers never mutate: each returns a new array or bucket and shares the untouched ones.
 */
import type { Address } from '../address.js'
import * as NodeId from '../id/node-id.js'
import type { Instant } from '../time.js'
import type { Contact } from './contact.js'
import * as C from './contact.js'
import { head } from './head.js'

// model

/** One slot of `peers` or of the replacement cache: an id, an address or a last-seen instant. */
export type Slot = NodeId.NodeId | Address | number

export interface Bucket {
  /** First `depth` bits significant, the rest zero: the lowest id of the bucket's range. */
  readonly prefix: NodeId.NodeId
  /** 0..160: how many leading bits every id in the bucket shares with `prefix`. */
  readonly depth: number
  /** At most k contacts: id, address, id, address, … (least-recently-seen order: see above). */
  readonly peers: ReadonlyArray<NodeId.NodeId | Address>
  /** `Head.head` of each contact's id, by position (derived: it only speeds up searches). */
  readonly heads: ReadonlyArray<number>
  /** The last time we heard from each contact, by position. */
  readonly seen: ReadonlyArray<number>
  /** Consecutive failed RPCs of each contact (paper §4.1), by position; `EMPTY` when all are 0. */
  readonly failures: ReadonlyArray<number>
  /** At most `replacementCacheSize` replacements (id, address, last seen), most-recently seen first. */
  readonly cache: ReadonlyArray<Slot>
  /** The last lookup that touched this bucket's range: its refresh clock (paper §2.3). */
  readonly lastLookup: Instant
  /** The least-recently seen contact the driver was asked to ping, while that ping is pending. */
  readonly probing: NodeId.NodeId | undefined
}

/** Slots per replacement in `cache`. */
export const CACHE_STRIDE = 3

// constructors

/**
 * Prefixes of depth ≤ `SHARED_DEPTH` are the same for every table (a bucket at depth d covers one
 * of 2^d fixed ranges), so they are made once, here, as 20-byte views of one frozen-by-contract
 * buffer, and every bucket of every table at such a depth points at the same instance. A
 * `Uint8Array(20)` of its own costs about 225 heap bytes; a table of 10^5 peers has ~13 buckets
 * of which all but the few deepest now cost nothing for their prefix. 2^11 - 1 views: ~0.44 MB
 * of heap, paid once when the module loads.
 */
export const SHARED_DEPTH = 10

const makeSharedPrefixes = (): ReadonlyArray<NodeId.NodeId> => {
  const count = (2 << SHARED_DEPTH) - 1
  const buffer = new ArrayBuffer(count * NodeId.BYTES)
  const out = new Array<NodeId.NodeId>(count)
  for (let depth = 0; depth <= SHARED_DEPTH; depth++) {
    const base = (1 << depth) - 1
    for (let v = 0; v < 1 << depth; v++) {
      const p = new Uint8Array(buffer, (base + v) * NodeId.BYTES, NodeId.BYTES)
      // The first `depth` bits are `v` (big-endian), the rest zero.
      const bits = depth === 0 ? 0 : v << (16 - depth)
      p[0] = bits >>> 8
      p[1] = bits & 0xff
      out[base + v] = p as NodeId.NodeId
    }
  }
  return out
}

const SHARED_PREFIXES = makeSharedPrefixes()

/**
 * The prefix of depth `depth` whose first `depth - 1` bits are those of `parent` and whose last
 * significant bit is 1: the upper half of a split. Shared when `depth ≤ SHARED_DEPTH`.
 */
const upperPrefix = (parent: NodeId.NodeId, depth: number): NodeId.NodeId => {
  const d = depth - 1
  if (depth <= SHARED_DEPTH) {
    const head = d === 0 ? 0 : (((parent[0] as number) << 8) | (parent[1] as number)) >>> (16 - d)
    return SHARED_PREFIXES[(1 << depth) - 1 + head * 2 + 1] as NodeId.NodeId
  }
  const p = Uint8Array.from(parent) as NodeId.NodeId
  const byte = d >>> 3
  p[byte] = (p[byte] as number) | (0x80 >>> (d & 7))
  return p
}

/**
 * The one empty list every empty array of a bucket points at (never mutated, as no array a
 * bucket holds ever is): an empty array of its own costs 32 bytes.
 */
export const EMPTY: ReadonlyArray<never> = []

/** Always builds the fields in the same order, so every bucket shares one hidden class. */
export const make = (
  prefix: NodeId.NodeId,
  depth: number,
  peers: ReadonlyArray<NodeId.NodeId | Address>,
  heads: ReadonlyArray<number>,
  seen: ReadonlyArray<number>,
  failures: ReadonlyArray<number>,
  cache: ReadonlyArray<Slot>,
  lastLookup: Instant,
  probing: NodeId.NodeId | undefined,
): Bucket => ({ prefix, depth, peers, heads, seen, failures, cache, lastLookup, probing })

/** `b` with another cache, refresh clock or probe (its contacts shared). */
export const withCache = (b: Bucket, cache: ReadonlyArray<Slot>, lastLookup: Instant, probing: NodeId.NodeId | undefined): Bucket =>
  make(b.prefix, b.depth, b.peers, b.heads, b.seen, b.failures, cache, lastLookup, probing)

/** The single bucket of an empty table: the whole id space. */
export const root = (at: Instant): Bucket =>
  make(SHARED_PREFIXES[0] as NodeId.NodeId, 0, EMPTY, EMPTY, EMPTY, EMPTY, EMPTY, at, undefined)

// queries

/**
 * How many contacts the bucket holds. Read from `heads`, the array a search touches anyway (a
 * look at `seen` only for its length would be one more cache line).
 */
export const size = (b: Bucket): number => b.heads.length

export const isFull = (b: Bucket, bucketSize: number): boolean => b.heads.length >= bucketSize

export const idAt = (b: Bucket, i: number): NodeId.NodeId => b.peers[2 * i] as NodeId.NodeId
export const addressAt = (b: Bucket, i: number): Address => b.peers[2 * i + 1] as Address
export const lastSeenAt = (b: Bucket, i: number): Instant => b.seen[i] as Instant
export const failuresAt = (b: Bucket, i: number): number => (b.failures.length === 0 ? 0 : (b.failures[i] as number))

/** The contact at position `i` as a record (a new one: contacts are not stored as records). */
export const contactAt = (b: Bucket, i: number): Contact =>
  C.of(b.peers[2 * i] as NodeId.NodeId, b.peers[2 * i + 1] as Address, b.seen[i] as Instant, failuresAt(b, i))

/** Positions in least-recently-seen order: ascending `(seen, position)`. */
export const order = (b: Bucket): ReadonlyArray<number> => {
  const seen = b.seen
  const out = Array.from({ length: seen.length }, (_, i) => i)
  return out.sort((x, y) => (seen[x] as number) - (seen[y] as number) || x - y)
}

/** The bucket's contacts as records, least-recently seen first (new records each call). */
export const contacts = (b: Bucket): ReadonlyArray<Contact> => order(b).map((i) => contactAt(b, i))

/** Whether position `i` comes before position `j` in least-recently-seen order. */
const before = (seen: ReadonlyArray<number>, i: number, j: number): boolean =>
  (seen[i] as number) < (seen[j] as number) || ((seen[i] as number) === (seen[j] as number) && i < j)

/** The position of the least-recently seen contact, or -1 when empty. */
export const leastRecent = (b: Bucket): number => {
  const seen = b.seen
  let best = seen.length === 0 ? -1 : 0
  for (let i = 1; i < seen.length; i++) if (before(seen, i, best)) best = i
  return best
}

/** Whether position `i` is the most recently seen contact. */
export const isMostRecent = (b: Bucket, i: number): boolean => {
  const seen = b.seen
  for (let j = 0; j < seen.length; j++) if (j !== i && before(seen, i, j)) return false
  return true
}

/** The least-recently seen contact with at least `staleAfterFailures` failures, or -1. */
export const indexOfStale = (b: Bucket, staleAfterFailures: number): number => {
  const fs = b.failures
  let best = -1
  for (let i = 0; i < fs.length; i++) {
    if ((fs[i] as number) >= staleAfterFailures && (best < 0 || before(b.seen, i, best))) best = i
  }
  return best
}

/**
 * The byte to test first when looking for an id among a bucket's contacts: they all share the
 * first `depth` bits, so byte `depth / 8` is the first that tells them apart.
 */
export const keyByte = (depth: number): number => (depth >= NodeId.BITS ? NodeId.BYTES - 1 : depth >>> 3)

/**
 * Position of the contact with this id, or -1. Compares heads; reads an id only when its head is
 * `id`'s (in buckets deeper than 30 bits, every head is). Allocates nothing. `h` must be
 * `head(id)` (passed by a caller that has it, so that `id`'s bytes are not read for it).
 */
export const indexOf = (b: Bucket, id: NodeId.NodeId, h: number = head(id)): number => {
  const hs = b.heads
  for (let i = 0; i < hs.length; i++) {
    if (hs[i] === h && NodeId.equals(b.peers[2 * i] as NodeId.NodeId, id)) return i
  }
  return -1
}

// queries: the replacement cache

/** How many replacements the bucket's cache holds. */
export const cacheSize = (b: Bucket): number => b.cache.length / CACHE_STRIDE

export const cacheIdAt = (b: Bucket, i: number): NodeId.NodeId => b.cache[i * CACHE_STRIDE] as NodeId.NodeId
export const cacheAddressAt = (b: Bucket, i: number): Address => b.cache[i * CACHE_STRIDE + 1] as Address
export const cacheLastSeenAt = (b: Bucket, i: number): Instant => b.cache[i * CACHE_STRIDE + 2] as Instant

/** Replacement `i` (0 = most recently seen) as a record, with no failures. */
export const replacementAt = (b: Bucket, i: number): Contact =>
  C.of(cacheIdAt(b, i), cacheAddressAt(b, i), cacheLastSeenAt(b, i), 0)

/** The bucket's replacements as records, most-recently seen first (new records each call). */
export const replacements = (b: Bucket): ReadonlyArray<Contact> =>
  Array.from({ length: cacheSize(b) }, (_, i) => replacementAt(b, i))

/** Position of the replacement with this id, or -1 (without reading `id` when the cache is empty). */
export const cacheIndexOf = (b: Bucket, id: NodeId.NodeId, key = keyByte(b.depth)): number => {
  const cs = b.cache
  if (cs.length === 0) return -1
  const first = id[key]
  for (let o = 0; o < cs.length; o += CACHE_STRIDE) {
    const c = cs[o] as NodeId.NodeId
    if (c[key] === first && NodeId.equals(c, id)) return o / CACHE_STRIDE
  }
  return -1
}

/** Whether `id` lies in the bucket's range (its first `depth` bits equal the prefix's). */
export const covers = (b: Bucket, id: NodeId.NodeId): boolean => {
  const full = b.depth >>> 3
  const p = b.prefix
  for (let i = 0; i < full; i++) if (p[i] !== id[i]) return false
  const rest = b.depth & 7
  if (rest === 0) return true
  const mask = (0xff << (8 - rest)) & 0xff
  return (((p[full] as number) ^ (id[full] as number)) & mask) === 0
}

// transitions (each returns a new bucket)

/** `list` without the `width` slots at `from`; `EMPTY` when nothing is left. */
const cut = <A>(list: ReadonlyArray<A>, from: number, width: number): ReadonlyArray<A> => {
  if (list.length === width) return EMPTY
  if (from === 0) return list.slice(width)
  if (from + width === list.length) return list.slice(0, from)
  return list.slice(0, from).concat(list.slice(from + width))
}

/** `list` with `value` appended (exact length, no growth slack). */
const append = <A>(list: ReadonlyArray<A>, value: A): ReadonlyArray<A> => {
  const n = list.length
  const out = new Array<A>(n + 1)
  for (let i = 0; i < n; i++) out[i] = list[i] as A
  out[n] = value
  return out
}

/** `list` with `a` and `b` appended (exact length, no growth slack). */
const append2 = <A>(list: ReadonlyArray<A>, a: A, b: A): ReadonlyArray<A> => {
  const n = list.length
  const out = new Array<A>(n + 2)
  for (let i = 0; i < n; i++) out[i] = list[i] as A
  out[n] = a
  out[n + 1] = b
  return out
}

/** `list` with slot `i` set to `value`. */
const set = <A>(list: ReadonlyArray<A>, i: number, value: A): ReadonlyArray<A> => {
  const out = list.slice()
  out[i] = value
  return out
}

/** `EMPTY` when every count is 0, else `list`. */
const sparse = (list: ReadonlyArray<number>): ReadonlyArray<number> => {
  for (let i = 0; i < list.length; i++) if (list[i] !== 0) return list
  return EMPTY
}

/** The failure counts of `b` as a dense list (a fresh one when they were all 0). */
const dense = (b: Bucket): ReadonlyArray<number> =>
  b.failures.length === 0 && b.seen.length > 0 ? new Array<number>(b.seen.length).fill(0) : b.failures

/**
 * A contact appended: it comes after every contact seen no later than it (an insertion, or a
 * promoted replacement taking its place by last seen, paper §2.2, §4.1).
 */
export const appended = (b: Bucket, id: NodeId.NodeId, address: Address, lastSeen: Instant, failures: number): Bucket =>
  make(b.prefix, b.depth, append2<NodeId.NodeId | Address>(b.peers, id, address), append(b.heads, head(id)), append(b.seen, lastSeen),
    failures === 0 && b.failures.length === 0 ? EMPTY : append(dense(b), failures), b.cache, b.lastLookup, b.probing)

/** The contact at position `i` removed. */
export const removed = (b: Bucket, i: number): Bucket =>
  make(b.prefix, b.depth, cut(b.peers, 2 * i, 2), cut(b.heads, i, 1), cut(b.seen, i, 1),
    b.failures.length === 0 ? EMPTY : sparse(cut(b.failures, i, 1)), b.cache, b.lastLookup, b.probing)

/**
 * Heard from the contact at position `i` at `at` (from `address`): last seen = at, failures
 * reset. It stays in place (only `seen` is copied) unless a contact heard in the same instant
 * sits after it; then it moves to the last position (see "Order" above).
 */
export const refreshed = (b: Bucket, i: number, address: Address, at: Instant): Bucket => {
  const seen = b.seen
  for (let j = i + 1; j < seen.length; j++) {
    if (seen[j] === at) return appended(removed(b, i), idAt(b, i), address, at, 0)
  }
  const peers = b.peers[2 * i + 1] === address ? b.peers : set(b.peers, 2 * i + 1, address)
  const failures = failuresAt(b, i) === 0 ? b.failures : sparse(set(b.failures, i, 0))
  return make(b.prefix, b.depth, peers, b.heads, set(seen, i, at), failures, b.cache, b.lastLookup, b.probing)
}

/** The contact at position `i` with `failures` consecutive failures. */
export const withFailures = (b: Bucket, i: number, failures: number): Bucket =>
  make(b.prefix, b.depth, b.peers, b.heads, b.seen, sparse(set(dense(b), i, failures)), b.cache, b.lastLookup, b.probing)

/**
 * The replacement cache with the entry at the front (most recent), any older entry for the same
 * id dropped, and the oldest dropped past `bound` entries (paper §4.1). One pass.
 */
export const pushReplacement = (
  list: ReadonlyArray<Slot>,
  id: NodeId.NodeId,
  address: Address,
  lastSeen: Instant,
  bound: number,
  key = 0,
): ReadonlyArray<Slot> => {
  if (bound <= 0) return EMPTY
  const n = list.length / CACHE_STRIDE
  const length = (n < bound ? n + 1 : bound) * CACHE_STRIDE
  const out = new Array<Slot>(length)
  out[0] = id
  out[1] = address
  out[2] = lastSeen
  const first = id[key]
  let k = CACHE_STRIDE
  for (let o = 0; o < list.length && k < length; o += CACHE_STRIDE) {
    const e = list[o] as NodeId.NodeId
    if (e[key] === first && NodeId.equals(e, id)) continue
    out[k] = e
    out[k + 1] = list[o + 1] as Slot
    out[k + 2] = list[o + 2] as Slot
    k += CACHE_STRIDE
  }
  if (k < length) out.length = k
  return out
}

/** The cache without replacement `i`. */
export const withoutReplacement = (list: ReadonlyArray<Slot>, i: number): ReadonlyArray<Slot> =>
  cut(list, i * CACHE_STRIDE, CACHE_STRIDE)

/** Splits `list` (`width` slots per entry, entry j's id at slot j·width) by the bit of the ids. */
const partition = <A>(
  list: ReadonlyArray<A>,
  width: number,
  idOf: (j: number) => NodeId.NodeId,
  byte: number,
  mask: number,
): readonly [ReadonlyArray<A>, ReadonlyArray<A>] => {
  const n = list.length / width
  let high = 0
  for (let j = 0; j < n; j++) if ((idOf(j)[byte] as number) & mask) high++
  if (high === 0) return [list, EMPTY]
  if (high === n) return [EMPTY, list]
  const lo = new Array<A>((n - high) * width)
  const hi = new Array<A>(high * width)
  let a = 0
  let c = 0
  for (let j = 0; j < n; j++) {
    const toHigh = (idOf(j)[byte] as number) & mask
    for (let s = 0; s < width; s++) {
      if (toHigh) hi[c++] = list[j * width + s] as A
      else lo[a++] = list[j * width + s] as A
    }
  }
  return [lo, hi]
}

/**
 * The two halves of `b` (bit `depth` = 0, then 1); contacts (in their relative positions, so
 * their order is kept), replacements and probe follow their ids. The lower half keeps the
 * parent's prefix (same bits, one more significant), and a list that falls wholly into one half
 * is shared, not copied.
 */
export const split = (b: Bucket): readonly [Bucket, Bucket] => {
  const d = b.depth
  const byte = d >>> 3
  const mask = 0x80 >>> (d & 7)
  const id = (j: number): NodeId.NodeId => idAt(b, j)
  const [lowP, highP] = partition(b.peers, 2, id, byte, mask)
  const [lowH, highH] = partition(b.heads, 1, id, byte, mask)
  const [lowS, highS] = partition(b.seen, 1, id, byte, mask)
  const [lowF, highF] = b.failures.length === 0 ? [EMPTY, EMPTY] : partition(b.failures, 1, id, byte, mask)
  const [lowR, highR] = partition(b.cache, CACHE_STRIDE, (j) => cacheIdAt(b, j), byte, mask)
  const probeHigh = b.probing !== undefined && ((b.probing[byte] as number) & mask) !== 0
  return [
    make(b.prefix, d + 1, lowP, lowH, lowS, sparse(lowF), lowR, b.lastLookup, probeHigh ? undefined : b.probing),
    make(upperPrefix(b.prefix, d + 1), d + 1, highP, highH, highS, sparse(highF), highR, b.lastLookup, probeHigh ? b.probing : undefined),
  ]
}
