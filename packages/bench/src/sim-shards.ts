/**
 * The premises of running the simulator on several threads (docs/adr/0008-sharded-simulation.md):
 * a V8 isolate cannot read another's objects, so nodes would be split among worker threads
 * ("shards"), each with its own queue and states, and every message between shards would be
 * copied. This measures the two figures that decide whether that pays:
 *
 * 1. The CPU cost of carrying one message across threads, for the messages a real run sends
 *    (recorded from the `bench:sim` scenario at `--nodes`): `structuredClone` (what
 *    `postMessage` does) and the core's own wire codec (`Wire.encode` then `Wire.decode`, what a
 *    shard would do with a shared buffer).
 * 2. Events per CPU second of one process holding n, n/2, n/4, n/8 nodes of the same workload
 *    (each in a fresh child, as `bench:sim` does): what one shard of an n-node run would do.
 *
 * It then prints the upper bound those figures allow for S shards on S cores, each shard's
 * events costing what they cost at n/S nodes plus the codec for the (S-1)/S of messages that
 * cross shards (both ends):
 *     events/s ≤ S / (t(n/S) + m · (S-1)/S · c)
 * where t is CPU seconds per event, m messages per event and c the codec's CPU seconds per
 * message. It ignores the waits at the time-window barriers, so real runs would be slower.
 *
 *   node --expose-gc packages/bench/dist/sim-shards.js [--nodes 100000] [--record-nodes 10000]
 *        [--virtual 2m] [--seed 1] [--json]
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Wire } from '@kademlia-ts/core'
import type { Message, NodeState } from '@kademlia-ts/core'
import { CoreDriver, Duration, Engine } from '@kademlia-ts/sim'
import type { Driver } from '@kademlia-ts/sim'
import { benchScenario } from './sim-scenario.js'
import type { SizeResult } from './sim-size.js'
import { integerOption } from './util/options.js'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '100000' },
    'record-nodes': { type: 'string', default: '10000' },
    virtual: { type: 'string', default: '2m' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
  },
})
const nodes = integerOption('nodes', values.nodes ?? '', 16)
const recordNodes = integerOption('record-nodes', values['record-nodes'] ?? '', 2)
const seed = integerOption('seed', values.seed ?? '', 0)
const virtualMs = Duration.parse(values.virtual ?? '')
if (virtualMs === undefined) throw new Error(`--virtual must be a duration such as 2m, got ${values.virtual}`)

const MAX_RECORDED = 200_000
const REPS = 5

// 1. The messages of a real run, in the order they were sent.
const made = CoreDriver.make({})
if (made._tag === 'Left') throw new Error(made.left.join('\n'))
const real = made.right
const sent: Message.Message[] = []
const recorder: Driver<NodeState> = {
  ...real,
  step: (s, e) => {
    const r = real.step(s, e)
    for (const eff of r.effects) if (eff._tag === 'Send' && sent.length < MAX_RECORDED) sent.push(eff.message)
    return r
  },
}
process.stderr.write(`sim-shards: recording the messages of ${recordNodes} nodes, ${Duration.format(virtualMs)} ...\n`)
const recorded = Engine.run(benchScenario(recordNodes, virtualMs, seed), recorder)
const messagesPerEvent = recorded.metrics.messages / recorded.events

const cpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}
/** Median over REPS passes of CPU seconds per message of `f` applied to every recorded message. */
const perMessage = (f: (m: Message.Message) => unknown): number => {
  const times: number[] = []
  let sink = 0
  for (let rep = 0; rep < REPS; rep++) {
    const start = cpu()
    for (const m of sent) if (f(m) !== undefined) sink++
    times.push((cpu() - start) / sent.length)
  }
  if (sink !== REPS * sent.length) throw new Error('a copy came back empty')
  times.sort((a, b) => a - b)
  return times[REPS >> 1] as number
}
const viaWire = (m: Message.Message): Message.Message => {
  const d = Wire.decode(Wire.encode(m))
  if (d._tag === 'Left') throw new Error(`the wire codec refused a message the core sent: ${Wire.describeError(d.left)}`)
  return d.right
}
process.stderr.write(`sim-shards: timing copies of ${sent.length} messages ...\n`)
const cloneS = perMessage((m) => structuredClone(m))
const wireS = perMessage(viaWire)

// 2. Events per CPU second at n, n/2, n/4, n/8 nodes.
const child = fileURLToPath(new URL('./sim-size.js', import.meta.url))
const perSize = new Map<number, SizeResult>()
for (const shards of [8, 4, 2, 1]) {
  const n = Math.floor(nodes / shards)
  process.stderr.write(`sim-shards: ${n} nodes in one process ...\n`)
  const r = spawnSync(
    process.execPath,
    ['--max-old-space-size=20000', '--max-semi-space-size=128', '--expose-gc', child, String(n), values.virtual ?? '2m', String(seed)],
    { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'], timeout: 30 * 60_000 },
  )
  const last = r.stdout?.trim().split('\n').pop() ?? ''
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`the ${n}-node run failed (exit ${r.status ?? r.signal ?? '?'})`)
  perSize.set(shards, JSON.parse(last) as SizeResult)
}

const us = (s: number): string => (s * 1e6).toFixed(2)
process.stdout.write(`\nmessages per event: ${messagesPerEvent.toFixed(3)} (${recordNodes} nodes)\n`)
process.stdout.write(`copy of one message across threads: structuredClone ${us(cloneS)} µs, wire encode + decode ${us(wireS)} µs\n\n`)
process.stdout.write('shards | nodes each | µs per event there | upper bound events/s (wire codec) | (structuredClone)\n')
process.stdout.write('-------|------------|--------------------|----------------------------------|------------------\n')
const bounds: Array<{ shards: number; nodes_each: number; us_per_event: number; bound_wire: number; bound_clone: number }> = []
for (const shards of [1, 2, 4, 8]) {
  const r = perSize.get(shards) as SizeResult
  const t = 1 / r.events_per_cpu_s
  const crossing = (messagesPerEvent * (shards - 1)) / shards
  const bound = (c: number): number => Math.round(shards / (t + crossing * c))
  bounds.push({ shards, nodes_each: r.nodes, us_per_event: t * 1e6, bound_wire: bound(wireS), bound_clone: bound(cloneS) })
  process.stdout.write(`${String(shards).padStart(6)} | ${String(r.nodes).padStart(10)} | ${us(t).padStart(18)} | ${String(bound(wireS)).padStart(32)} | ${String(bound(cloneS)).padStart(16)}\n`)
}
if (values.json) {
  process.stdout.write(
    `${JSON.stringify({ nodes, record_nodes: recordNodes, messages: sent.length, messages_per_event: messagesPerEvent, clone_us: cloneS * 1e6, wire_us: wireS * 1e6, bounds })}\n`,
  )
}
