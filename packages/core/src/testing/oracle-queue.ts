/**
 * The oracle network's agenda: a binary min-heap of timed entries ordered by instant, then by a
 * seeded random rank (so simultaneous deliveries happen in a seeded order, not in send order),
 * then by a sequence number (so the order is total and replays exactly).
 *
 * `push` and `pop` work in place on an array the caller owns: the network copies its agenda once
 * per call, works on the copy and hands back a new network, so no network value is ever mutated.
 */
import type { Message } from '../rpc/message.js'
import type { Instant } from '../time.js'

// model

/** A message in flight from node `from` to node `to`, delivered at `at`. */
export interface Delivery {
  readonly _tag: 'Delivery'
  readonly at: Instant
  readonly rank: number
  readonly seq: number
  readonly from: number
  readonly to: number
  readonly message: Message
}

/** Node `node`'s timer, armed for `at`; stale once the node's deadline has moved. */
export interface Timer {
  readonly _tag: 'Timer'
  readonly at: Instant
  readonly rank: number
  readonly seq: number
  readonly node: number
}

export type Entry = Delivery | Timer

// queries

const before = (a: Entry, b: Entry): boolean =>
  a.at !== b.at ? a.at < b.at : a.rank !== b.rank ? a.rank < b.rank : a.seq < b.seq

export const peek = (heap: ReadonlyArray<Entry>): Entry | undefined => heap[0]

// transitions (in place, on the caller's own array)

export const push = (heap: Entry[], entry: Entry): void => {
  let i = heap.length
  heap.push(entry)
  while (i > 0) {
    const parent = (i - 1) >>> 1
    const p = heap[parent] as Entry
    if (!before(entry, p)) break
    heap[i] = p
    i = parent
  }
  heap[i] = entry
}

export const pop = (heap: Entry[]): Entry | undefined => {
  const top = heap[0]
  const last = heap.pop()
  if (top === undefined || last === undefined || heap.length === 0) return top
  const n = heap.length
  let i = 0
  while (true) {
    const l = 2 * i + 1
    if (l >= n) break
    const r = l + 1
    const c = r < n && before(heap[r] as Entry, heap[l] as Entry) ? r : l
    if (!before(heap[c] as Entry, last)) break
    heap[i] = heap[c] as Entry
    i = c
  }
  heap[i] = last
  return top
}

/** Keeps the entries `keep` accepts and restores the heap order (Floyd's heapify, linear). */
export const filter = (heap: ReadonlyArray<Entry>, keep: (e: Entry) => boolean): Entry[] => {
  const out = heap.filter(keep)
  for (let start = (out.length >>> 1) - 1; start >= 0; start--) {
    const item = out[start] as Entry
    let i = start
    while (true) {
      const l = 2 * i + 1
      if (l >= out.length) break
      const r = l + 1
      const c = r < out.length && before(out[r] as Entry, out[l] as Entry) ? r : l
      if (!before(out[c] as Entry, item)) break
      out[i] = out[c] as Entry
      i = c
    }
    out[i] = item
  }
  return out
}
