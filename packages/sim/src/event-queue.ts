/**
 * The simulator's single priority queue of timed events: a binary min-heap ordered by virtual
 * time, ties broken by insertion order, so two events at the same millisecond are always handled
 * in the order they were scheduled (the run is deterministic). Mutable on purpose: it belongs to
 * the driver, not to the core.
 *
 * An event is four numbers and one reference (a kind, a node, a second node, an optional payload
 * such as the message delivered), held in parallel typed arrays rather than one object per event:
 * pushing allocates nothing once the arrays have grown, and the heap's comparisons read the times
 * and sequence numbers from two dense arrays instead of chasing a pointer per heap slot, which is
 * what a pop costs at 10^5–10^6 pending events (one timer per node).
 */

// model

/** The event a `pop` writes into (one reused object, so popping allocates nothing). */
export interface Popped<P> {
  /** Virtual time in milliseconds. */
  at: number
  kind: number
  node: number
  from: number
  payload: P | undefined
}

export interface EventQueue<P> {
  /**
   * Schedules an event at virtual time `at`; `kind`, `node` and `from` are 32-bit integers, kept
   * as given. Among events with the same `at`, the first pushed is the first popped.
   */
  readonly push: (at: number, kind: number, node: number, from: number, payload: P | undefined) => void
  /** Removes the earliest event into `out`; false (and `out` untouched) when the queue is empty. */
  readonly pop: (out: Popped<P>) => boolean
  /** The time of the earliest event; `Infinity` when the queue is empty. */
  readonly peekAt: () => number
  readonly size: () => number
}

// constructors

/** An empty `Popped` to pass to `pop`. */
export const popped = <P>(): Popped<P> => ({ at: 0, kind: 0, node: 0, from: 0, payload: undefined })

export const make = <P>(initialCapacity = 1024): EventQueue<P> => {
  let cap = Math.max(16, initialCapacity | 0)
  // The heap: position -> (time, sequence, slot). Slot -> payload; free slots on a stack.
  let at = new Float64Array(cap)
  let seq = new Float64Array(cap)
  let slot = new Int32Array(cap)
  let kinds = new Int32Array(cap)
  let nodes = new Int32Array(cap)
  let froms = new Int32Array(cap)
  const payloads: Array<P | undefined> = new Array<P | undefined>(cap).fill(undefined)
  let free = new Int32Array(cap)
  for (let i = 0; i < cap; i++) free[i] = cap - 1 - i
  let freeTop = cap
  let n = 0
  let nextSeq = 0

  const grow = (): void => {
    const old = cap
    cap *= 2
    const widen = <A extends Float64Array | Int32Array>(a: A, make: (c: number) => A): A => {
      const b = make(cap)
      b.set(a)
      return b
    }
    at = widen(at, (c) => new Float64Array(c))
    seq = widen(seq, (c) => new Float64Array(c))
    slot = widen(slot, (c) => new Int32Array(c))
    kinds = widen(kinds, (c) => new Int32Array(c))
    nodes = widen(nodes, (c) => new Int32Array(c))
    froms = widen(froms, (c) => new Int32Array(c))
    for (let i = old; i < cap; i++) payloads.push(undefined)
    // Every old slot is in use (the queue was full): the free stack holds only the new ones.
    free = new Int32Array(cap)
    freeTop = 0
    for (let i = cap - 1; i >= old; i--) free[freeTop++] = i
  }

  const push = (t: number, kind: number, node: number, from: number, payload: P | undefined): void => {
    if (n === cap) grow()
    const s = free[--freeTop] as number
    kinds[s] = kind
    nodes[s] = node
    froms[s] = from
    payloads[s] = payload
    const q = nextSeq++
    // Sift up: move parents down into the hole until the new event's place is found.
    let i = n++
    while (i > 0) {
      const p = (i - 1) >>> 1
      const pa = at[p] as number
      if (pa < t || (pa === t && (seq[p] as number) < q)) break
      at[i] = pa
      seq[i] = seq[p] as number
      slot[i] = slot[p] as number
      i = p
    }
    at[i] = t
    seq[i] = q
    slot[i] = s
  }

  const pop = (out: Popped<P>): boolean => {
    if (n === 0) return false
    const s = slot[0] as number
    out.at = at[0] as number
    out.kind = kinds[s] as number
    out.node = nodes[s] as number
    out.from = froms[s] as number
    out.payload = payloads[s]
    payloads[s] = undefined
    free[freeTop++] = s
    const m = --n
    if (m > 0) {
      // Sift the last event down from the root.
      const t = at[m] as number
      const q = seq[m] as number
      const ls = slot[m] as number
      let i = 0
      for (;;) {
        const l = 2 * i + 1
        if (l >= m) break
        let c = l
        const r = l + 1
        if (r < m) {
          const ra = at[r] as number
          const la = at[l] as number
          if (ra < la || (ra === la && (seq[r] as number) < (seq[l] as number))) c = r
        }
        const ca = at[c] as number
        if (ca > t || (ca === t && (seq[c] as number) > q)) break
        at[i] = ca
        seq[i] = seq[c] as number
        slot[i] = slot[c] as number
        i = c
      }
      at[i] = t
      seq[i] = q
      slot[i] = ls
    }
    return true
  }

  return { push, pop, peekAt: () => (n === 0 ? Infinity : (at[0] as number)), size: () => n }
}
