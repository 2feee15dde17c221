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
  make(new Uint8Array(NodeId.BYTES) as NodeId.NodeId, 0, [], [], at, undefined)

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
  if (bound <= 0) return list.length === 0 ? list : []
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

/** The two halves of `b` (bit `depth` = 0, then 1); contacts, replacements and probe follow their ids. */
export const split = (b: Bucket): readonly [Bucket, Bucket] => {
  const d = b.depth
  const byte = d >>> 3
  const mask = 0x80 >>> (d & 7)
  const highPrefix = Uint8Array.from(b.prefix) as NodeId.NodeId
  highPrefix[byte] = (highPrefix[byte] as number) | mask
  const lowC: Contact[] = []
  const highC: Contact[] = []
  for (const c of b.contacts) ((c.id[byte] as number) & mask ? highC : lowC).push(c)
  const lowR: Contact[] = []
  const highR: Contact[] = []
  for (const c of b.replacements) ((c.id[byte] as number) & mask ? highR : lowR).push(c)
  const probeHigh = b.probing !== undefined && ((b.probing[byte] as number) & mask) !== 0
  return [
    make(b.prefix, d + 1, lowC, lowR, b.lastLookup, probeHigh ? undefined : b.probing),
    make(highPrefix, d + 1, highC, highR, b.lastLookup, probeHigh ? b.probing : undefined),
  ]
}
