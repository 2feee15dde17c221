/**
 * The `kademlia-sim` command line: flags and scenario files into a run, results into files and
 * stdout. `cli.ts` is the executable entry point; this module is importable (and tested).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { getHeapStatistics } from 'node:v8'
import { Command, InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseYaml } from 'yaml'
import * as CoreDriver from './core-driver.js'
import * as Duration from './duration.js'
import * as Engine from './engine.js'
import * as HeapBudget from './heap-budget.js'
import * as Progress from './progress.js'
import * as Report from './report.js'
import * as Scenario from './scenario.js'
import * as Summary from './summary.js'

interface RunFlags {
  readonly nodes?: number
  readonly duration?: string
  readonly churn?: string
  readonly seed?: number
  readonly out?: string
  readonly json?: boolean
  readonly join?: string
  readonly lookups?: number
  readonly gets?: number
  readonly puts?: number
  readonly keys?: number
  readonly loss?: number
  readonly latency?: string
  readonly name?: string
  readonly report?: boolean
  readonly progress?: boolean
}

const int = (v: string): number => {
  const n = Number(v)
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number')
  return n
}
const num = (v: string): number => {
  const n = Number(v)
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a number ≥ 0')
  return n
}

/** `exponential:1h`, `weibull:0.6:2h` (shape, scale), `pareto:1.5:20m` (shape, minimum). */
export const churnFlag = (spec: string): unknown => {
  const [kind, a, b] = spec.split(':')
  switch (kind) {
    case 'exponential':
    case 'exp':
      return { session: { kind: 'exponential', mean: a } }
    case 'weibull':
      return { session: { kind: 'weibull', shape: Number(a), scale: b } }
    case 'pareto':
      return { session: { kind: 'pareto', shape: Number(a), min: b } }
    default:
      return { session: { kind } }
  }
}

/** `constant:50`, `uniform:20:200`, `lognormal:50:0.5` (median ms, sigma). */
export const latencyFlag = (spec: string): unknown => {
  const [kind, a, b] = spec.split(':')
  switch (kind) {
    case 'constant':
      return { kind, ms: Number(a) }
    case 'uniform':
      return { kind, min: Number(a), max: Number(b) }
    case 'lognormal':
      return { kind, median: Number(a), sigma: Number(b) }
    default:
      return { kind }
  }
}

type Raw = Record<string, unknown>
const section = (raw: Raw, key: string): Raw => {
  const v = raw[key]
  const s: Raw = typeof v === 'object' && v !== null && !Array.isArray(v) ? { ...(v as Raw) } : {}
  raw[key] = s
  return s
}

/** The raw scenario: the file's content (if any) with the flags laid over it. */
export const rawScenario = (file: string | undefined, flags: RunFlags): unknown => {
  const raw: Raw = {}
  if (file !== undefined) {
    const text = readFileSync(file, 'utf8')
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return parsed
    Object.assign(raw, parsed)
  }
  if (flags.name !== undefined) raw['name'] = flags.name
  if (flags.nodes !== undefined) raw['nodes'] = flags.nodes
  if (flags.duration !== undefined) raw['duration'] = flags.duration
  if (flags.seed !== undefined) raw['seed'] = flags.seed
  if (flags.join !== undefined) section(raw, 'join')['mode'] = flags.join
  if (flags.churn !== undefined) raw['churn'] = churnFlag(flags.churn)
  if (flags.loss !== undefined) section(raw, 'network')['loss'] = flags.loss
  if (flags.latency !== undefined) section(raw, 'network')['latency'] = latencyFlag(flags.latency)
  if (flags.lookups !== undefined) section(raw, 'workload')['lookups'] = flags.lookups
  if (flags.gets !== undefined) section(raw, 'workload')['gets'] = flags.gets
  if (flags.puts !== undefined) section(raw, 'workload')['puts'] = flags.puts
  if (flags.keys !== undefined) section(raw, 'workload')['keys'] = flags.keys
  if (file === undefined) {
    // A bare flag run gets a modest default workload so it measures something.
    const w = section(raw, 'workload')
    if (w['lookups'] === undefined && w['gets'] === undefined && w['puts'] === undefined) Object.assign(w, { lookups: 2, puts: 1, gets: 4 })
    if (raw['name'] === undefined) raw['name'] = `flags-${String(raw['nodes'])}`
  }
  return raw
}

export const runCommand = async (file: string | undefined, flags: RunFlags): Promise<number> => {
  const decoded = Scenario.decode(rawScenario(file, flags))
  if (E.isLeft(decoded)) {
    process.stderr.write(`${Scenario.formatError(decoded.left)}\n`)
    return 2
  }
  const scenario = decoded.right
  const driver = CoreDriver.make(scenario.core)
  if (E.isLeft(driver)) {
    process.stderr.write(`invalid scenario:\n${driver.left.map((l) => `  ${l}`).join('\n')}\n`)
    return 2
  }
  const tooBig = HeapBudget.warning(scenario.nodes, getHeapStatistics().heap_size_limit)
  if (tooBig !== undefined) process.stderr.write(`kademlia-sim: warning: ${tooBig}\n`)
  const bar = Progress.make(flags.progress !== false)
  if (!flags.json) {
    process.stderr.write(
      `kademlia-sim: ${scenario.name}: ${scenario.nodes} nodes, ${Duration.format(scenario.duration)} virtual, seed ${scenario.seed}, join mode ${scenario.join.mode}${scenario.join.mode === 'prefill' ? ' (tables prefilled from the sorted id list, not by protocol joins)' : ''}\n`,
    )
  }
  const result = Engine.run(scenario, driver.right, {
    onProgress: bar.update,
    onPrefill: (done, total) => {
      if (!flags.json && process.stderr.isTTY === true && flags.progress !== false) process.stderr.write(`\rprefill ${done} / ${total} nodes`)
    },
    onStarted: () => {
      if (!flags.json && process.stderr.isTTY === true && flags.progress !== false && scenario.nodes >= 8192) process.stderr.write('\n')
    },
  })
  bar.stop()
  const heap = process.memoryUsage().heapUsed
  const line = Summary.line(result, heap)
  const out = flags.out ?? join('sim-out', scenario.name)
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, 'result.json'), `${JSON.stringify(Summary.full(result, heap), null, 2)}\n`)
  writeFileSync(join(out, 'operations.jsonl'), Summary.operations(result))
  if (flags.report !== false) writeFileSync(join(out, 'report.html'), await Report.html(result, heap))
  if (flags.json) process.stdout.write(`${JSON.stringify(line)}\n`)
  else {
    const pct = (x: number): string => `${(100 * x).toFixed(2)}%`
    process.stdout.write(
      [
        `events ${line.events} in ${line.wall_s} s (${line.events_per_s} events/s), prefill ${line.prefill_s} s`,
        `lookups ${line.lookups}: success ${pct(line.lookup_success_rate)}, mean hops ${line.mean_hops}, mean RPCs ${line.mean_rpcs}, true closest found ${line.closest_found_rate === null ? 'n/a' : pct(line.closest_found_rate)}`,
        `gets ${line.gets}: success ${pct(line.get_success_rate)}; puts ${line.puts}: success ${pct(line.put_success_rate)}`,
        `live nodes at end ${line.live_at_end} (${line.nodes_created} created); ${line.messages} messages, ${line.bytes} bytes`,
        `trace hash ${line.trace_hash}`,
        `wrote ${join(out, 'result.json')}, ${join(out, 'operations.jsonl')}${flags.report !== false ? ` and ${join(out, 'report.html')}` : ''}`,
        '',
      ].join('\n'),
    )
  }
  return 0
}

export const program = (): Command => {
  const p = new Command('kademlia-sim').description('Deterministic discrete-event simulator of Kademlia running the real @kademlia-ts/core')
  p.command('run')
    .description('run a scenario (a JSON or YAML file) or one built from flags')
    .argument('[scenario]', 'scenario file (.json, .yaml)')
    .option('--nodes <n>', 'number of nodes', int)
    .option('--duration <d>', 'virtual duration, e.g. 30m, 2h')
    .option('--churn <spec>', 'session lengths: exponential:1h | weibull:SHAPE:SCALE | pareto:SHAPE:MIN')
    .option('--seed <s>', 'seed (32-bit integer)', int)
    .option('--join <mode>', 'prefill (fast, tables seeded from the sorted ids) or protocol (real joins)')
    .option('--lookups <rate>', 'FIND_NODE lookups per second (whole network)', num)
    .option('--gets <rate>', 'gets per second (whole network)', num)
    .option('--puts <rate>', 'puts per second (whole network)', num)
    .option('--keys <n>', 'number of distinct keys', int)
    .option('--loss <p>', 'datagram loss probability', num)
    .option('--latency <spec>', 'constant:MS | uniform:MIN:MAX | lognormal:MEDIAN:SIGMA')
    .option('--name <name>', 'scenario name (names the output folder)')
    .option('--out <dir>', 'output folder (default sim-out/<name>)')
    .option('--json', 'end with one JSON line of results')
    .option('--no-report', 'skip the HTML report')
    .option('--no-progress', 'no progress bar')
    .action(async (file: string | undefined, flags: RunFlags) => {
      process.exitCode = await runCommand(file, flags)
    })
  return p
}

