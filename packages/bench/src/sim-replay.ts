/**
 * The simulator's own cost per event, apart from the core's: runs the `bench:sim` scenario once
 * with the real core (the full cost per event), once more while recording every value the driver returns (states, effects, deadlines,
 * table views), in call order; then runs the engine again, `--reps` times, against a driver that
 * hands those values back in the same order. The engine is deterministic, so a replay makes exactly
 * the calls the recorded run made and does all of the simulator's work (queue, network model,
 * effects, trace hash, metrics) with no core at all; a replay whose trace hash differs is an error.
 *
 *   node --expose-gc --max-old-space-size=8000 packages/bench/dist/sim-replay.js [--nodes 10000]
 *        [--virtual 5m] [--reps 3] [--seed 1]
 *
 * Prints the full run's and the best replay's events per CPU second of the event loop (prefill
 * excluded; CPU of the whole process, so collector threads count) and the simulator's share of
 * the CPU per event, then one JSON line. The replayed effects were allocated long before, so they
 * are colder in the cache than the fresh ones a real run reads: the replay bounds the simulator's
 * share from above.
 */
import { CoreDriver, Duration, Engine } from '@kademlia-ts/sim'
import type { Driver } from '@kademlia-ts/sim'
import type { NodeState } from '@kademlia-ts/core'
import { parseArgs } from 'node:util'
import { benchScenario } from './sim-scenario.js'

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '10000' },
    virtual: { type: 'string', default: '5m' },
    reps: { type: 'string', default: '3' },
    seed: { type: 'string', default: '1' },
  },
})
const nodes = Number(values.nodes)
const virtual = Duration.parse(values.virtual ?? '5m')
const reps = Number(values.reps)
if (!Number.isInteger(nodes) || nodes < 2 || virtual === undefined || !Number.isInteger(reps) || reps < 1 || reps > 100) {
  throw new Error('usage: sim-replay.js [--nodes N ≥ 2] [--virtual 5m] [--reps 1..100] [--seed S]')
}
const scenario = benchScenario(nodes, virtual, Number(values.seed))
const made = CoreDriver.make({})
if (made._tag === 'Left') throw new Error(made.left.join('\n'))
const real = made.right

const cpu = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1e6
}

// Every value the driver returns, in call order.
const log: unknown[] = []
const record =
  <A extends unknown[], R>(f: (...a: A) => R) =>
  (...a: A): R => {
    const r = f(...a)
    log.push(r)
    return r
  }
const recorder: Driver<NodeState> = {
  bucketSize: real.bucketSize,
  init: record(real.init),
  step: record(real.step),
  nextDeadline: record(real.nextDeadline),
  contactIds: record(real.contactIds),
  bucketCount: record(real.bucketCount),
  prefill: record(real.prefill),
}
// The full cost, without recording (the log keeps every state alive, which slows the collector).
let loopCpu = 0
const plain = Engine.run(scenario, real, { onStarted: () => (loopCpu = cpu()) })
loopCpu = cpu() - loopCpu
const full = Engine.run(scenario, recorder)
if (full.traceHash !== plain.traceHash) throw new Error('the recording run diverged from the plain one')

let cursor = 0
const next = (): never => log[cursor++] as never
const replayer: Driver<NodeState> = { bucketSize: real.bucketSize, init: next, step: next, nextDeadline: next, contactIds: next, bucketCount: next, prefill: next }
let best = Infinity
for (let rep = 0; rep < reps; rep++) {
  cursor = 0
  let start = 0
  const r = Engine.run(scenario, replayer, { onStarted: () => (start = cpu()) })
  const spent = cpu() - start
  if (r.traceHash !== full.traceHash || cursor !== log.length) throw new Error(`replay ${rep} diverged from the recorded run`)
  best = Math.min(best, spent)
}

const perEvent = (s: number): number => (1e6 * s) / full.events
const out = {
  nodes,
  virtual_s: virtual / 1000,
  events: full.events,
  full_events_per_cpu_s: Math.round(full.events / loopCpu),
  full_us_per_event: Math.round(perEvent(loopCpu) * 100) / 100,
  sim_events_per_cpu_s: Math.round(full.events / best),
  sim_us_per_event: Math.round(perEvent(best) * 100) / 100,
  sim_share: Math.round((best / loopCpu) * 1000) / 1000,
  trace_hash: full.traceHash,
}
process.stdout.write(
  `${nodes} nodes, ${out.events} events: full run ${out.full_events_per_cpu_s} events per CPU s (${out.full_us_per_event} µs each); ` +
    `simulator alone (best of ${reps} replays) ${out.sim_events_per_cpu_s} (${out.sim_us_per_event} µs), ${(100 * out.sim_share).toFixed(1)} % of the full run\n`,
)
process.stdout.write(`${JSON.stringify(out)}\n`)
