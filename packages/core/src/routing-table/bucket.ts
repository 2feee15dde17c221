/**
 * A k-bucket: one leaf of the routing table's prefix tree (paper §2.2, §2.4). It covers the ids
 * whose first `depth` bits equal those of `prefix`, holds at most k contacts ordered
 * least-recently seen first, and a bounded replacement cache ordered most-recently seen first
 * (§4.1).
 *
 * These helpers never mutate: each returns a new bucket and shares the untouched arrays and
 * contacts with the old one.
 */
import * as NodeId from '../id/node-id.js'
import type { Instant } from '../time.js'
import type { Contact } from './contact.js'

// model

export interface Bucket {
  /** First `depth` bits significant, the rest zero: the lowest id of the bucket's range. */
  readonly prefix: NodeId.NodeId
  /** 0..160: how many leading bits every id in the bucket shares with `prefix`. */
  readonly depth: number
  /** At most k, least-recently seen first (paper §2.2). */
  readonly contacts: ReadonlyArray<Contact>
  /** At most `replacementCacheSize`, most-recently seen first (paper §4.1). */
  readonly replacements: ReadonlyArray<Contact>
  /** The last lookup that touched this bucket's range: its refresh clock (paper §2.3). */
  readonly lastLookup: Instant
  /** The least-recently seen contact the driver was asked to ping, while that ping is pending. */
  readonly probing: NodeId.NodeId | undefined
}

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
 * The one empty list every empty contact list or replacement cache points at (never mutated, as
 * no list a bucket holds ever is): an empty array of its own costs 32 bytes.
 */
export const EMPTY: ReadonlyArray<Contact> = []

/** Always builds the fields in the same order, so every bucket shares one hidden class. */
export const make = (
  prefix: NodeId.NodeId,
  depth: number,
  contacts: ReadonlyArray<Contact>,
  replacements: ReadonlyArray<Contact>,
  lastLookup: Instant,
  probing: NodeId.NodeId | undefined,
): Bucket => ({ prefix, depth, contacts, replacements, lastLookup, probing })

/** The single bucket of an empty table: the whole id space. */
export const root = (at: Instant): Bucket =>
  make(SHARED_PREFIXES[0] as NodeId.NodeId, 0, EMPTY, EMPTY, at, undefined)

// queries

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

/**
 * The byte to test first when looking for an id among a bucket's contacts: they all share the
 * first `depth` bits, so byte `depth / 8` is the first that tells them apart.
 */
export const keyByte = (depth: number): number => (depth >= NodeId.BITS ? NodeId.BYTES - 1 : depth >>> 3)

/** Index of the contact with this id in `list`, or -1. Allocates nothing. */
export const indexOf = (list: ReadonlyArray<Contact>, id: NodeId.NodeId, key = 0): number => {
  const first = id[key]
  for (let i = 0; i < list.length; i++) {
    const c = (list[i] as Contact).id
    if (c[key] === first && NodeId.equals(c, id)) return i
  }
  return -1
}

/**
 * One pass over `list` for `observe`: the index of `id` when present; otherwise `-1`, or
 * `-2 - j` when contact `j` is the first with at least `staleAfterFailures` failures.
 */
export const lookup = (list: ReadonlyArray<Contact>, id: NodeId.NodeId, staleAfterFailures: number, key: number): number => {
  const first = id[key]
  let stale = -1
  for (let i = 0; i < list.length; i++) {
    const c = list[i] as Contact
    const cid = c.id
    if (cid[key] === first && NodeId.equals(cid, id)) return i
    if (stale < 0 && c.failures >= staleAfterFailures) stale = i
  }
  return stale < 0 ? -1 : -2 - stale
}

export const isFull = (b: Bucket, bucketSize: number): boolean => b.contacts.length >= bucketSize

/** The first contact with at least `staleAfterFailures` failures, least-recently seen first, or -1. */
export const indexOfStale = (b: Bucket, staleAfterFailures: number): number => {
  const cs = b.contacts
  for (let i = 0; i < cs.length; i++) if ((cs[i] as Contact).failures >= staleAfterFailures) return i
  return -1
}

// transitions (each returns a new array or bucket)

/** `list` without index `i`. */
export const without = <A>(list: ReadonlyArray<A>, i: number): ReadonlyArray<A> => {
  if (list.length === 1) return EMPTY as ReadonlyArray<never>
  const out = new Array<A>(list.length - 1)
  for (let j = 0; j < i; j++) out[j] = list[j] as A
  for (let j = i + 1; j < list.length; j++) out[j - 1] = list[j] as A
  return out
}

/**
 * `list` (least-recently seen first) with `c` inserted after every contact seen no later than it:
 * at the tail when `c` was just heard from, which is the paper's "move to the tail" (§2.2), and in
 * its place when an older replacement is promoted, so the order by `lastSeen` always holds.
 */
export const insertByLastSeen = (list: ReadonlyArray<Contact>, c: Contact): ReadonlyArray<Contact> => {
  let at = list.length
  while (at > 0 && (list[at - 1] as Contact).lastSeen > c.lastSeen) at--
  const out = new Array<Contact>(list.length + 1)
  for (let j = 0; j < at; j++) out[j] = list[j] as Contact
  out[at] = c
  for (let j = at; j < list.length; j++) out[j + 1] = list[j] as Contact
  return out
}

/**
 * `list` without index `remove` (-1: none), with `c` inserted by last seen: one new array, and
 * in the common case (`c` seen last) a straight copy with `c` at the tail.
 */
export const replaceByLastSeen = (list: ReadonlyArray<Contact>, remove: number, c: Contact): ReadonlyArray<Contact> => {
  if (remove < 0) return insertByLastSeen(list, c)
  const n = list.length
  const lastKept = list[remove === n - 1 ? n - 2 : n - 1]
  if (lastKept === undefined || lastKept.lastSeen <= c.lastSeen) {
    const out = new Array<Contact>(n)
    let k = 0
    for (let j = 0; j < n; j++) if (j !== remove) out[k++] = list[j] as Contact
    out[n - 1] = c
    return out
  }
  return insertByLastSeen(without(list, remove), c)
}

/**
 * The replacement cache with `c` at the front (most recent), any older entry for the same id
 * dropped, and the oldest dropped past `bound` (paper §4.1). One pass.
 */
export const pushReplacement = (list: ReadonlyArray<Contact>, c: Contact, bound: number, key = 0): ReadonlyArray<Contact> => {
  if (bound <= 0) return EMPTY
  const size = list.length < bound ? list.length + 1 : bound
  const out = new Array<Contact>(size)
  out[0] = c
  const id = c.id
  const first = id[key]
  let k = 1
  for (let j = 0; j < list.length && k < size; j++) {
    const e = list[j] as Contact
    if (e.id[key] === first && NodeId.equals(e.id, id)) continue
    out[k++] = e
  }
  if (k < size) out.length = k
  return out
}

/** `list` split by bit `depth` of the ids: exact-size arrays (no push slack), `EMPTY` for none. */
const partition = (list: ReadonlyArray<Contact>, byte: number, mask: number): readonly [ReadonlyArray<Contact>, ReadonlyArray<Contact>] => {
  let high = 0
  for (let j = 0; j < list.length; j++) if (((list[j] as Contact).id[byte] as number) & mask) high++
  if (high === 0) return [list, EMPTY]
  if (high === list.length) return [EMPTY, list]
  const lo = new Array<Contact>(list.length - high)
  const hi = new Array<Contact>(high)
  let a = 0
  let b = 0
  for (let j = 0; j < list.length; j++) {
    const c = list[j] as Contact
    if ((c.id[byte] as number) & mask) hi[b++] = c
    else lo[a++] = c
  }
  return [lo, hi]
}

/**
 * The two halves of `b` (bit `depth` = 0, then 1); contacts, replacements and probe follow their
 * ids. The lower half keeps the parent's prefix (same bits, one more significant), and a list that
 * falls wholly into one half is shared, not copied.
 */
export const split = (b: Bucket): readonly [Bucket, Bucket] => {
  const d = b.depth
  const byte = d >>> 3
  const mask = 0x80 >>> (d & 7)
  const [lowC, highC] = partition(b.contacts, byte, mask)
  const [lowR, highR] = partition(b.replacements, byte, mask)
  const probeHigh = b.probing !== undefined && ((b.probing[byte] as number) & mask) !== 0
  return [
    make(b.prefix, d + 1, lowC, lowR, b.lastLookup, probeHigh ? undefined : b.probing),
    make(upperPrefix(b.prefix, d + 1), d + 1, highC, highR, b.lastLookup, probeHigh ? b.probing : undefined),
  ]
}
