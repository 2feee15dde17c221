/**
 * The ids of an oracle network, sorted once so that every prefix of the id space is a contiguous
 * range: brute-force "true k closest" queries and cheap, well-converged routing tables for
 * networks too large to join through the protocol.
 *
 * The table a node gets from `converged` is the one Kademlia converges to (paper §2.2, §2.4): for
 * every depth d, at most k contacts among the nodes whose id shares exactly d leading bits with
 * ours (the sibling subtree of our bucket at depth d): all of them when there are at most k,
 * otherwise the ones closest to us that belong to our true k closest, then a seeded random sample.
 * Every node thus knows its true k closest, and no bucket overflows.
 */
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import * as Prng from '../prng.js'

// model

export interface Universe {
  /** The ids, by node index. */
  readonly ids: ReadonlyArray<NodeId.NodeId>
  /** Node indices in ascending id order. */
  readonly sorted: ReadonlyArray<number>
}

// constructors

export const of = (ids: ReadonlyArray<NodeId.NodeId>): Universe => {
  const sorted = ids.map((_, i) => i)
  sorted.sort((a, b) => NodeId.compare(ids[a] as NodeId.NodeId, ids[b] as NodeId.NodeId) || a - b)
  return { ids, sorted }
}

// queries

/** Compares the first `bits` bits of `a` and `b` (big-endian); 0 when they agree. */
const comparePrefix = (a: NodeId.NodeId, b: NodeId.NodeId, bits: number): number => {
  const full = bits >>> 3
  for (let i = 0; i < full; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  const rest = bits & 7
  if (rest === 0) return 0
  const mask = (0xff << (8 - rest)) & 0xff
  return ((a[full] as number) & mask) - ((b[full] as number) & mask)
}

/** First position in `sorted` whose id's `bits`-prefix compares `>= 0` (or `> 0`) to `p`'s. */
const bound = (u: Universe, p: NodeId.NodeId, bits: number, strict: boolean): number => {
  let lo = 0
  let hi = u.sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const c = comparePrefix(u.ids[u.sorted[mid] as number] as NodeId.NodeId, p, bits)
    if (c < 0 || (strict && c === 0)) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The positions [from, to) in `sorted` of the ids whose first `bits` bits equal those of `p`. */
export const prefixRange = (u: Universe, p: NodeId.NodeId, bits: number): readonly [number, number] => [
  bound(u, p, bits, false),
  bound(u, p, bits, true),
]

const flipBit = (id: NodeId.NodeId, index: number): NodeId.NodeId => {
  const out = Uint8Array.from(id)
  out[index >>> 3] = (out[index >>> 3] as number) ^ (0x80 >>> (index & 7))
  return out as NodeId.NodeId
}

/**
 * Brute force: the `n` indices among `candidates` whose ids are closest to `target`, ascending by
 * XOR distance (ties, which only equal ids make, by index).
 */
export const closestAmong = (
  u: Universe,
  candidates: ReadonlyArray<number>,
  target: NodeId.NodeId,
  n: number,
): ReadonlyArray<number> => {
  const sorted = candidates.slice()
  sorted.sort(
    (a, b) => Distance.compareTo(target, u.ids[a] as NodeId.NodeId, u.ids[b] as NodeId.NodeId) || a - b,
  )
  return sorted.slice(0, Math.max(0, n))
}

/** Adds `count` distinct entries of `at(0)..at(size - 1)` to `chosen` (Floyd's sampling: exactly `count` draws). */
const sample = (
  size: number,
  at: (i: number) => number,
  count: number,
  chosen: Set<number>,
  prng: Prng.Prng,
): Prng.Prng => {
  let g = prng
  for (let j = size - count; j < size; j++) {
    const [r, next] = Prng.nextInt(g, 0, j)
    g = next
    const pick = at(r)
    chosen.add(chosen.has(pick) ? at(j) : pick)
  }
  return g
}

/**
 * The contacts node `self` holds in a converged network (see the module comment), farthest
 * bucket first, as node indices. Deterministic in `prng`; the cost per node is about
 * k · log2(n / k) draws, not n.
 */
export const converged = (
  u: Universe,
  self: number,
  bucketSize: number,
  prng: Prng.Prng,
): readonly [ReadonlyArray<number>, Prng.Prng] => {
  const id = u.ids[self] as NodeId.NodeId
  // Sibling subtrees (as ranges of `sorted`), from depth 0 down to where our own subtree holds only us.
  const levels: Array<readonly [number, number]> = []
  for (let depth = 0; depth < NodeId.BITS; depth++) {
    levels.push(prefixRange(u, flipBit(id, depth), depth + 1))
    const [ownFrom, ownTo] = prefixRange(u, id, depth + 1)
    if (ownTo - ownFrom <= 1) break
  }
  const out: number[] = []
  let g = prng
  // How many of our true k closest each level still has to supply, deepest level first.
  let deeper = 0
  const need = new Array<number>(levels.length).fill(0)
  for (let d = levels.length - 1; d >= 0; d--) {
    const [from, to] = levels[d] as readonly [number, number]
    need[d] = Math.max(0, Math.min(to - from, bucketSize - deeper))
    deeper += to - from
  }
  for (let d = 0; d < levels.length; d++) {
    const [from, to] = levels[d] as readonly [number, number]
    const size = to - from
    if (size <= bucketSize) {
      for (let p = from; p < to; p++) out.push(u.sorted[p] as number)
      continue
    }
    const chosen = new Set<number>()
    if ((need[d] as number) === 0) {
      g = sample(size, (i) => u.sorted[from + i] as number, bucketSize, chosen, g)
    } else {
      const members = u.sorted.slice(from, to)
      for (const c of closestAmong(u, members, id, need[d] as number)) chosen.add(c)
      const rest = members.filter((i) => !chosen.has(i))
      g = sample(rest.length, (i) => rest[i] as number, bucketSize - chosen.size, chosen, g)
    }
    out.push(...chosen)
  }
  return [out, g]
}
