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
 *   recorded, then replayed through `Node.step` from the same starting states, one node's stream
 *   after the other, in a worker thread (a fresh isolate, see `core-replay.ts`). Also reported:
 *   all streams interleaved with every state live, in this thread (as a simulator holds them).
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
import { Worker } from 'node:worker_threads'
import { Config, Node, NodeId, Prng } from '@kademlia-ts/core'
import type { Event, NodeState } from '@kademlia-ts/core'
import { OracleNetwork } from '@kademlia-ts/core/testing'
import { mark, median, now, seconds, since } from './core-stats.js'
import type { HeapReport } from './core-heap.js'
import { kindOf } from './core-replay.js'
import type { Rate, ReplayInput, ReplayOutput } from './core-replay.js'
import { fractionOption, integerOption } from './util/options.js'

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
  return {
    nodes: integerOption('nodes', values.nodes, 2),
    runs: integerOption('runs', values.runs, 1),
    lookups: integerOption('lookups', values.lookups, 1),
    batch: integerOption('batch', values.batch, 1),
    dead: fractionOption('dead', values.dead),
    loss: fractionOption('loss', values.loss),
    seed: integerOption('seed', values.seed, 0),
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

/** The node-by-node replay in a worker thread (`core-replay.ts`): its rates and µs per kind. */
const replayInWorker = (input: ReplayInput): Promise<ReplayOutput> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(fileURLToPath(new URL('./core-replay.js', import.meta.url)), { workerData: input })
    // The worker exits by itself once it posted its result (and flushed its progress lines).
    worker.once('message', resolve)
    worker.once('error', reject)
    worker.once('exit', (code) => reject(new Error(`replay worker exited with code ${code} before its result`)))
  })

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

const main = async (): Promise<void> => {
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
  log(`replaying them node by node in a worker thread (${groups.length} nodes)`)
  const replayed = await replayInWorker({
    groups: groups.map(([node, events]) => [(net0.nodes[node] as OracleNetwork.OracleNode).state, events] as const),
    runs: o.runs,
    minSeconds: 1,
  })
  const stepRates = replayed.rates
  const interleaved = replayInterleaved(net0, entries)
  log(`interleaved, all states live: ${Math.round(interleaved.wall)} steps/s (${Math.round(interleaved.cpu)} per CPU second)`)

  const kinds = replayed.kinds
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
    `  steps/s of one core:      ${steps}  (${stepsCpu} per CPU second; node by node in a fresh worker isolate; mix: ${mixText})`,
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

await main()
