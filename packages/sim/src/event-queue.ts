/**
 * The simulator's single priority queue of timed events, ordered by virtual time, ties broken by
 * insertion order, so two events at the same millisecond are always handled in the order they
 * were scheduled (the run is deterministic). Mutable on purpose: it belongs to the driver, not to
 * the core.
 *
 * Layout, for speed at 10^5–10^6 pending events:
 * - An event is four numbers and one reference (a kind, a node, a second node, an optional
 *   payload such as the message delivered) held in parallel arrays indexed by a slot, not one
 *   object per event: pushing allocates nothing once the arrays have grown.
 * - Two binary min-heaps of (time, sequence, slot) in typed arrays: a small *near* heap of the
 *   events before a horizon `T` and a *far* heap of the others. Most pending events are timers
 *   due minutes to hours ahead (one per node, plus the superseded ones the engine skips when they
 *   come up), while most pops are deliveries and timeouts due within a second: popping from the
 *   near heap costs a few levels in the CPU cache instead of ~17 levels of cache misses in a heap
 *   of 10^5 timers. When the near heap runs dry, `T` moves to the earliest far event plus
 *   `WINDOW` ms and every far event before `T` moves to the near heap.
 * Invariant: every near event is before `T` and every far event at or after it, so the near
 * heap's minimum (by time, then sequence) is the queue's minimum: the order is exactly that of a
 * single heap.
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

/** Width of the near heap's time window, in virtual ms, when it is refilled from the far heap. */
export const WINDOW = 1000

// A binary min-heap of (time, sequence, slot); `n` entries, arrays replaced when they grow.
interface Heap {
  at: Float64Array
  seq: Float64Array
  slot: Int32Array
  n: number
}

const heap = (capacity: number): Heap => ({ at: new Float64Array(capacity), seq: new Float64Array(capacity), slot: new Int32Array(capacity), n: 0 })

const grow = (h: Heap): void => {
  const at = new Float64Array(h.at.length * 2)
  const seq = new Float64Array(h.at.length * 2)
  const slot = new Int32Array(h.at.length * 2)
  at.set(h.at)
  seq.set(h.seq)
  slot.set(h.slot)
  h.at = at
  h.seq = seq
  h.slot = slot
}

const insert = (h: Heap, t: number, q: number, s: number): void => {
  if (h.n === h.at.length) grow(h)
  const at = h.at
  const seq = h.seq
  const slot = h.slot
  // Sift up: move parents down into the hole until the new entry's place is found.
  let i = h.n++
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

/** Drops the root (the caller has read it): the last entry sifts down from the top. */
const removeRoot = (h: Heap): void => {
  const m = --h.n
  if (m === 0) return
  const at = h.at
  const seq = h.seq
  const slot = h.slot
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

// constructors

/** An empty `Popped` to pass to `pop`. */
export const popped = <P>(): Popped<P> => ({ at: 0, kind: 0, node: 0, from: 0, payload: undefined })

export const make = <P>(initialCapacity = 1024): EventQueue<P> => {
  let cap = Math.max(16, initialCapacity | 0)
  const near = heap(1024)
  const far = heap(cap)
  let horizon = -Infinity // T: near events are before it, far events at or after it
  // Slot -> event; free slots on a stack.
  let kinds = new Int32Array(cap)
  let nodes = new Int32Array(cap)
  let froms = new Int32Array(cap)
  const payloads: Array<P | undefined> = new Array<P | undefined>(cap).fill(undefined)
  let free = new Int32Array(cap)
  for (let i = 0; i < cap; i++) free[i] = cap - 1 - i
  let freeTop = cap
  let nextSeq = 0

  const growSlots = (): void => {
    const old = cap
    cap *= 2
    const k = new Int32Array(cap)
    const n = new Int32Array(cap)
    const f = new Int32Array(cap)
    k.set(kinds)
    n.set(nodes)
    f.set(froms)
    kinds = k
    nodes = n
    froms = f
    for (let i = old; i < cap; i++) payloads.push(undefined)
    // Every old slot is in use (none was free): the free stack holds only the new ones.
    free = new Int32Array(cap)
    freeTop = 0
    for (let i = cap - 1; i >= old; i--) free[freeTop++] = i
  }

  const push = (t: number, kind: number, node: number, from: number, payload: P | undefined): void => {
    if (freeTop === 0) growSlots()
    const s = free[--freeTop] as number
    kinds[s] = kind
    nodes[s] = node
    froms[s] = from
    payloads[s] = payload
    insert(t < horizon ? near : far, t, nextSeq++, s)
  }

  /** Refills the near heap when it is empty: moves the horizon past the earliest far event. */
  const refill = (): void => {
    if (near.n > 0 || far.n === 0) return
    horizon = (far.at[0] as number) + WINDOW
    while (far.n > 0 && (far.at[0] as number) < horizon) {
      insert(near, far.at[0] as number, far.seq[0] as number, far.slot[0] as number)
      removeRoot(far)
    }
  }

  const pop = (out: Popped<P>): boolean => {
    if (near.n === 0) {
      refill()
      if (near.n === 0) return false
    }
    const s = near.slot[0] as number
    out.at = near.at[0] as number
    out.kind = kinds[s] as number
    out.node = nodes[s] as number
    out.from = froms[s] as number
    out.payload = payloads[s]
    payloads[s] = undefined
    free[freeTop++] = s
    removeRoot(near)
    return true
  }

  const peekAt = (): number => {
    if (near.n === 0) refill()
    return near.n === 0 ? Infinity : (near.at[0] as number)
  }

  return { push, pop, peekAt, size: () => near.n + far.n }
}
