/**
 * The discrete-event engine: one priority queue of timed events (deliveries, each node's single
 * timer, joins, departures, workload commands, metric samples) over an array of node states, in
 * virtual milliseconds. It is the driver of the core: it feeds `step`, carries out every effect in
 * order (Send -> a delivery after the network's latency, unless lost; Complete -> the operation's
 * record; Notify -> metrics), then re-arms the node's one timer at `nextDeadline`.
 *
 * The engine is imperative for speed (a binary heap, arrays indexed by node number, counters);
 * node states are never mutated, only replaced in their slot. Everything random comes from one
 * seeded stream, so a scenario and a seed fix the run, and the trace hash proves it.
 */
import { Address, NodeId, Time } from '@kademlia-ts/core'
import type { Effect, Event, Message, OpId, Outcome } from '@kademlia-ts/core'
import type { Driver } from './driver.js'
import * as EventQueue from './event-queue.js'
import * as IdIndex from './id-index.js'
import * as MessageSize from './message-size.js'
import * as Metrics from './metrics.js'
import * as Churn from './models/churn.js'
import * as Network from './models/network.js'
import * as Workload from './models/workload.js'
import * as Random from './random.js'
import * as Sampler from './sampler.js'
import type { Scenario } from './scenario.js'
import * as Trace from './trace.js'
import * as TraceCodes from './trace-codes.js'
import { addressOf, indexOfAddress } from './addresses.js'
import { prefill } from './prefill.js'

// model

const DELIVER = 1
const TICK = 2
const JOIN = 3
const LEAVE = 4
const WORK = 5
const SAMPLE = 6
const SEND_FAILED = 7
const SCRIPTED = 8

const PUT = 0
const GET = 1
const LOOKUP = 2

// An event in the queue: its kind (above); the node it happens at (DELIVER: the receiver), or the
// workload kind for WORK; `from`: DELIVER's sender, SEND_FAILED's destination, SCRIPTED's index;
// the payload: the message of DELIVER and SEND_FAILED.

export interface Progress {
  readonly now: number
  readonly duration: number
  readonly events: number
  readonly live: number
}

/** A lookup a test or a study asks for at a given instant, from a given node. */
export interface ScriptedLookup {
  readonly at: number
  readonly node: number
  readonly target: NodeId.NodeId
}

export interface RunOptions {
  /** Called once the initial population exists (after the prefill), before the first event. */
  readonly onStarted?: () => void
  /** Called every 8192 nodes during the prefill with the number of nodes done. */
  readonly onPrefill?: (done: number, total: number) => void
  /** Ids of the first nodes (node i gets `ids[i]`); the rest are drawn from the seed. */
  readonly ids?: ReadonlyArray<NodeId.NodeId>
  /** FIND_NODE lookups to issue besides the workload (skipped if the node is not live then). */
  readonly script?: ReadonlyArray<ScriptedLookup>
  /** Called every `progressEvery` events (default 2^16) and at the end. */
  readonly onProgress?: (p: Progress) => void
  readonly progressEvery?: number
}

export interface RunResult {
  readonly scenario: Scenario
  readonly traceHash: string
  readonly events: number
  readonly traceWords: number
  /** Wall-clock seconds of the event loop (prefill excluded), and of the prefill. */
  readonly wallSeconds: number
  readonly prefillSeconds: number
  readonly eventsPerSecond: number
  readonly nodes: number
  readonly nodesEverCreated: number
  readonly liveAtEnd: number
  readonly virtualMs: number
  readonly joins: { readonly mode: 'prefill' | 'protocol'; readonly prefilledContacts: number }
  readonly metrics: Metrics.Collector
  readonly lookup: Metrics.KindSummary
  readonly get: Metrics.KindSummary
  readonly put: Metrics.KindSummary
  readonly join: Metrics.KindSummary
  /** Deadlines the core returned at or before the instant it had just been ticked (should be 0). */
  readonly stuckDeadlines: number
  /** What the queue held: every event popped, by kind, and the core steps they caused. */
  readonly eventCounts: EventCounts
}

/**
 * The events popped from the queue by kind. `events` counts the handled ones: deliveries to a live
 * node, timer expiries, send failures, joins, departures (and the start of churn), workload
 * arrivals and scripted lookups. Not counted: deliveries to a node that has left, timer entries
 * superseded by a later re-arming (the queue keeps them, they are skipped when popped), scripted
 * lookups from a departed node, and the metric samples.
 */
export interface EventCounts {
  readonly deliveries: number
  readonly ticks: number
  readonly sendFailures: number
  readonly joins: number
  readonly leaves: number
  readonly workload: number
  readonly scripted: number
  readonly deadDeliveries: number
  readonly staleTicks: number
  readonly skipped: number
  readonly samples: number
  /** Events popped in all (handled or not). */
  readonly popped: number
  /** Calls of the core's `step` (an event, or a command issued while handling one). */
  readonly steps: number
}

export { addressOf, indexOfAddress } from './addresses.js'

// transitions

/** Runs a scenario to its end and returns the metrics and the trace hash. */
export const run = <S>(scenario: Scenario, driver: Driver<S>, options: RunOptions = {}): RunResult => {
  const rng = Random.fromSeed(scenario.seed)
  const netRng = rng.fork()
  const churnRng = rng.fork()
  const workRng = rng.fork()
  const idRng = rng.fork()
  const network = Network.make(scenario.network, scenario.seed)
  // Room for every node's timer and as many other events before the queue grows: growing
  // allocates tens of MB of typed arrays at 10^6 nodes, and such an allocation right after the
  // prefill made V8 start a full collection of the 11 GiB heap (external memory pressure, 11 s).
  const queue = EventQueue.make<Message.Message>(2 * scenario.nodes + 1024)
  const trace = Trace.make()
  const m = Metrics.collector()
  const progressEvery = options.progressEvery ?? 65536

  // Node tables, indexed by node number; a departed node's slot holds undefined.
  const states: Array<S | undefined> = []
  const ids: NodeId.NodeId[] = []
  const addresses: Address.Address[] = []
  const armed: number[] = []
  const livePos: number[] = [] // position in `live`, or -1
  const live: number[] = []
  const index = IdIndex.make(ids)
  const holders = new Map<string, Set<number>>() // workload key hex -> live nodes holding it
  const heldBy = new Map<number, Set<string>>() // node -> keys it holds
  const ops = new Map<number, Metrics.OpRecord & { target?: NodeId.NodeId }>()
  let nextOp = 1
  let now = 0
  let events = 0
  let stuck = 0
  let steps = 0
  // Popped events by kind (index: the kind code), handled and skipped.
  const handled = [0, 0, 0, 0, 0, 0, 0, 0, 0]
  const skipped = [0, 0, 0, 0, 0, 0, 0, 0, 0]
  const count = (counts: number[], kind: number): void => {
    counts[kind] = (counts[kind] as number) + 1
  }

  const keys = Workload.keys(scenario.workload.keys, scenario.workload.popularity, scenario.seed)
  const keyHex = keys.ids.map((k) => NodeId.toHex(k))
  const keyRank = new Map(keyHex.map((h, i) => [h, i]))
  const value = (rank: number): Uint8Array => {
    const v = new Uint8Array(scenario.workload.valueBytes)
    for (let i = 0; i < v.length; i++) v[i] = (rank * 31 + i) & 0xff
    return v
  }
  const published: number[] = []
  const isPublished = new Uint8Array(scenario.workload.keys)
  let nextUnpublished = 0

  const schedule = (at: number, k: number, node: number, from = -1, msg: Message.Message | undefined = undefined): void =>
    queue.push(Math.floor(at), k, node, from, msg) // whole virtual milliseconds, as the core's Instants

  const isLive = (n: number): boolean => states[n] !== undefined

  // Ids live in shared 64 KiB buffers (a view each), not one ArrayBuffer per id; they are never
  // mutated once drawn, and every contact of every table shares them.
  let pool = new Uint8Array(0)
  let poolUsed = 0
  const allocId = (): NodeId.NodeId => {
    if (poolUsed + NodeId.BYTES > pool.length) {
      pool = new Uint8Array(65_520)
      poolUsed = 0
    }
    const id = pool.subarray(poolUsed, poolUsed + NodeId.BYTES)
    for (let b = 0; b < NodeId.BYTES; b += 4) {
      const w = idRng.uint32()
      id[b] = w >>> 24
      id[b + 1] = (w >>> 16) & 0xff
      id[b + 2] = (w >>> 8) & 0xff
      id[b + 3] = w & 0xff
    }
    poolUsed += NodeId.BYTES
    return NodeId.unsafeFromBytes(id)
  }

  // Seeds of the nodes whose state the prefill makes (see `newNode`), by node number.
  const prefillSeeds: number[] = []

  /**
   * A node with the next id and seed of the stream. With `deferInit` its state is left for the
   * prefill to make (from the seed drawn here, so the run is the same): made now, every initial
   * state would outlive the young generation and be garbage in the old one once replaced.
   */
  const newNode = (at: number, deferInit = false): number => {
    const i = states.length
    const given = options.ids?.[i]
    const drawn = allocId()
    const id = given ?? drawn
    ids.push(id)
    addresses.push(addressOf(i))
    const seed = idRng.uint32() | 0
    if (deferInit) {
      prefillSeeds[i] = seed
      states.push(undefined)
    } else states.push(driver.init(id, seed, Time.instant(at)))
    armed.push(-1)
    livePos.push(live.length)
    live.push(i)
    index.add(i)
    return i
  }

  // --- carrying out effects ----------------------------------------------------------------

  const complete = (opId: number, outcome: Outcome): void => {
    const op = ops.get(opId)
    if (op === undefined) return
    ops.delete(opId)
    op.latency = now - op.start
    switch (outcome._tag) {
      case 'Found':
        op.success = true
        op.hops = outcome.hops
        break
      case 'NodesFound': {
        op.success = outcome.closest.length > 0
        op.hops = outcome.hops
        op.found = outcome.closest
        if (scenario.metrics.closestCheck && op.target !== undefined && outcome.closest.length > 0) {
          const truth = index.closest(op.target, isLive)
          const first = outcome.closest[0] as Message.PeerInfo
          op.closest = truth >= 0 && NodeId.equals(first.id, ids[truth] as NodeId.NodeId)
          m.intervalChecked++
          if (op.closest) m.intervalClosest++
        }
        break
      }
      case 'Stored':
        op.success = outcome.replicas > 0
        if (op.success && op.kind === 'put') {
          const rank = keyRank.get(NodeId.toHex(op.target as NodeId.NodeId))
          if (rank !== undefined && isPublished[rank] === 0) {
            isPublished[rank] = 1
            published.push(rank)
          }
        }
        break
      case 'Bootstrapped':
        op.success = outcome.contacts > 0
        break
      default:
        op.success = false
    }
    m.intervalCompleted++
    if (op.success) m.intervalSucceeded++
  }

  const hold = (node: number, key: NodeId.NodeId, held: boolean): void => {
    const hex = NodeId.toHex(key)
    if (!keyRank.has(hex)) return
    let h = holders.get(hex)
    let k = heldBy.get(node)
    if (held) {
      if (h === undefined) holders.set(hex, (h = new Set()))
      if (k === undefined) heldBy.set(node, (k = new Set()))
      h.add(node)
      k.add(hex)
    } else {
      h?.delete(node)
      k?.delete(hex)
    }
  }

  const carryOut = (node: number, eff: Effect): void => {
    switch (eff._tag) {
      case 'Send': {
        const size = MessageSize.estimate(eff.message)
        m.bytes += size
        m.intervalBytes += size
        m.messages++
        m.intervalMessages++
        m.byTag[eff.message._tag] = (m.byTag[eff.message._tag] ?? 0) + 1
        const to = indexOfAddress(eff.to)
        if (to < 0 || to >= states.length || to === node) {
          schedule(now, SEND_FAILED, node, to, eff.message)
          return
        }
        if (network.lost(netRng, node, to, now)) {
          m.lost++
          return
        }
        schedule(now + network.latency(netRng, node, to), DELIVER, to, node, eff.message)
        return
      }
      case 'Complete':
        complete(eff.opId, eff.outcome)
        return
      case 'Notify': {
        const n = eff.notification
        m.notifications[n._tag] = (m.notifications[n._tag] ?? 0) + 1
        if (n._tag === 'LookupFinished' && n.opId !== undefined) {
          const op = ops.get(n.opId)
          if (op !== undefined) op.rpcs = n.rpcs
        } else if (n._tag === 'RecordStored') hold(node, n.record.key, true)
        else if (n._tag === 'RecordExpired' || n._tag === 'RecordRemoved') hold(node, n.key, false)
        return
      }
    }
  }

  /** Steps node `i` with `event`, carries out the effects, re-arms its timer. */
  const apply = (i: number, event: Event, ticked: boolean): void => {
    const r = driver.step(states[i] as S, event)
    steps++
    states[i] = r.state
    for (const eff of r.effects) {
      TraceCodes.effect(trace, eff)
      carryOut(i, eff)
    }
    const d = driver.nextDeadline(r.state)
    if (d === undefined) {
      armed[i] = -1
      return
    }
    let at: number = d
    if (at <= now) {
      if (ticked) stuck++
      at = ticked ? now + 1 : now
    }
    if (armed[i] !== at) {
      armed[i] = at
      schedule(at, TICK, i)
    }
  }

  const command = (i: number, kind: Metrics.OpKind, make: (opId: OpId) => Event, target?: NodeId.NodeId): void => {
    const opId = nextOp++
    const rec: Metrics.OpRecord & { target?: NodeId.NodeId } = {
      kind, node: i, start: now, latency: -1, hops: 0, rpcs: 0, success: false, closest: undefined, abandoned: false,
    }
    if (target !== undefined) rec.target = target
    ops.set(opId, rec)
    m.ops.push(rec)
    apply(i, make(opId as OpId), false)
  }

  // --- joins and departures ----------------------------------------------------------------

  const randomLive = (except: number): number => {
    if (live.length === 0 || (live.length === 1 && live[0] === except)) return -1
    for (;;) {
      const c = live[churnRng.int(live.length)] as number
      if (c !== except) return c
    }
  }

  const join = (at: number): number => {
    const i = newNode(at)
    const contact = randomLive(i)
    if (contact >= 0) {
      command(i, 'join', (opId) => ({ _tag: 'BootstrapRequested', at: Time.instant(at), opId, contacts: [addresses[contact] as Address.Address] }))
    }
    if (scenario.churn !== undefined && at >= scenario.churn.start) schedule(at + Churn.draw(churnRng, scenario.churn.session), LEAVE, i)
    return i
  }

  const leave = (i: number): void => {
    if (states[i] === undefined) return
    states[i] = undefined
    armed[i] = -1
    const p = livePos[i] as number
    const last = live.pop() as number
    if (last !== i) {
      live[p] = last
      livePos[last] = p
    }
    livePos[i] = -1
    for (const hex of heldBy.get(i) ?? []) holders.get(hex)?.delete(i)
    heldBy.delete(i)
    for (const op of ops.values()) if (op.node === i) op.abandoned = true
    const churn = scenario.churn
    if (churn !== undefined) schedule(now + (churn.downtime === undefined ? 0 : Churn.draw(churnRng, churn.downtime)), JOIN, -1)
  }

  // --- the initial population --------------------------------------------------------------

  let prefilledContacts = 0
  const prefillStart = performance.now()
  if (scenario.join.mode === 'prefill') {
    for (let n = 0; n < scenario.nodes; n++) newNode(0, true)
    const initial = (i: number): S => driver.init(ids[i] as NodeId.NodeId, prefillSeeds[i] as number, Time.instant(0))
    prefilledContacts = prefill(states, initial, ids, addresses, index, driver, driver.bucketSize, rng.fork(), (done) => options.onPrefill?.(done, scenario.nodes))
    prefillSeeds.length = 0
    for (let i = 0; i < scenario.nodes; i++) {
      const d = driver.nextDeadline(states[i] as S)
      if (d !== undefined) {
        armed[i] = d
        schedule(d, TICK, i)
      }
    }
    trace.word(0xf00)
    trace.word(prefilledContacts)
  } else {
    for (let n = 0; n < scenario.nodes; n++) schedule(n === 0 ? 0 : scenario.join.over * (n / scenario.nodes), JOIN, -1)
  }
  const prefillSeconds = (performance.now() - prefillStart) / 1000
  options.onStarted?.()

  if (scenario.churn !== undefined) {
    const churn = scenario.churn
    // Nodes present when churn starts get their first session then.
    schedule(churn.start, LEAVE, -1)
  }
  const w = scenario.workload
  for (const [kind, rate] of [[PUT, w.puts], [GET, w.gets], [LOOKUP, w.lookups]] as const) {
    const first = w.start + Workload.nextArrival(workRng, rate)
    if (Number.isFinite(first)) schedule(first, WORK, kind)
  }
  schedule(0, SAMPLE, -1)
  const script = options.script ?? []
  script.forEach((s, n) => schedule(s.at, SCRIPTED, s.node, n))

  // --- workload ----------------------------------------------------------------------------

  const work = (kind: number): void => {
    const rate = kind === PUT ? w.puts : kind === GET ? w.gets : w.lookups
    schedule(now + Workload.nextArrival(workRng, rate), WORK, kind)
    if (live.length === 0) return
    const i = live[workRng.int(live.length)] as number
    const at = Time.instant(now)
    if (kind === PUT) {
      const rank = nextUnpublished < w.keys ? nextUnpublished++ : Workload.pickRank(workRng, keys, w.keys)
      const key = keys.ids[rank] as NodeId.NodeId
      command(i, 'put', (opId) => ({ _tag: 'PutRequested', at, opId, key, value: value(rank) }), key)
    } else if (kind === GET) {
      if (published.length === 0) return
      const rank = published[Workload.pickRank(workRng, keys, published.length)] as number
      command(i, 'get', (opId) => ({ _tag: 'GetRequested', at, opId, key: keys.ids[rank] as NodeId.NodeId }))
    } else {
      const target = NodeId.unsafeFromBytes(workRng.bytes(NodeId.BYTES))
      command(i, 'lookup', (opId) => ({ _tag: 'FindNodeRequested', at, opId, target }), target)
    }
  }

  // --- sampling ----------------------------------------------------------------------------

  const sample = Sampler.make({
    seed: scenario.seed,
    sampleNodes: scenario.metrics.sampleNodes,
    driver,
    states,
    indexOf: index.indexOf,
    live,
    published,
    holders: (rank) => holders.get(keyHex[rank] as string)?.size ?? 0,
    metrics: m,
  })

  // --- the loop ----------------------------------------------------------------------------

  const started = performance.now()
  const end = scenario.duration
  const e = EventQueue.popped<Message.Message>()
  for (;;) {
    if (queue.peekAt() > end) break // also when empty (Infinity)
    queue.pop(e)
    now = e.at
    switch (e.kind) {
      case DELIVER: {
        if (states[e.node] === undefined) {
          m.deadDeliveries++
          count(skipped, DELIVER)
          continue
        }
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        apply(e.node, { _tag: 'MessageReceived', at: Time.instant(now), from: addresses[e.from] as Address.Address, message: e.payload as Message.Message }, false)
        break
      }
      case TICK:
        if (states[e.node] === undefined || armed[e.node] !== e.at) {
          count(skipped, TICK)
          continue
        }
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        armed[e.node] = -1
        apply(e.node, { _tag: 'Ticked', at: Time.instant(now) }, true)
        break
      case SEND_FAILED:
        if (states[e.node] === undefined) {
          count(skipped, SEND_FAILED)
          continue
        }
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        apply(e.node, { _tag: 'SendFailed', at: Time.instant(now), to: e.from >= 0 ? (addresses[e.from] as Address.Address) : Address.of('?'), rpcId: (e.payload as Message.Message).rpcId }, false)
        break
      case JOIN:
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        join(now)
        break
      case LEAVE:
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        if (e.node >= 0) leave(e.node)
        else if (scenario.churn !== undefined) {
          // Churn starts: every node present gets a session from now.
          for (const i of live) schedule(now + Churn.draw(churnRng, scenario.churn.session), LEAVE, i)
        }
        break
      case WORK:
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        work(e.node)
        break
      case SCRIPTED: {
        const s = script[e.from] as ScriptedLookup
        if (states[s.node] === undefined) {
          count(skipped, SCRIPTED)
          continue
        }
        TraceCodes.event(trace, e.kind, e.at, e.node, e.from, e.payload)
        command(s.node, 'lookup', (opId) => ({ _tag: 'FindNodeRequested', at: Time.instant(now), opId, target: s.target }), s.target)
        break
      }
      case SAMPLE:
        sample(now)
        if (now + scenario.metrics.sample <= end) schedule(now + scenario.metrics.sample, SAMPLE, -1)
        count(skipped, SAMPLE)
        continue
    }
    count(handled, e.kind)
    events++
    if (options.onProgress !== undefined && (events & (progressEvery - 1)) === 0) {
      options.onProgress({ now, duration: end, events, live: live.length })
    }
  }
  now = end
  if (m.samples[m.samples.length - 1]?.t !== end) sample(end)
  const wallSeconds = (performance.now() - started) / 1000
  options.onProgress?.({ now: end, duration: end, events, live: live.length })
  for (const op of ops.values()) op.abandoned = op.abandoned || op.latency < 0
  return {
    scenario,
    traceHash: trace.digest(),
    events,
    traceWords: trace.words(),
    wallSeconds,
    prefillSeconds,
    eventsPerSecond: wallSeconds > 0 ? events / wallSeconds : 0,
    nodes: scenario.nodes,
    nodesEverCreated: states.length,
    liveAtEnd: live.length,
    virtualMs: end,
    joins: { mode: scenario.join.mode, prefilledContacts },
    metrics: m,
    lookup: Metrics.summarise(m.ops, 'lookup'),
    get: Metrics.summarise(m.ops, 'get'),
    put: Metrics.summarise(m.ops, 'put'),
    join: Metrics.summarise(m.ops, 'join'),
    stuckDeadlines: stuck,
    eventCounts: {
      deliveries: handled[DELIVER] as number,
      ticks: handled[TICK] as number,
      sendFailures: handled[SEND_FAILED] as number,
      joins: handled[JOIN] as number,
      leaves: handled[LEAVE] as number,
      workload: handled[WORK] as number,
      scripted: handled[SCRIPTED] as number,
      deadDeliveries: skipped[DELIVER] as number,
      staleTicks: skipped[TICK] as number,
      skipped: (skipped[SEND_FAILED] as number) + (skipped[SCRIPTED] as number),
      samples: skipped[SAMPLE] as number,
      popped: handled.reduce((a, b) => a + b, 0) + skipped.reduce((a, b) => a + b, 0),
      steps,
    },
  }
}
