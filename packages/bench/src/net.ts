/**
 * `pnpm bench:net`: kademlia-ts and the `bittorrent-dht` npm package side by side, in the same run,
 * on real UDP sockets on 127.0.0.1. Each network has N nodes in one process (a fresh child process
 * per network and run); the figures are the median of several runs.
 *
 *   node packages/bench/dist/net.js [--nodes 100] [--runs 3] [--lookups 400] [--values 200]
 *                                   [--kill 0.2] [--window 8] [--lookup-window 32]
 *                                   [--join 500@all,1000@all,1000@16] [--seed 1] [--json]
 *
 * Join runs (`--join`, `N@W`: N nodes joining through one seed, W at a time or all at once): all
 * at once is the harshest plain case and shows empty routing tables (a node with an empty table
 * takes part in nothing); 16 at a time gives settled tables, on which the memory figures
 * (`bytes_per_node`: the core state each node holds) are taken.
 *
 * Progress goes to stderr; the report to stdout; with `--json` the last stdout line is one JSON
 * object with `lookup_ratio` (ours / bittorrent-dht), `get_p99_ms_after_kill`,
 * `get_success_after_kill`, `bytes_per_node` and `empty_tables_at_1000`.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { kib, median, ms, pct, round } from './net-stats.js'
import type { JoinResult, Params, ScenarioResult } from './net-scenario.js'
import type { Implementation, Job, Report } from './net-worker.js'
import { fractionOption, integerOption } from './util/options.js'

// model

interface Options {
  readonly nodes: number
  readonly runs: number
  readonly lookups: number
  readonly values: number
  readonly kill: number
  /** Join runs: N nodes, W joins in flight (0: all at once). */
  readonly joins: ReadonlyArray<JoinSpec>
  readonly window: number
  readonly lookupWindow: number
  readonly seed: number
  readonly json: boolean
}

interface JoinSpec {
  readonly nodes: number
  readonly window: number
}

/** `1000@all`, `1000@16` (or a bare `1000`: all at once). */
const joinSpec = (text: string): JoinSpec => {
  const m = /^(\d+)(?:@(all|\d+))?$/.exec(text.trim())
  if (m === null) throw new Error(`--join takes N@all or N@W items, got ${text}`)
  const nodes = Number(m[1])
  const window = m[2] === undefined || m[2] === 'all' ? 0 : Number(m[2])
  if (nodes < 2) throw new Error(`--join needs at least 2 nodes, got ${text}`)
  return { nodes, window }
}
const specLabel = (j: JoinSpec): string => (j.window === 0 ? `${j.nodes}` : `${j.nodes}_w${j.window}`)

const IMPLS: ReadonlyArray<Implementation> = ['kademlia-ts', 'bittorrent-dht']
const CHILD_TIMEOUT_MS = 600_000

// constructors

const options = (): Options => {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '100' },
      runs: { type: 'string', default: '3' },
      lookups: { type: 'string', default: '400' },
      values: { type: 'string', default: '200' },
      kill: { type: 'string', default: '0.2' },
      join: { type: 'string', default: '500@all,1000@all,1000@16' },
      window: { type: 'string', default: '8' },
      'lookup-window': { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  })
  return {
    nodes: integerOption('nodes', values.nodes, 5),
    runs: integerOption('runs', values.runs, 1),
    lookups: integerOption('lookups', values.lookups, 1),
    values: integerOption('values', values.values, 1),
    kill: fractionOption('kill', values.kill),
    joins: values.join === '' || values.join === '0' ? [] : values.join.split(',').map(joinSpec),
    window: integerOption('window', values.window, 1),
    lookupWindow: integerOption('lookup-window', values['lookup-window'], 1),
    seed: integerOption('seed', values.seed, 0),
    json: values.json,
  }
}

// transitions

const began = performance.now()
const log = (line: string): void =>
  void process.stderr.write(`[bench:net ${((performance.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}\n`)

/** Runs `job` in a child process with `--expose-gc`; rejects on error, exit or timeout. */
const runChild = (job: Job, label: string): Promise<Report> =>
  new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL('./net-worker.js', import.meta.url)), [JSON.stringify(job)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    })
    let result: Report | undefined
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${label}: no result within ${CHILD_TIMEOUT_MS / 1000} s`))
    }, CHILD_TIMEOUT_MS)
    child.on('message', (m: Report) => {
      if (m.type === 'progress') log(`${label}: ${m.line}`)
      else result = m
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (result === undefined) reject(new Error(`${label}: exited with code ${String(code)} and no result`))
      else if (result.type === 'error') reject(new Error(`${label}: ${result.message}`))
      else resolve(result)
    })
  })

const scenario = async (impl: Implementation, params: Params, label: string): Promise<ScenarioResult> => {
  const r = await runChild({ kind: 'scenario', impl, params }, label)
  if (r.type !== 'scenario') throw new Error(`${label}: unexpected report ${r.type}`)
  return r.result
}

const join = async (impl: Implementation, nodes: number, window: number, label: string): Promise<JoinResult> => {
  const r = await runChild({ kind: 'join', impl, nodes, window: window === 0 ? nodes : window }, label)
  if (r.type !== 'join') throw new Error(`${label}: unexpected report ${r.type}`)
  return r.result
}

// report

type Row = readonly [string, string, string]

const table = (title: string, rows: ReadonlyArray<Row>): string =>
  [`${title}`, '', '| | kademlia-ts | bittorrent-dht |', '|---|---:|---:|', ...rows.map((r) => `| ${r.join(' | ')} |`), ''].join('\n')

const main = async (): Promise<void> => {
  const o = options()
  const scenarios: Record<Implementation, ScenarioResult[]> = { 'kademlia-ts': [], 'bittorrent-dht': [] }
  const joins = new Map<string, JoinResult[]>()
  const joinKey = (impl: Implementation, spec: JoinSpec): string => `${impl}@${specLabel(spec)}`
  for (let run = 0; run < o.runs; run++) {
    const params: Params = {
      nodes: o.nodes,
      lookups: o.lookups,
      values: o.values,
      window: o.window,
      lookupWindow: o.lookupWindow,
      killFraction: o.kill,
      seed: o.seed + run,
    }
    // Alternate the order so neither network always runs on a warmer or busier machine.
    const order = run % 2 === 0 ? IMPLS : [...IMPLS].reverse()
    for (const impl of order) {
      log(`run ${run + 1}/${o.runs}: ${impl}, ${o.nodes} nodes`)
      scenarios[impl].push(await scenario(impl, params, `run ${run + 1} ${impl}`))
    }
    for (const spec of o.joins)
      for (const impl of order) {
        const how = spec.window === 0 ? 'all at once' : `${spec.window} at a time`
        log(`run ${run + 1}/${o.runs}: join of ${spec.nodes} ${impl} nodes, ${how}`)
        const r = await join(impl, spec.nodes, spec.window, `run ${run + 1} join ${specLabel(spec)} ${impl}`)
        joins.set(joinKey(impl, spec), [...(joins.get(joinKey(impl, spec)) ?? []), r])
      }
  }

  const m = (impl: Implementation, f: (r: ScenarioResult) => number): number => median(scenarios[impl].map(f))
  const j = (impl: Implementation, spec: JoinSpec, f: (r: JoinResult) => number): number =>
    median((joins.get(joinKey(impl, spec)) ?? []).map(f))
  const row = (label: string, f: (impl: Implementation) => string): Row => [label, f('kademlia-ts'), f('bittorrent-dht')]
  const p5099 = (f: (r: ScenarioResult) => { p50: number; p99: number }) => (impl: Implementation) =>
    `${ms(m(impl, (r) => f(r).p50))} / ${ms(m(impl, (r) => f(r).p99))}`
  const state = (x: number): string => (Number.isFinite(x) ? kib(x) : 'n/a (not kept apart)')

  const lookupRatio = m('kademlia-ts', (r) => r.lookupsPerSecond) / m('bittorrent-dht', (r) => r.lookupsPerSecond)
  const killPct = `${Math.round(o.kill * 100)} %`
  // Memory is read on the biggest join with a window (settled tables), else the biggest join.
  const memorySpec = [...o.joins].sort((a, b) => (a.window === 0 ? 0 : 1) - (b.window === 0 ? 0 : 1) || a.nodes - b.nodes).pop()
  const out = [
    `UDP network on 127.0.0.1: N = ${o.nodes} nodes per network in one process, median of ${o.runs} run(s);`,
    `${o.lookups} lookups (${o.lookupWindow} in flight) and ${o.values} puts + gets (${o.window} in flight) from random nodes.`,
    '',
    table('Before the kill', [
      row(`join of N, ${o.window} at a time (ms)`, (i) => ms(m(i, (r) => r.joinMs))),
      row('lookups/s', (i) => m(i, (r) => r.lookupsPerSecond).toFixed(0)),
      row('CPU per lookup (ms, whole process)', (i) => m(i, (r) => r.lookupCpuMs).toFixed(2)),
      row('put p50 / p99 (ms)', p5099((r) => r.put)),
      row('put success', (i) => pct(m(i, (r) => r.putSuccess))),
      row('get p50 / p99 (ms)', p5099((r) => r.get)),
      row('get success (of the values stored)', (i) => pct(m(i, (r) => r.getSuccess))),
      row('RSS per node', (i) => kib(m(i, (r) => r.memory.rssPerNode))),
      row('JS heap per node', (i) => kib(m(i, (r) => r.memory.heapPerNode))),
    ]),
    table(`After killing ${killPct} of the nodes (no repair time)`, [
      row('get p50 / p99 (ms)', p5099((r) => r.getAfterKill)),
      row('get success (of the values stored)', (i) => pct(m(i, (r) => r.getSuccessAfterKill))),
    ]),
    ...o.joins.map((n) =>
      table(`Join of N = ${n.nodes}, ${n.window === 0 ? 'all at once' : `${n.window} at a time`}, through one seed`, [
        row('join time (ms)', (i) => ms(j(i, n, (r) => r.joinMs))),
        row('joins reported failed', (i) => String(j(i, n, (r) => r.failedJoins))),
        row('empty routing tables', (i) => String(j(i, n, (r) => r.emptyTables))),
        row('mean contacts per table', (i) => j(i, n, (r) => r.meanTableSize).toFixed(1)),
        row('protocol state per node', (i) => state(j(i, n, (r) => r.memory.statePerNode))),
        row('JS heap per node (whole node)', (i) => kib(j(i, n, (r) => r.memory.heapPerNode))),
        row('RSS per node', (i) => kib(j(i, n, (r) => r.memory.rssPerNode))),
      ]),
    ),
    `lookup ratio (kademlia-ts / bittorrent-dht): ${lookupRatio.toFixed(2)}`,
  ]
  process.stdout.write(`${out.join('\n')}\n`)

  if (o.json) {
    const summary = (impl: Implementation) => ({
      lookups_per_s: round(m(impl, (r) => r.lookupsPerSecond), 1),
      lookup_cpu_ms: round(m(impl, (r) => r.lookupCpuMs), 3),
      put_p50_ms: round(m(impl, (r) => r.put.p50)),
      put_p99_ms: round(m(impl, (r) => r.put.p99)),
      put_success_rate: round(m(impl, (r) => r.putSuccess), 4),
      get_p50_ms: round(m(impl, (r) => r.get.p50)),
      get_p99_ms: round(m(impl, (r) => r.get.p99)),
      get_success_rate: round(m(impl, (r) => r.getSuccess), 4),
      get_p50_ms_after_kill: round(m(impl, (r) => r.getAfterKill.p50)),
      get_p99_ms_after_kill: round(m(impl, (r) => r.getAfterKill.p99)),
      get_success_after_kill: round(m(impl, (r) => r.getSuccessAfterKill), 4),
      rss_per_node: Math.round(m(impl, (r) => r.memory.rssPerNode)),
      heap_per_node: Math.round(m(impl, (r) => r.memory.heapPerNode)),
      ...Object.fromEntries(
        o.joins.flatMap((n) => {
          const at = specLabel(n)
          const stateBytes = j(impl, n, (r) => r.memory.statePerNode)
          return [
            [`empty_tables_at_${at}`, j(impl, n, (r) => r.emptyTables)],
            [`failed_joins_at_${at}`, j(impl, n, (r) => r.failedJoins)],
            [`mean_contacts_at_${at}`, round(j(impl, n, (r) => r.meanTableSize), 1)],
            [`join_ms_at_${at}`, Math.round(j(impl, n, (r) => r.joinMs))],
            [`state_bytes_per_node_at_${at}`, Number.isFinite(stateBytes) ? Math.round(stateBytes) : null],
            [`heap_per_node_at_${at}`, Math.round(j(impl, n, (r) => r.memory.heapPerNode))],
          ]
        }),
      ),
    })
    const ours = summary('kademlia-ts')
    const line = {
      nodes: o.nodes,
      runs: o.runs,
      lookup_ratio: round(lookupRatio, 2),
      get_p99_ms_after_kill: ours.get_p99_ms_after_kill,
      get_success_after_kill: ours.get_success_after_kill,
      // The core state each node holds (routing table, records, RPCs in flight), on settled tables.
      bytes_per_node: memorySpec === undefined ? null : Math.round(j('kademlia-ts', memorySpec, (r) => r.memory.statePerNode)),
      bytes_per_node_measured_at: memorySpec === undefined ? null : specLabel(memorySpec),
      ...Object.fromEntries(o.joins.map((n) => [`empty_tables_at_${specLabel(n)}`, j('kademlia-ts', n, (r) => r.emptyTables)])),
      kademlia_ts: ours,
      bittorrent_dht: summary('bittorrent-dht'),
    }
    process.stdout.write(`${JSON.stringify(line)}\n`)
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:net failed: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
