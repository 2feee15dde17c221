/**
 * The simulator's single priority queue of timed events: a binary min-heap ordered by virtual
 * time, ties broken by insertion order, so two events at the same millisecond are always handled
 * in the order they were scheduled (the run is deterministic). Mutable on purpose: it belongs to
 * the driver, not to the core.
 */

// model

export interface Timed {
  /** Virtual time in milliseconds. */
  at: number
  /** Insertion sequence number, assigned by `push`. */
  seq: number
}

export interface EventQueue<T extends Timed> {
  readonly push: (event: T) => void
  /** The earliest event, removed; `undefined` when empty. */
  readonly pop: () => T | undefined
  readonly peek: () => T | undefined
  readonly size: () => number
}

// constructors

export const make = <T extends Timed>(): EventQueue<T> => {
  const heap: T[] = []
  let seq = 0
  const less = (a: T, b: T): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq)
  const push = (event: T): void => {
    event.seq = seq++
    let i = heap.length
    heap.push(event)
    while (i > 0) {
      const p = (i - 1) >>> 1
      const parent = heap[p] as T
      if (!less(event, parent)) break
      heap[i] = parent
      i = p
    }
    heap[i] = event
  }
  const pop = (): T | undefined => {
    const n = heap.length
    if (n === 0) return undefined
    const top = heap[0] as T
    const last = heap.pop() as T
    if (n > 1) {
      const m = n - 1
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= m) break
        const r = l + 1
        const c = r < m && less(heap[r] as T, heap[l] as T) ? r : l
        const child = heap[c] as T
        if (!less(child, last)) break
        heap[i] = child
        i = c
      }
      heap[i] = last
    }
    return top
  }
  return { push, pop, peek: () => heap[0], size: () => heap.length }
}
