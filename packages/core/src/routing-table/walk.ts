/**
 * Walks of the prefix tree whose leaves are a table's buckets.
 *
 * The buckets are the leaves of a binary trie over id bits, kept in id order. The ids of a leaf of
 * depth d share their first d bits, so their XOR distances to any target share the first d bits of
 * `prefix ⊕ target`: each leaf's distances form one interval, and the intervals of different
 * leaves are disjoint (paper §2.1, unidirectionality). Visiting the subtree on the target's side of
 * each bit first therefore visits the leaves in increasing distance from the target, which is what
 * makes `closest` exact while reading only the few buckets it needs.
 *
 * The trie is implicit: the leaves in `[lo, hi)` of the id-ordered array below a node of depth d
 * hold 0 at bit d first, then 1, so a binary search finds where a node's two children meet.
 */
import * as NodeId from '../id/node-id.js'
import type { Bucket } from './bucket.js'
import { HEAD_BITS, head } from './head.js'

// queries

/**
 * The first index in `[lo, hi)` whose bucket prefix has bit `depth` set (`hi` if none). Reads the
 * `heads` (first 30 bits of each prefix) for the shallow bits, the prefixes only below.
 */
const firstWithBit = (
  buckets: ReadonlyArray<Bucket>,
  heads: ReadonlyArray<number>,
  lo: number,
  hi: number,
  depth: number,
): number => {
  let a = lo
  let b = hi
  if (depth < HEAD_BITS) {
    const bit = 1 << (HEAD_BITS - 1 - depth)
    while (a < b) {
      const m = (a + b) >>> 1
      if ((heads[m] as number) & bit) b = m
      else a = m + 1
    }
    return a
  }
  const byte = depth >>> 3
  const mask = 0x80 >>> (depth & 7)
  while (a < b) {
    const m = (a + b) >>> 1
    if (((buckets[m] as Bucket).prefix[byte] as number) & mask) b = m
    else a = m + 1
  }
  return a
}

const walk = (
  buckets: ReadonlyArray<Bucket>,
  heads: ReadonlyArray<number>,
  target: NodeId.NodeId,
  visit: (b: Bucket, index: number) => boolean,
  lo: number,
  hi: number,
  depth: number,
): boolean => {
  // Bounded: `depth` grows by one per level and a leaf has depth at most 160.
  if (hi - lo === 1 || depth >= NodeId.BITS) {
    for (let i = lo; i < hi; i++) if (visit(buckets[i] as Bucket, i)) return true
    return false
  }
  const mid = firstWithBit(buckets, heads, lo, hi, depth)
  const byte = depth >>> 3
  const mask = 0x80 >>> (depth & 7)
  if ((target[byte] as number) & mask) {
    return (mid < hi && walk(buckets, heads, target, visit, mid, hi, depth + 1)) ||
      (lo < mid && walk(buckets, heads, target, visit, lo, mid, depth + 1))
  }
  return (lo < mid && walk(buckets, heads, target, visit, lo, mid, depth + 1)) ||
    (mid < hi && walk(buckets, heads, target, visit, mid, hi, depth + 1))
}

/**
 * Calls `visit` on each bucket (and its index) in increasing XOR distance of its range from `target`, until
 * `visit` returns true (then returns true) or every bucket was visited (then false). `heads` are
 * the table's (see `head`).
 */
export const byDistance = (
  buckets: ReadonlyArray<Bucket>,
  heads: ReadonlyArray<number>,
  target: NodeId.NodeId,
  visit: (b: Bucket, index: number) => boolean,
): boolean => walk(buckets, heads, target, visit, 0, buckets.length, 0)

export { HEAD_BITS, head } from './head.js'

/**
 * Index of the bucket whose range holds `id`, by the buckets' `heads` (see `head`): the last one
 * whose prefix is not above `id`. Binary search over one array of small integers, with a full
 * comparison only between equal heads; allocates nothing. `h` must be `head(id)`: a caller that
 * has it already passes it, so that the id's bytes are not read again.
 */
export const indexOfHead = (
  buckets: ReadonlyArray<Bucket>,
  heads: ReadonlyArray<number>,
  id: NodeId.NodeId,
  h: number = head(id),
): number => {
  let a = 0
  let b = heads.length - 1
  while (a < b) {
    const m = (a + b + 1) >>> 1
    const hm = heads[m] as number
    if (hm < h || (hm === h && NodeId.compare((buckets[m] as Bucket).prefix, id) <= 0)) a = m
    else b = m - 1
  }
  return a
}
