/**
 * `pnpm bench:net`: kademlia-ts and the `bittorrent-dht` npm package side by side, in the same run,
 * on real UDP sockets on 127.0.0.1. Each network has N nodes in one process (a fresh child process
 * per network and run); the figures are the median of several runs.
 *
 *   node packages/bench/dist/net.js [--nodes 100] [--runs 3] [--lookups 400] [--values 200]
 *                                   [--kill 0.2] [--window 8] [--lookup-window 32]
 *                                   [--join 500,1000] [--join-window 0] [--seed 1] [--json]
 *
 * The join runs start every node's join at the same moment (`--join-window 0`), all through one
 * seed, the harshest plain case; a node whose table stays empty cannot take part in anything.
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

// model

interface Options {
  readonly nodes: number
  readonly runs: number
  readonly lookups: number
  readonly values: number
  readonly kill: number
  readonly joins: ReadonlyArray<number>
  /** Joins in flight at once in the join runs; 0: all at once. */
  readonly joinWindow: number
  readonly window: number
  readonly lookupWindow: number
  readonly seed: number
  readonly json: boolean
}

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
      join: { type: 'string', default: '500,1000' },
      'join-window': { type: 'string', default: '0' },
      window: { type: 'string', default: '8' },
      'lookup-window': { type: 'string', default: '32' },
      seed: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
  })
  const int = (name: string, text: string, min: number): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`)
    return n
  }
  const kill = Number(values.kill)
  if (!(kill >= 0 && kill < 1)) throw new Error(`--kill must be in [0, 1), got ${values.kill}`)
  return {
    nodes: int('nodes', values.nodes, 5),
    runs: int('runs', values.runs, 1),
    lookups: int('lookups', values.lookups, 1),
    values: int('values', values.values, 1),
    kill,
    joins: values.join === '' || values.join === '0' ? [] : values.join.split(',').map((x) => int('join', x.trim(), 2)),
    joinWindow: int('join-window', values['join-window'], 0),
    window: int('window', values.window, 1),
    lookupWindow: int('lookup-window', values['lookup-window'], 1),
    seed: int('seed', values.seed, 0),
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
  const joinKey = (impl: Implementation, n: number): string => `${impl}@${n}`
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
    for (const n of o.joins)
      for (const impl of order) {
        log(`run ${run + 1}/${o.runs}: join of ${n} ${impl} nodes`)
        const r = await join(impl, n, o.joinWindow, `run ${run + 1} join ${n} ${impl}`)
        joins.set(joinKey(impl, n), [...(joins.get(joinKey(impl, n)) ?? []), r])
      }
  }

  const m = (impl: Implementation, f: (r: ScenarioResult) => number): number => median(scenarios[impl].map(f))
  const j = (impl: Implementation, n: number, f: (r: JoinResult) => number): number =>
    median((joins.get(joinKey(impl, n)) ?? []).map(f))
  const row = (label: string, f: (impl: Implementation) => string): Row => [label, f('kademlia-ts'), f('bittorrent-dht')]
  const p5099 = (f: (r: ScenarioResult) => { p50: number; p99: number }) => (impl: Implementation) =>
    `${ms(m(impl, (r) => f(r).p50))} / ${ms(m(impl, (r) => f(r).p99))}`
  const state = (x: number): string => (Number.isFinite(x) ? kib(x) : 'n/a (not kept apart)')

  const lookupRatio = m('kademlia-ts', (r) => r.lookupsPerSecond) / m('bittorrent-dht', (r) => r.lookupsPerSecond)
  const killPct = `${Math.round(o.kill * 100)} %`
  const biggest = o.joins.length === 0 ? undefined : Math.max(...o.joins)
  const out = [
    `UDP network on 127.0.0.1: N = ${o.nodes} nodes per network in one process, median of ${o.runs} run(s);`,
    `${o.lookups} lookups (${o.lookupWindow} in flight) and ${o.values} puts + gets (${o.window} in flight) from random nodes.`,
    '',
    table('Before the kill', [
      row(`join of N, ${o.window} at a time (ms)`, (i) => ms(m(i, (r) => r.joinMs))),
      row('lookups/s', (i) => m(i, (r) => r.lookupsPerSecond).toFixed(0)),
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
      table(`Join of N = ${n}, ${o.joinWindow === 0 ? 'all at once' : `${o.joinWindow} at a time`}, through one seed`, [
        row('join time (ms)', (i) => ms(j(i, n, (r) => r.joinMs))),
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
        o.joins.flatMap((n) => [
          [`empty_tables_at_${n}`, j(impl, n, (r) => r.emptyTables)],
          [`mean_contacts_at_${n}`, round(j(impl, n, (r) => r.meanTableSize), 1)],
          [`join_ms_at_${n}`, Math.round(j(impl, n, (r) => r.joinMs))],
          [`state_bytes_per_node_at_${n}`, Number.isFinite(j(impl, n, (r) => r.memory.statePerNode)) ? Math.round(j(impl, n, (r) => r.memory.statePerNode)) : null],
          [`heap_per_node_at_${n}`, Math.round(j(impl, n, (r) => r.memory.heapPerNode))],
        ]),
      ),
    })
    const ours = summary('kademlia-ts')
    const line = {
      nodes: o.nodes,
      runs: o.runs,
      lookup_ratio: round(lookupRatio, 2),
      get_p99_ms_after_kill: ours.get_p99_ms_after_kill,
      get_success_after_kill: ours.get_success_after_kill,
      // The core state each node holds (routing table, records, RPCs in flight), at the biggest join.
      bytes_per_node: biggest === undefined ? null : Math.round(j('kademlia-ts', biggest, (r) => r.memory.statePerNode)),
      ...Object.fromEntries(o.joins.map((n) => [`empty_tables_at_${n}`, j('kademlia-ts', n, (r) => r.emptyTables)])),
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
