/**
 * An index of node ids sorted in numeric order, so that every id prefix is a contiguous range:
 * the true closest live node to a target (to check lookups) and the sibling subtrees of a node
 * (to prefill routing tables) are found by binary searches instead of scanning every node.
 * Nodes added after the last rebuild sit in an unsorted tail that queries scan; a query rebuilds
 * the sorted part first when the tail has grown past 64 + √n, so joins under churn stay cheap and
 * adding the whole initial population costs one sort, not a merge every √n nodes.
 * The first 32 bits of every id are kept in a typed array in sorted order, so the binary searches
 * of the first 32 levels read one dense array instead of three scattered objects per probe.
 */
import { Distance, NodeId } from '@kademlia-ts/core'

// model

export interface IdIndex {
  readonly add: (node: number) => void
  /** The live node whose id is closest (XOR) to `target`, or -1 if none is live. */
  readonly closest: (target: NodeId.NodeId, live: (node: number) => boolean) => number
  /**
   * The sibling subtrees of `node`: for depth d = 0, 1, … the nodes whose id shares exactly d
   * leading bits with it, as positions [from, to) in `sorted()`; stops when no other node shares
   * d + 1 bits. Rebuilds first if needed.
   */
  readonly siblings: (node: number) => ReadonlyArray<readonly [number, number, number]>
  /** Node numbers in ascending id order (after a rebuild; the tail is merged in). */
  readonly sorted: () => ReadonlyArray<number>
  /** A node whose id equals `id` (the highest node number if several do), or -1. */
  readonly indexOf: (id: NodeId.NodeId) => number
}

// constructors

export const make = (ids: ReadonlyArray<NodeId.NodeId>): IdIndex => {
  let sorted: number[] = []
  let heads = new Uint32Array(0) // heads[p]: the first 32 bits of the id of sorted[p]
  let tail: number[] = []
  const cmp = (a: number, b: number): number => NodeId.compare(ids[a] as NodeId.NodeId, ids[b] as NodeId.NodeId) || a - b
  const head = (id: NodeId.NodeId): number => (((id[0] as number) << 24) | ((id[1] as number) << 16) | ((id[2] as number) << 8) | (id[3] as number)) >>> 0
  const rebuild = (): void => {
    if (tail.length === 0) return
    tail.sort(cmp)
    const merged: number[] = new Array<number>(sorted.length + tail.length)
    let i = 0
    let j = 0
    let o = 0
    while (i < sorted.length && j < tail.length) merged[o++] = cmp(sorted[i] as number, tail[j] as number) <= 0 ? (sorted[i++] as number) : (tail[j++] as number)
    while (i < sorted.length) merged[o++] = sorted[i++] as number
    while (j < tail.length) merged[o++] = tail[j++] as number
    sorted = merged
    tail = []
    heads = new Uint32Array(sorted.length)
    for (let p = 0; p < sorted.length; p++) heads[p] = head(ids[sorted[p] as number] as NodeId.NodeId)
  }
  const rebuildIfLong = (): void => {
    if (tail.length > 64 + Math.sqrt(sorted.length)) rebuild()
  }
  const add = (node: number): void => {
    tail.push(node)
  }
  /** First position in [lo, hi) whose id has bit `b` set (ids in the range share bits < b). */
  const splitAt = (lo: number, hi: number, b: number): number => {
    if (b < 32) {
      const shift = 31 - b
      while (lo < hi) {
        const mid = (lo + hi) >>> 1
        if ((((heads[mid] as number) >>> shift) & 1) === 1) hi = mid
        else lo = mid + 1
      }
      return lo
    }
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (NodeId.bit(ids[sorted[mid] as number] as NodeId.NodeId, b) === 1) hi = mid
      else lo = mid + 1
    }
    return lo
  }
  const bestIn = (lo: number, hi: number, b: number, target: NodeId.NodeId, live: (n: number) => boolean): number => {
    if (hi - lo <= 8 || b >= NodeId.BITS) {
      let best = -1
      for (let p = lo; p < hi; p++) {
        const n = sorted[p] as number
        if (live(n) && (best < 0 || Distance.compareTo(target, ids[n] as NodeId.NodeId, ids[best] as NodeId.NodeId) < 0)) best = n
      }
      return best
    }
    const m = splitAt(lo, hi, b)
    const [near, far] = NodeId.bit(target, b) === 0 ? [[lo, m], [m, hi]] : [[m, hi], [lo, m]]
    const a = near[0] as number < (near[1] as number) ? bestIn(near[0] as number, near[1] as number, b + 1, target, live) : -1
    if (a >= 0) return a
    return (far[0] as number) < (far[1] as number) ? bestIn(far[0] as number, far[1] as number, b + 1, target, live) : -1
  }
  const closest = (target: NodeId.NodeId, live: (n: number) => boolean): number => {
    rebuildIfLong()
    let best = bestIn(0, sorted.length, 0, target, live)
    for (const n of tail) {
      if (live(n) && (best < 0 || Distance.compareTo(target, ids[n] as NodeId.NodeId, ids[best] as NodeId.NodeId) < 0)) best = n
    }
    return best
  }
  const siblings = (node: number): ReadonlyArray<readonly [number, number, number]> => {
    rebuild()
    const self = ids[node] as NodeId.NodeId
    const out: Array<readonly [number, number, number]> = []
    let lo = 0
    let hi = sorted.length
    for (let d = 0; d < NodeId.BITS && hi - lo > 1; d++) {
      const m = splitAt(lo, hi, d)
      if (NodeId.bit(self, d) === 0) {
        if (m < hi) out.push([d, m, hi])
        hi = m
      } else {
        if (lo < m) out.push([d, lo, m])
        lo = m
      }
    }
    return out
  }
  const indexOf = (id: NodeId.NodeId): number => {
    rebuildIfLong()
    // The last sorted position whose id is ≤ id (equal ids are ordered by node number).
    let lo = 0
    let hi = sorted.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (NodeId.compare(ids[sorted[mid] as number] as NodeId.NodeId, id) <= 0) lo = mid + 1
      else hi = mid
    }
    let found = lo > 0 && NodeId.equals(ids[sorted[lo - 1] as number] as NodeId.NodeId, id) ? (sorted[lo - 1] as number) : -1
    for (const n of tail) if (n > found && NodeId.equals(ids[n] as NodeId.NodeId, id)) found = n
    return found
  }
  return {
    add,
    closest,
    siblings,
    indexOf,
    sorted: () => {
      rebuild()
      return sorted
    },
  }
}
