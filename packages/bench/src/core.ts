/**
 * `pnpm bench:core`: the pure core alone, no sockets.
 *
 *   node packages/bench/dist/core.js [--nodes 10000] [--runs 5] [--lookups 500] [--batch 50]
 *                                    [--dead 0.05] [--loss 0.01] [--seed 1] [--json]
 *
 * - lookups/s: FIND_NODE lookups (batches of `--batch` at once, from random live nodes to random
 *   targets) in an `OracleNetwork` of `--nodes` nodes with converged tables, `--dead` of them dead
 *   and `--loss` of the messages lost; wall time of the whole driver loop, network construction
 *   excluded.
 * - steps/s of one core: the events every node was fed during one such workload (incoming
 *   FIND_NODE requests, NODES replies to its own lookups, timer ticks after timeouts, commands),
 *   recorded, then replayed through `Node.step` from the same starting states on one thread, one
 *   node's stream after the other (also reported: all streams interleaved with every state live).
 * - bytes per node: heap growth per `NodeState` with a converged table in a network of `--nodes`
 *   ids, measured in a child process started with `--expose-gc` (ids and addresses excluded: they
 *   are shared with whoever made them).
 *
 * Each figure is the median of `--runs` runs, per wall-clock second (and, for a shared machine,
 * per CPU second of this process, all its threads counted). Progress goes to stderr, the report to stdout; with
 * `--json` the last stdout line is `{"steps_per_s":…,"lookups_per_s":…,"bytes_per_node":…}`.
 */
import { execFileSync } from 'node:child_process'
import { loadavg } from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Config, Node, NodeId, Prng } from '@kademlia-ts/core'
import type { Event, NodeState } from '@kademlia-ts/core'
import { OracleNetwork } from '@kademlia-ts/core/testing'
import { mark, median, now, seconds, since } from './core-stats.js'
import type { HeapReport } from './core-heap.js'

// model

interface Options {
  readonly nodes: number
  readonly runs: number
  readonly lookups: number
  readonly batch: number
  readonly dead: number
  readonly loss: number
  readonly seed: number
  readonly json: boolean
}

type Network = OracleNetwork.OracleNetwork

interface Workload {
  readonly net: Network
  readonly lookups: number
  readonly found: number
  readonly wall: number
  readonly cpu: number
}

/** A rate per wall-clock second and per CPU second of this process. */
interface Rate {
  readonly wall: number
  readonly cpu: number
}

// constructors

const options = (): Options => {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '10000' },
      runs: { type: 'string', default: '5' },
      lookups: { type: 'string', default: '500' },
      batch: { type: 'string', default: '50' },
      dead: { type: 'string', default: '0.05' },
      loss: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  })
  const int = (name: string, text: string, min: number): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`)
    return n
  }
  const fraction = (name: string, text: string): number => {
    const x = Number(text)
    if (!(x >= 0 && x < 1)) throw new Error(`--${name} must be in [0, 1), got ${text}`)
    return x
  }
  return {
    nodes: int('nodes', values.nodes, 2),
    runs: int('runs', values.runs, 1),
    lookups: int('lookups', values.lookups, 1),
    batch: int('batch', values.batch, 1),
    dead: fraction('dead', values.dead),
    loss: fraction('loss', values.loss),
    seed: int('seed', values.seed, 0),
    json: values.json,
  }
}

// transitions

const log = (line: string): void => void process.stderr.write(`[bench:core] ${line}\n`)

/** `lookups` FIND_NODE lookups in batches of `batch`, from random live nodes to random targets. */
const workload = (start: Network, o: Options, seed: number): Workload => {
  const live = OracleNetwork.liveIndices(start)
  let prng = Prng.fromSeed(seed)
  let net = start
  let found = 0
  const t0 = mark()
  for (let done = 0; done < o.lookups; done += o.batch) {
    const list: Array<readonly [number, OracleNetwork.Command]> = []
    for (let i = 0; i < Math.min(o.batch, o.lookups - done); i++) {
      const [pick, p1] = Prng.nextInt(prng, 0, live.length - 1)
      const [target, p2] = NodeId.random(p1)
      prng = p2
      list.push([live[pick] as number, { _tag: 'FindNodeRequested', target }])
    }
    const issued = OracleNetwork.commands(net, list)
    const settled = OracleNetwork.runUntilAllComplete(issued.net, issued.opIds, { maxEvents: 10_000_000 })
    net = settled.net
    for (const outcome of settled.outcomes) if (outcome?._tag === 'NodesFound') found++
  }
  return { net, lookups: o.lookups, found, ...since(t0) }
}

const kindOf = (e: Event): string => (e._tag === 'MessageReceived' ? e.message._tag : e._tag)

/** The recorded events grouped by node, each node's in their original order. */
const byNode = (
  entries: ReadonlyArray<{ readonly node: number; readonly event: Event }>,
): ReadonlyArray<readonly [number, ReadonlyArray<Event>]> => {
  const groups = new Map<number, Event[]>()
  for (const { node, event } of entries) {
    const g = groups.get(node)
    if (g === undefined) groups.set(node, [event])
    else g.push(event)
  }
  return [...groups.entries()]
}

/**
 * Replays each node's recorded events through `Node.step` from its state in `start`, one node
 * after the other (as one core running one node would; the intermediate states die young),
 * repeating until at least `minSeconds` of wall time passed. Steps per second.
 */
const replay = (start: Network, groups: ReadonlyArray<readonly [number, ReadonlyArray<Event>]>, minSeconds: number): Rate => {
  let steps = 0
  const t0 = mark()
  for (let round = 0; round < 1000 && (round === 0 || since(t0).wall < minSeconds); round++) {
    for (const [node, events] of groups) {
      let s = (start.nodes[node] as OracleNetwork.OracleNode).state
      for (const event of events) s = Node.step(s, event).state
      steps += events.length
    }
  }
  const t = since(t0)
  return { wall: steps / t.wall, cpu: steps / t.cpu }
}

/**
 * The same events interleaved as they happened, every node's state kept live (as a simulator
 * holds them): adds the cost of a large, churning heap.
 */
const replayInterleaved = (start: Network, entries: ReadonlyArray<{ readonly node: number; readonly event: Event }>): Rate => {
  const t0 = mark()
  const states: NodeState[] = start.nodes.map((n) => n.state)
  for (const { node, event } of entries) states[node] = Node.step(states[node] as NodeState, event).state
  const t = since(t0)
  return { wall: entries.length / t.wall, cpu: entries.length / t.cpu }
}

/** One replay (node by node) timing each step: µs per step by kind of event, clock overhead included. */
const perKind = (
  start: Network,
  groups: ReadonlyArray<readonly [number, ReadonlyArray<Event>]>,
): ReadonlyArray<readonly [string, number, number]> => {
  const time = new Map<string, { n: number; ms: number }>()
  for (const [node, events] of groups) {
    let s = (start.nodes[node] as OracleNetwork.OracleNode).state
    for (const event of events) {
      const t = now()
      s = Node.step(s, event).state
      const ms = now() - t
      const k = time.get(kindOf(event)) ?? { n: 0, ms: 0 }
      time.set(kindOf(event), { n: k.n + 1, ms: k.ms + ms })
    }
  }
  return [...time.entries()].sort((a, b) => b[1].n - a[1].n).map(([kind, { n, ms }]) => [kind, n, (1000 * ms) / n] as const)
}

const heapRun = (o: Options, run: number): HeapReport => {
  const script = fileURLToPath(new URL('./core-heap.js', import.meta.url))
  const out = execFileSync(process.execPath, ['--expose-gc', script, String(o.nodes), String(o.seed + run)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 20,
    timeout: 600_000,
  })
  const last = out.trim().split('\n').pop() ?? ''
  return JSON.parse(last) as HeapReport
}

const main = (): void => {
  const o = options()
  const load = loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')
  log(`building an oracle network of ${o.nodes} nodes (converged tables, ${o.dead * 100}% dead, ${o.loss * 100}% loss)`)
  const t0 = now()
  const net0 = OracleNetwork.create({
    size: o.nodes,
    seed: o.seed,
    config: Config.defaults,
    join: 'prefill',
    dead: o.dead,
    loss: o.loss,
  })
  log(`built in ${seconds(t0).toFixed(1)} s`)

  // lookups per second
  const lookupRates: Rate[] = []
  let recordedNet: Network | undefined
  for (let run = 0; run < o.runs; run++) {
    const start = run === 0 ? OracleNetwork.record(net0, 'all') : net0
    const w = workload(start, o, o.seed * 1000 + run)
    if (run === 0) recordedNet = w.net
    lookupRates.push({ wall: w.lookups / w.wall, cpu: w.lookups / w.cpu })
    log(
      `lookups run ${run + 1}/${o.runs}: ${w.lookups} in ${w.wall.toFixed(2)} s (${w.cpu.toFixed(2)} s of CPU), ` +
        `${w.found} found nodes` + (run === 0 ? ' (recorded)' : ''),
    )
  }

  // steps per second of one core, on the recorded mix
  const entries = OracleNetwork.log(recordedNet as Network)
  const mix = new Map<string, number>()
  for (const { event } of entries) mix.set(kindOf(event), (mix.get(kindOf(event)) ?? 0) + 1)
  const mixText = [...mix.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${((100 * n) / entries.length).toFixed(1)}%`)
    .join(', ')
  log(`recorded ${entries.length} events: ${mixText}`)
  const groups = byNode(entries)
  replay(net0, groups, 0) // warm-up
  const stepRates: Rate[] = []
  for (let run = 0; run < o.runs; run++) {
    const r = replay(net0, groups, 1)
    stepRates.push(r)
    log(`steps run ${run + 1}/${o.runs}: ${Math.round(r.wall)} steps/s (${Math.round(r.cpu)} per CPU second)`)
  }
  const interleaved = replayInterleaved(net0, entries)
  log(`interleaved, all states live: ${Math.round(interleaved.wall)} steps/s (${Math.round(interleaved.cpu)} per CPU second)`)

  const kinds = perKind(net0, groups)
  const kindsText = kinds.map(([k, n, us]) => `${k} ${us.toFixed(1)} µs (${n})`).join(', ')
  log(`µs per step by kind: ${kindsText}`)

  // heap bytes per NodeState
  const heaps: HeapReport[] = []
  for (let run = 0; run < o.runs; run++) {
    const h = heapRun(o, run)
    heaps.push(h)
    log(
      `heap run ${run + 1}/${o.runs}: ${Math.round(h.bytes_per_node)} bytes per node, ` +
        `${h.contacts_per_node.toFixed(1)} contacts in ${h.buckets_per_node.toFixed(1)} buckets, ` +
        `empty state ${Math.round(h.empty_state_bytes)} bytes`,
    )
  }

  const steps = Math.round(median(stepRates.map((r) => r.wall)))
  const stepsCpu = Math.round(median(stepRates.map((r) => r.cpu)))
  const lookups = Math.round(median(lookupRates.map((r) => r.wall)))
  const lookupsCpu = Math.round(median(lookupRates.map((r) => r.cpu)))
  const bytes = Math.round(median(heaps.map((h) => h.bytes_per_node)))
  const contacts = median(heaps.map((h) => h.contacts_per_node))
  const lines = [
    `core benchmark (${o.nodes} nodes, median of ${o.runs} runs, Node ${process.version}, load average at start ${load})`,
    `  steps/s of one core:      ${steps}  (${stepsCpu} per CPU second; mix: ${mixText})`,
    `  interleaved, all live:    ${Math.round(interleaved.wall)} steps/s  (${Math.round(interleaved.cpu)} per CPU second; every node's state kept, as a simulator does)`,
    `  µs per step by kind:      ${kindsText}`,
    `  lookups/s (oracle net):   ${lookups}  (${lookupsCpu} per CPU second; ${o.batch} at a time, ${o.dead * 100}% dead, ${o.loss * 100}% loss)`,
    `  heap bytes per NodeState: ${bytes}  (${contacts.toFixed(1)} contacts in ${median(heaps.map((h) => h.buckets_per_node)).toFixed(1)} buckets; ` +
      `an empty NodeState: ${Math.round(median(heaps.map((h) => h.empty_state_bytes)))})`,
    `  targets: ≥ 500000 steps/s ${steps >= 500_000 ? 'met' : 'NOT met'}; ≤ 10240 bytes/node ${bytes <= 10_240 ? 'met' : 'NOT met'}`,
  ]
  process.stdout.write(lines.join('\n') + '\n')
  if (o.json) process.stdout.write(JSON.stringify({ steps_per_s: steps, lookups_per_s: lookups, bytes_per_node: bytes }) + '\n')
}

main()
