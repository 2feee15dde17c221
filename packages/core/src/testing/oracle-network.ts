/**
 * An in-memory network of real `NodeState`s for tests: a tiny deterministic discrete-event driver
 * of the core (like the simulator, but small and meant for properties), with a brute-force view
 * of the truth to check lookups against.
 *
 * - Nodes are numbered 0..size-1; node i has address `n<i>` and an id drawn from the seed.
 * - `Send` effects become deliveries after a seeded latency, in a seeded order among simultaneous
 *   ones, or are lost with probability `loss`; dead nodes receive nothing and never tick.
 * - Each node's timer fires `Ticked` at its `Node.nextDeadline`, as a driver's single timer would.
 * - Everything is plain data; every function returns a new network and leaves its argument as it
 *   was. Same options and same calls give the same network, message for message.
 * - Every loop is bounded: `run` and `runUntilComplete` process at most `maxEvents` entries.
 *
 * ```ts
 * let net = OracleNetwork.create({ size: 200, seed: 42 })
 * const r = OracleNetwork.execute(net, 7, { _tag: 'FindNodeRequested', target })
 * // r.outcome: NodesFound { closest } — compare with OracleNetwork.trueClosest(r.net, target, 20)
 * ```
 */
import type { Address } from '../address.js'
import * as AddressM from '../address.js'
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import * as ConfigM from '../node/config.js'
import type { Config } from '../node/config.js'
import type { Event, OpId } from '../node/event.js'
import type { Outcome } from '../node/effect.js'
import * as Node from '../node/node.js'
import type { StoredRecord } from '../store/record.js'
import * as Prng from '../prng.js'
import * as Time from '../time.js'
import type { Instant } from '../time.js'
import * as Driver from './oracle-driver.js'
import type { Bounds, Completion, LogEntry, OracleNode, Stats, Work } from './oracle-driver.js'
import * as Build from './oracle-build.js'

export type { Bounds, Completion, Latency, OracleNetwork, OracleNode, Stats } from './oracle-driver.js'
export { withContacts } from './oracle-build.js'
type OracleNetwork = Driver.OracleNetwork

// model

export interface Options {
  /** Number of nodes (≥ 1). */
  readonly size: number
  /** Seeds the ids, every node's PRNG, the latencies, losses and delivery order. */
  readonly seed: number
  /** The config of every node; default `Config.defaults`. */
  readonly config?: Config
  /** Latency of every message in whole milliseconds; default 5..50. */
  readonly latency?: Driver.Latency
  /** Probability in [0, 1] that a message is lost; default 0. Applies after the network is built. */
  readonly loss?: number
  /**
   * Nodes that die once the network is built (they stay in others' tables): a fraction of the
   * size, chosen from the seed, or the list of their indices.
   */
  readonly dead?: number | ReadonlyArray<number>
  /**
   * How the routing tables are filled. `'prefill'` (default, cheap at any size): each node's table
   * is the converged one (`Universe.converged`: at most k contacts per bucket, its true k closest
   * among them), filled with `RoutingTable.observe` at time zero. `'protocol'`:
   * node i joins with `BootstrapRequested` through `bootstrapPeers` earlier nodes, one after the
   * other, as real nodes would.
   */
  readonly join?: 'prefill' | 'protocol'
  /** Earlier nodes each node joins through under `join: 'protocol'`; default 3. */
  readonly bootstrapPeers?: number
  /** Bound on the events of each join under `join: 'protocol'`; default 100 000. */
  readonly maxJoinEvents?: number
  /**
   * Every message goes through `Wire.encode` and `Wire.decode` on its way, as on a real network
   * (slower); one that does not fit a datagram or does not decode is counted and lost. Default false.
   */
  readonly wire?: boolean
  /** Nodes whose every event is logged (see `recorded`): their indices, or `'all'`. */
  readonly record?: ReadonlyArray<number> | 'all'
}

export type { Command } from './oracle-driver.js'
type Command = Driver.Command

/** Any event without `at`: `inject` stamps it with the network's `now`. */
export type Injected = Event extends infer E ? (E extends Event ? Omit<E, 'at'> : never) : never

/** A node as `trueClosest` returns it. */
export interface Peer {
  readonly index: number
  readonly id: NodeId.NodeId
  readonly address: Address
}

// constructors

const DEFAULT_LATENCY: Driver.Latency = { min: 5, max: 50 }

const check = Build.check

/**
 * Builds, bootstraps and then (if asked) kills nodes of a network. Throws a `RangeError` on
 * options that make no network (size < 1, loss outside [0, 1], min latency > max, …).
 */
export const create = (options: Options): OracleNetwork => {
  const { size, seed } = options
  const config = options.config ?? ConfigM.defaults
  const latency = options.latency ?? DEFAULT_LATENCY
  const loss = options.loss ?? 0
  check(Number.isInteger(size) && size >= 1, `size must be a positive integer, got ${size}`)
  check(Number.isInteger(latency.min) && latency.min >= 0 && latency.max >= latency.min, 'latency must be 0 ≤ min ≤ max')
  check(loss >= 0 && loss <= 1, `loss must lie in [0, 1], got ${loss}`)
  Build.checkDead(options.dead, size)
  let prng = Prng.fromSeed(seed)
  const nodes: OracleNode[] = []
  for (let index = 0; index < size; index++) {
    const [id, p1] = NodeId.random(prng)
    const [nodeSeed, p2] = Prng.nextUint32(p1)
    prng = p2
    const state = Node.init(config, { id, seed: nodeSeed | 0, at: Time.ZERO })
    nodes.push({ index, id, address: AddressM.of(`n${index}`), state, alive: true, deadline: undefined, timer: -1 })
  }
  const [networkPrng, joinPrng] = Prng.split(prng)
  const w: Work = {
    config,
    latency,
    loss: 0,
    wire: options.wire ?? false,
    recording: options.record ?? [],
    now: Time.ZERO,
    nodes,
    agenda: [],
    prng: networkPrng,
    seq: 0,
    nextOpId: 1,
    completed: [],
    stats: {
      events: 0,
      delivered: 0,
      dropped: 0,
      toDead: 0,
      unroutable: 0,
      oversized: 0,
      undecodable: 0,
      ticks: 0,
      commands: 0,
      notifications: 0,
    },
    log: undefined,
  }
  const afterJoin =
    (options.join ?? 'prefill') === 'prefill'
      ? Build.prefill(w, joinPrng)
      : Build.joinByProtocol(w, joinPrng, options.bootstrapPeers ?? 3, options.maxJoinEvents ?? 100_000)
  for (let i = 0; i < size; i++) Driver.rearm(w, i)
  const dead = Build.deadSet(options.dead, size, afterJoin)
  for (const i of dead) w.nodes[i] = { ...(w.nodes[i] as OracleNode), alive: false, timer: -1 }
  return Driver.freeze({ ...w, loss })
}

// queries

export const size = (net: OracleNetwork): number => net.nodes.length

export const node = (net: OracleNetwork, index: number): OracleNode => {
  const n = net.nodes[index]
  check(n !== undefined, `no node ${index}`)
  return n as OracleNode
}

export const address = (index: number): Address => AddressM.of(`n${index}`)

/** The node at `address`, if the network has one. */
export const indexOf = (net: OracleNetwork, addr: Address): number | undefined => Driver.indexOf(net.nodes, addr)

export const isAlive = (net: OracleNetwork, index: number): boolean => node(net, index).alive

/** Indices of the live nodes, ascending. */
export const liveIndices = (net: OracleNetwork): ReadonlyArray<number> =>
  net.nodes.filter((n) => n.alive).map((n) => n.index)

/**
 * Brute force over every live node: the `k` whose ids are closest to `target` by XOR (paper
 * §2.1), closest first. `excluding` leaves some out (typically the node that looked up, which
 * never returns itself).
 */
export const trueClosest = (
  net: OracleNetwork,
  target: NodeId.NodeId,
  k: number,
  excluding: ReadonlyArray<number> = [],
): ReadonlyArray<Peer> =>
  net.nodes
    .filter((n) => n.alive && !excluding.includes(n.index))
    .sort((a, b) => Distance.compareTo(target, a.id, b.id) || a.index - b.index)
    .slice(0, Math.max(0, k))
    .map((n) => ({ index: n.index, id: n.id, address: n.address }))

/** Live nodes holding a record under `key`, with the record. */
export const holders = (net: OracleNetwork, key: NodeId.NodeId): ReadonlyArray<{ readonly index: number; readonly record: StoredRecord }> =>
  net.nodes.flatMap((n) => {
    if (!n.alive) return []
    const record = Node.records(n.state).find((r) => NodeId.equals(r.key, key))
    return record === undefined ? [] : [{ index: n.index, record }]
  })

export const stats = (net: OracleNetwork): Stats => net.stats

/** The events stepped at recorded nodes (`Options.record`), oldest first, with their node. */
export const log = (net: OracleNetwork): ReadonlyArray<{ readonly node: number; readonly event: Event }> => {
  const out: Array<{ readonly node: number; readonly event: Event }> = []
  for (let e: LogEntry | undefined = net.log; e !== undefined; e = e.previous) out.push({ node: e.node, event: e.event })
  return out.reverse()
}

/** The events stepped at node `index` (it must be recorded, see `Options.record`), oldest first. */
export const recorded = (net: OracleNetwork, index: number): ReadonlyArray<Event> =>
  log(net).flatMap((e) => (e.node === index ? [e.event] : []))

// transitions

/**
 * Issues a user command at live node `index` at the network's `now`, with a fresh `opId` (unless
 * the command names one, as `Cancelled` does). Its effects are carried out at once; the rest
 * happens in `run` / `runUntilComplete`.
 */
export const command = (net: OracleNetwork, index: number, cmd: Command): { readonly net: OracleNetwork; readonly opId: OpId } => {
  check(node(net, index).alive, `node ${index} is dead`)
  const w = Driver.thaw(net)
  const opId = Driver.issue(w, index, cmd)
  return { net: Driver.freeze(w), opId }
}

/** Issues several commands at the same instant (cheaper than one `command` call each). */
export const commands = (
  net: OracleNetwork,
  list: ReadonlyArray<readonly [index: number, cmd: Command]>,
): { readonly net: OracleNetwork; readonly opIds: ReadonlyArray<OpId> } => {
  for (const [index] of list) check(node(net, index).alive, `node ${index} is dead`)
  const w = Driver.thaw(net)
  const opIds = list.map(([index, cmd]) => Driver.issue(w, index, cmd))
  return { net: Driver.freeze(w), opIds }
}

/** From now on logs the events of `which` nodes (see `log`); the log starts empty. */
export const record = (net: OracleNetwork, which: ReadonlyArray<number> | 'all'): OracleNetwork => ({
  ...net,
  recording: which,
  log: undefined,
})

/**
 * Steps live node `index` with any event (stamped with `now`): a forged or garbage message, a
 * `SendFailed`, an early `Ticked`. Its effects are carried out like any other.
 */
export const inject = (net: OracleNetwork, index: number, event: Injected): OracleNetwork => {
  check(node(net, index).alive, `node ${index} is dead`)
  const w = Driver.thaw(net)
  Driver.apply(w, index, { ...event, at: w.now } as Event)
  return Driver.freeze(w)
}

/** Delivers and ticks in order, within `bounds` (at most `maxEvents`, nothing after `until`). */
export const run = (net: OracleNetwork, bounds: Bounds = {}): OracleNetwork => {
  const w = Driver.thaw(net)
  Driver.drive(w, bounds, () => false)
  return Driver.freeze(w)
}

/**
 * Runs until operation `opId` completes and returns its outcome (`undefined` if `bounds` ran out
 * first). The completion is claimed: it is no longer in `net.completed`.
 */
export const runUntilComplete = (
  net: OracleNetwork,
  opId: OpId,
  bounds: Bounds = {},
): { readonly net: OracleNetwork; readonly outcome: Outcome | undefined; readonly at: Instant | undefined } => {
  const w = Driver.thaw(net)
  Driver.drive(w, bounds, () => w.completed.some((c) => c.opId === opId))
  const c: Completion | undefined = Driver.claim(w, opId)
  return { net: Driver.freeze(w), outcome: c?.outcome, at: c?.at }
}

/** Runs until every operation of `opIds` completed; outcomes in the same order. */
export const runUntilAllComplete = (
  net: OracleNetwork,
  opIds: ReadonlyArray<OpId>,
  bounds: Bounds = {},
): { readonly net: OracleNetwork; readonly outcomes: ReadonlyArray<Outcome | undefined> } => {
  const w = Driver.thaw(net)
  const waiting = new Set<OpId>(opIds)
  let seen = 0
  Driver.drive(w, bounds, () => {
    // Only the completions added since the last check can settle an operation.
    for (; seen < w.completed.length; seen++) waiting.delete((w.completed[seen] as Completion).opId)
    return waiting.size === 0
  })
  const outcomes = opIds.map((id) => Driver.claim(w, id)?.outcome)
  return { net: Driver.freeze(w), outcomes }
}

/** `command` then `runUntilComplete`: one operation, start to finish. */
export const execute = (
  net: OracleNetwork,
  index: number,
  cmd: Command,
  bounds: Bounds = {},
): { readonly net: OracleNetwork; readonly opId: OpId; readonly outcome: Outcome | undefined } => {
  const issued = command(net, index, cmd)
  const done = runUntilComplete(issued.net, issued.opId, bounds)
  return { net: done.net, opId: issued.opId, outcome: done.outcome }
}

/** Kills nodes: they receive nothing more and their timers stop. */
export const kill = (net: OracleNetwork, indices: ReadonlyArray<number>): OracleNetwork => {
  const w = Driver.thaw(net)
  for (const i of indices) w.nodes[i] = { ...node(net, i), alive: false, timer: -1 }
  return Driver.freeze(w)
}

/** Brings dead nodes back with the state they died with; their timers are re-armed. */
export const revive = (net: OracleNetwork, indices: ReadonlyArray<number>): OracleNetwork => {
  const w = Driver.thaw(net)
  for (const i of indices) {
    w.nodes[i] = { ...node(net, i), alive: true }
    Driver.rearm(w, i)
  }
  return Driver.freeze(w)
}
