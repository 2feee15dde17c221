/**
 * The oracle network's event loop, on a private working copy. `thaw` copies a network's mutable
 * parts (node list, agenda, unclaimed completions, counters) into a `Work`; the loop steps nodes
 * and updates that copy in place; `freeze` hands back a new network. The network passed in is
 * never touched, so every public function of `OracleNetwork` is pure.
 *
 * Carrying out effects, as every driver of the core does (docs/architecture.md): `Send` becomes a
 * delivery after a seeded latency (or is lost with probability `loss`), `Complete` is kept until
 * the test claims it, `Notify` is counted; then the node's one timer is re-armed at
 * `Node.nextDeadline`.
 */
import type { Address } from '../address.js'
import type { Event, OpId } from '../node/event.js'
import { opId as toOpId } from '../node/event.js'
import type { Outcome } from '../node/effect.js'
import type { Message } from '../rpc/message.js'
import type { NodeId } from '../id/node-id.js'
import type { Config } from '../node/config.js'
import type { NodeState } from '../node/state.js'
import * as Node from '../node/node.js'
import * as E from 'fp-ts/lib/Either.js'
import * as Prng from '../prng.js'
import * as Wire from '../wire/wire.js'
import * as Time from '../time.js'
import type { Instant } from '../time.js'
import * as Queue from './oracle-queue.js'

// model

/** One simulated node. `timer` is the sequence number of its armed timer entry (-1: none). */
export interface OracleNode {
  readonly index: number
  readonly id: NodeId
  readonly address: Address
  readonly state: NodeState
  /** A dead node receives nothing and its timer never fires; messages to it are lost. */
  readonly alive: boolean
  /** `Node.nextDeadline` after its last step. */
  readonly deadline: Instant | undefined
  readonly timer: number
}

/** Latency of every message, uniform in [min, max] whole milliseconds. */
export interface Latency {
  readonly min: number
  readonly max: number
}

export interface Stats {
  /** Events stepped: deliveries, timer ticks and commands. */
  readonly events: number
  /** Messages handed to a live node. */
  readonly delivered: number
  /** Messages lost to the `loss` probability. */
  readonly dropped: number
  /** Messages that arrived at a dead node. */
  readonly toDead: number
  /** Messages sent to an address no node of the network has. */
  readonly unroutable: number
  /** Messages whose encoding exceeds `Wire.MAX_DATAGRAM_BYTES` (with `wire: true`). */
  readonly oversized: number
  /** Messages whose encoding does not decode (with `wire: true`). */
  readonly undecodable: number
  readonly ticks: number
  readonly commands: number
  readonly notifications: number
}

/** A `Complete` effect not yet claimed by `runUntilComplete`. */
export interface Completion {
  readonly opId: OpId
  readonly node: number
  readonly at: Instant
  readonly outcome: Outcome
}

/** The events stepped at recorded nodes, newest first (a list that shares its tail). */
export interface LogEntry {
  readonly node: number
  readonly event: Event
  readonly previous: LogEntry | undefined
}

export interface OracleNetwork {
  readonly config: Config
  readonly now: Instant
  readonly nodes: ReadonlyArray<OracleNode>
  readonly agenda: ReadonlyArray<Queue.Entry>
  readonly prng: Prng.Prng
  readonly seq: number
  readonly latency: Latency
  readonly loss: number
  /** Whether every message goes through `Wire.encode` and `Wire.decode` on its way. */
  readonly wire: boolean
  readonly nextOpId: number
  readonly completed: ReadonlyArray<Completion>
  readonly stats: Stats
  /** Indices of the nodes whose events go to `log`, or all of them. */
  readonly recording: ReadonlyArray<number> | 'all'
  readonly log: LogEntry | undefined
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

export interface Work {
  readonly config: Config
  readonly latency: Latency
  readonly loss: number
  readonly wire: boolean
  readonly recording: ReadonlyArray<number> | 'all'
  now: Instant
  nodes: OracleNode[]
  agenda: Queue.Entry[]
  prng: Prng.Prng
  seq: number
  nextOpId: number
  completed: Completion[]
  stats: Mutable<Stats>
  log: LogEntry | undefined
}

/** A user command as `command` takes it: any command event without `at` (and `opId`, drawn fresh). */
type CommandEvent = Extract<Event, { readonly opId: OpId }>
export type Command = CommandEvent extends infer C
  ? C extends CommandEvent
    ? Omit<C, 'at' | 'opId'> & { readonly opId?: OpId }
    : never
  : never

export interface Bounds {
  /** The most agenda entries to process (each delivery or timer counts one); default 1 000 000. */
  readonly maxEvents?: number
  /** Process nothing scheduled after this instant; `now` ends there if the agenda reaches it. */
  readonly until?: Instant
}

export const DEFAULT_MAX_EVENTS = 1_000_000

// constructors

export const thaw = (net: OracleNetwork): Work => ({
  config: net.config,
  latency: net.latency,
  loss: net.loss,
  wire: net.wire,
  recording: net.recording,
  now: net.now,
  nodes: net.nodes.slice(),
  agenda: net.agenda.slice(),
  prng: net.prng,
  seq: net.seq,
  nextOpId: net.nextOpId,
  completed: net.completed.slice(),
  stats: { ...net.stats },
  log: net.log,
})

export const freeze = (w: Work): OracleNetwork => ({
  config: w.config,
  now: w.now,
  nodes: w.nodes,
  agenda: w.agenda,
  prng: w.prng,
  seq: w.seq,
  latency: w.latency,
  loss: w.loss,
  wire: w.wire,
  nextOpId: w.nextOpId,
  completed: w.completed,
  stats: { ...w.stats },
  recording: w.recording,
  log: w.log,
})

// queries

const ADDRESS = /^n(0|[1-9][0-9]{0,8})$/

/** The index of the node at `address` (`n<index>`), or undefined. */
export const indexOf = (nodes: ReadonlyArray<OracleNode>, address: Address): number | undefined => {
  const m = ADDRESS.exec(address)
  if (m === null) return undefined
  const i = Number(m[1])
  return i < nodes.length ? i : undefined
}

// transitions (in place on the work copy)

const arm = (w: Work, index: number): void => {
  const node = w.nodes[index] as OracleNode
  if (!node.alive || node.deadline === undefined) return
  const seq = w.seq++
  Queue.push(w.agenda, { _tag: 'Timer', at: Time.later(node.deadline, w.now), rank: 0, seq, node: index })
  w.nodes[index] = { ...node, timer: seq }
}

/** The message as its receiver would decode it from a datagram, or why it cannot travel. */
const throughWire = (message: Message): Message | 'oversized' | 'undecodable' => {
  const bytes = Wire.encode(message)
  if (bytes.length > Wire.MAX_DATAGRAM_BYTES) return 'oversized'
  const decoded = Wire.decode(bytes)
  return E.isRight(decoded) ? decoded.right : 'undecodable'
}

/** Schedules a message from node `from` to `to`, unless it is lost or has nowhere to go. */
export const send = (w: Work, from: number, to: Address, sent: Message): void => {
  const target = indexOf(w.nodes, to)
  if (target === undefined) {
    w.stats.unroutable++
    return
  }
  const message = w.wire ? throughWire(sent) : sent
  if (message === 'oversized' || message === 'undecodable') {
    w.stats[message]++
    return
  }
  if (w.loss > 0) {
    const [x, next] = Prng.nextFloat(w.prng)
    w.prng = next
    if (x < w.loss) {
      w.stats.dropped++
      return
    }
  }
  let delay = w.latency.min
  if (w.latency.max > w.latency.min) {
    const [d, next] = Prng.nextInt(w.prng, w.latency.min, w.latency.max)
    w.prng = next
    delay = d
  }
  const [rank, next] = Prng.nextUint32(w.prng)
  w.prng = next
  Queue.push(w.agenda, {
    _tag: 'Delivery',
    at: Time.add(w.now, Time.millis(delay)),
    rank,
    seq: w.seq++,
    from,
    to: target,
    message,
  })
}

/** Steps node `index` with `event` (at `now`), carries out its effects in order, re-arms its timer. */
export const apply = (w: Work, index: number, event: Event): void => {
  const node = w.nodes[index] as OracleNode
  if (w.recording === 'all' || (w.recording.length > 0 && w.recording.includes(index))) w.log = { node: index, event, previous: w.log }
  const { state, effects } = Node.step(node.state, event)
  w.stats.events++
  for (const effect of effects) {
    switch (effect._tag) {
      case 'Send':
        send(w, index, effect.to, effect.message)
        break
      case 'Complete':
        w.completed.push({ opId: effect.opId, node: index, at: w.now, outcome: effect.outcome })
        break
      case 'Notify':
        w.stats.notifications++
        break
    }
  }
  const deadline = Node.nextDeadline(state)
  const rearm = deadline !== undefined && (deadline !== node.deadline || node.timer < 0)
  w.nodes[index] = { ...node, state, deadline, timer: rearm ? -1 : node.timer }
  if (rearm) arm(w, index)
}

/** Re-arms a node's timer after it came back to life. */
export const rearm = (w: Work, index: number): void => {
  const node = w.nodes[index] as OracleNode
  w.nodes[index] = { ...node, timer: -1 }
  arm(w, index)
}

const compact = (w: Work): void => {
  w.agenda = Queue.filter(w.agenda, (e) => {
    if (e._tag === 'Delivery') return true
    const node = w.nodes[e.node] as OracleNode
    return node.alive && node.timer === e.seq
  })
}

/**
 * Processes agenda entries in order until `done()` holds, the agenda is empty or passes `until`,
 * or `maxEvents` entries were processed. Bounded by `maxEvents`.
 */
export const drive = (w: Work, bounds: Bounds, done: () => boolean): void => {
  const maxEvents = bounds.maxEvents ?? DEFAULT_MAX_EVENTS
  let reachedUntil = false
  for (let n = 0; n < maxEvents; n++) {
    if (done()) return
    const top = Queue.peek(w.agenda)
    if (top === undefined || (bounds.until !== undefined && top.at > bounds.until)) {
      reachedUntil = true
      break
    }
    Queue.pop(w.agenda)
    w.now = Time.later(w.now, top.at)
    if (top._tag === 'Delivery') {
      const to = w.nodes[top.to] as OracleNode
      if (!to.alive) {
        w.stats.toDead++
        continue
      }
      w.stats.delivered++
      const from = (w.nodes[top.from] as OracleNode).address
      apply(w, top.to, { _tag: 'MessageReceived', at: w.now, from, message: top.message })
    } else {
      const node = w.nodes[top.node] as OracleNode
      if (!node.alive || node.timer !== top.seq) continue
      w.nodes[top.node] = { ...node, timer: -1 }
      w.stats.ticks++
      apply(w, top.node, { _tag: 'Ticked', at: w.now })
    }
    if (w.agenda.length > 4 * w.nodes.length + 4096) compact(w)
  }
  if (reachedUntil && bounds.until !== undefined) w.now = Time.later(w.now, bounds.until)
}

/** Issues a user command at node `index` at `now`, with a fresh `opId` unless it names one. */
export const issue = (w: Work, index: number, cmd: Command): OpId => {
  const opId = cmd.opId ?? toOpId(w.nextOpId++)
  w.stats.commands++
  apply(w, index, { ...cmd, at: w.now, opId } as Event)
  return opId
}

/** Removes and returns the completion of `opId`, if it happened. */
export const claim = (w: Work, opId: OpId): Completion | undefined => {
  const i = w.completed.findIndex((c) => c.opId === opId)
  if (i < 0) return undefined
  const [c] = w.completed.splice(i, 1)
  return c
}
