/**
 * A small deterministic driver of many `Node`s for the reducer's own tests: a time-ordered queue
 * of deliveries and ticks, fixed latency, optional dead nodes, explicit time. Node i has address
 * `n<i>`. Every loop is bounded by `maxEvents`. (The testing kit's OracleNetwork is the general
 * one; this one is deliberately tiny so the tests depend on nothing but `Node`.)
 */
import { Address, Config, Node, NodeId, Prng, Time } from '@kademlia-ts/core'
import type { Effect, Event, NodeState, OpId, Outcome } from '@kademlia-ts/core'

type Instant = ReturnType<typeof Time.instant>

interface Item {
  readonly at: number
  readonly seq: number
  readonly node: number
  readonly event: Event | 'tick'
}

export interface Harness {
  readonly config: Config.Config
  readonly nodes: NodeState[]
  readonly dead: Set<number>
  readonly armed: Array<number | undefined>
  readonly queue: Item[]
  readonly outcomes: Map<number, Outcome>
  readonly log: Array<{ readonly node: number; readonly effect: Effect }>
  now: number
  seq: number
  nextOp: number
  latency: number
  /** Messages sent (Send effects), for cost checks. */
  sent: number
}

export const address = (i: number): Address.Address => Address.of(`n${i}`)
const indexOf = (a: string): number => (a.startsWith('n') ? Number(a.slice(1)) : -1)

export const ids = (size: number, seed: number): NodeId.NodeId[] => {
  let prng = Prng.fromSeed(seed)
  const out: NodeId.NodeId[] = []
  for (let i = 0; i < size; i++) {
    const [id, next] = NodeId.random(prng)
    prng = next
    out.push(id)
  }
  return out
}

export const create = (opts: {
  size: number
  seed: number
  config?: Partial<Config.Config>
  latency?: number
  ids?: NodeId.NodeId[]
}): Harness => {
  const config = { ...Config.defaults, ...opts.config }
  const idList = opts.ids ?? ids(opts.size, opts.seed)
  return {
    config,
    nodes: idList.map((id, i) => Node.init(config, { id, seed: opts.seed * 1000 + i, at: Time.instant(0) })),
    dead: new Set(),
    armed: idList.map(() => undefined),
    queue: [],
    outcomes: new Map(),
    log: [],
    now: 0,
    seq: 0,
    nextOp: 1,
    latency: opts.latency ?? 10,
    sent: 0,
  }
}

const push = (h: Harness, item: Omit<Item, 'seq'>): void => {
  const it = { ...item, seq: h.seq++ }
  // insert keeping (at, seq) order; binary search
  let lo = 0
  let hi = h.queue.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    const q = h.queue[mid] as Item
    if (q.at < it.at || (q.at === it.at && q.seq < it.seq)) lo = mid + 1
    else hi = mid
  }
  h.queue.splice(lo, 0, it)
}

/** Steps node `i` with `event` and carries out its effects. */
export const deliver = (h: Harness, i: number, event: Event): ReadonlyArray<Effect> => {
  const { state, effects } = Node.step(h.nodes[i] as NodeState, event)
  h.nodes[i] = state
  for (const effect of effects) {
    h.log.push({ node: i, effect })
    if (effect._tag === 'Send') {
      h.sent++
      const to = indexOf(effect.to)
      if (to >= 0 && to < h.nodes.length && !h.dead.has(to))
        push(h, { at: h.now + h.latency, node: to, event: { _tag: 'MessageReceived', at: Time.instant(h.now + h.latency), from: address(i), message: effect.message } })
    } else if (effect._tag === 'Complete') h.outcomes.set(effect.opId, effect.outcome)
  }
  arm(h, i)
  return effects
}

const arm = (h: Harness, i: number): void => {
  const d = Node.nextDeadline(h.nodes[i] as NodeState)
  if (d === h.armed[i]) return
  h.armed[i] = d
  if (d !== undefined) push(h, { at: Math.max(d, h.now), node: i, event: 'tick' })
}

/** Issues a command at node `i` now; returns its opId. */
export const command = (h: Harness, i: number, cmd: Record<string, unknown> & { _tag: string }): OpId => {
  const opId = h.nextOp++ as OpId
  deliver(h, i, { ...cmd, opId, at: Time.instant(h.now) } as unknown as Event)
  return opId
}

/** Processes queued items up to time `until` (inclusive) or until `done()`; at most `maxEvents`. */
export const run = (h: Harness, opts: { until?: number; done?: () => boolean; maxEvents?: number } = {}): number => {
  const max = opts.maxEvents ?? 1_000_000
  let n = 0
  while (n < max && h.queue.length > 0) {
    if (opts.done?.()) break
    const item = h.queue[0] as Item
    if (opts.until !== undefined && item.at > opts.until) break
    h.queue.shift()
    if (item.at > h.now) h.now = item.at
    if (h.dead.has(item.node)) continue
    if (item.event === 'tick') {
      if (h.armed[item.node] === undefined || (h.armed[item.node] as number) > h.now) continue
      h.armed[item.node] = undefined
      deliver(h, item.node, { _tag: 'Ticked', at: Time.instant(h.now) as Instant })
    } else deliver(h, item.node, item.event)
    n++
  }
  if (opts.until !== undefined && opts.until > h.now && !(opts.done?.() ?? false)) h.now = opts.until
  return n
}

/** Runs until the operation completes (bounded); returns its outcome. */
export const await_ = (h: Harness, opId: OpId, maxEvents = 1_000_000): Outcome | undefined => {
  run(h, { done: () => h.outcomes.has(opId), maxEvents })
  return h.outcomes.get(opId)
}

/** Each node i > 0 joins through node `i - 1`'s neighbours (node 0 first), sequentially. */
export const join = (h: Harness, count = h.nodes.length): void => {
  for (let i = 1; i < count; i++) {
    const via = [address(0), address(Math.max(0, i - 1))]
    const op = command(h, i, { _tag: 'BootstrapRequested', contacts: [...new Set(via)] })
    const out = await_(h, op)
    if (out?._tag !== 'Bootstrapped') throw new Error(`node ${i} failed to join: ${JSON.stringify(out)}`)
  }
  // let the background refreshes of the joins settle
  run(h, { until: h.now + 10_000 })
}

export const kill = (h: Harness, i: number): void => {
  h.dead.add(i)
}

/** Freezes `o` and everything reachable from it (Maps' entries included; typed arrays cannot be). */
export const deepFreeze = <T>(o: T): T => {
  if (o !== null && typeof o === 'object' && !ArrayBuffer.isView(o) && !Object.isFrozen(o)) {
    Object.freeze(o)
    if (o instanceof Map)
      for (const [k, v] of o) {
        deepFreeze(k)
        deepFreeze(v)
      }
    for (const v of Object.values(o)) deepFreeze(v)
  }
  return o
}
