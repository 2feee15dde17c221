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

/** Index of the contact with this id in `list`, or -1. Allocates nothing. */
export const indexOf = (list: ReadonlyArray<Contact>, id: NodeId.NodeId): number => {
  const first = id[0]
  for (let i = 0; i < list.length; i++) {
    const c = (list[i] as Contact).id
    if (c[0] === first && NodeId.equals(c, id)) return i
  }
  return -1
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

/** `list` without index `remove` (-1: none), with `c` inserted by last seen. */
export const replaceByLastSeen = (list: ReadonlyArray<Contact>, remove: number, c: Contact): ReadonlyArray<Contact> =>
  insertByLastSeen(remove < 0 ? list : without(list, remove), c)

/**
 * The replacement cache with `c` at the front (most recent), any older entry for the same id
 * dropped, and the oldest dropped past `bound` (paper §4.1).
 */
export const pushReplacement = (list: ReadonlyArray<Contact>, c: Contact, bound: number): ReadonlyArray<Contact> => {
  if (bound <= 0) return list.length === 0 ? list : []
  const old = indexOf(list, c.id)
  const out: Contact[] = [c]
  for (let j = 0; j < list.length && out.length < bound; j++) if (j !== old) out.push(list[j] as Contact)
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
