/**
 * `pnpm bench:routing`: our RoutingTable and the `k-bucket` npm package side by side, built in
 * the same run from the same random contacts (10^5 contacts, k = 20).
 *
 * - observe: insert the 10^5 contacts one by one (most land in full buckets: cached and probed,
 *   or in k-bucket's case a `ping` event), then 10^5 observations of contacts the table holds
 *   (refresh, moved to the tail). Rate = observations per second over both phases.
 * - closest(20) for 10^4 random targets. Rate = queries per second.
 * - exactness: closest(20) of both against a brute-force sort of each table's own contents.
 * - heap bytes per contact (see routing-memory.ts): per contact held in one large-bucket table
 *   (the JSON figure), and for 300 k = 20 tables whose replacement caches are full.
 * Speed figures (per CPU second of this process) are the median of 5 runs (each run builds both tables afresh, alternating which
 * goes first). Progress goes to stderr; `--json` ends the output with one JSON line
 * `{"observe_ratio":…,"closest_ratio":…,"bytes_per_contact":…,"bytes_per_contact_k20":…,"exact":…}`,
 * ratios = ours / k-bucket.
 *
 * Options: --json, --runs N (5), --contacts N (100000), --targets N (10000), --seed N (1).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { NodeId, RoutingTable } from '@kademlia-ts/core'
import { measureMemory } from './routing-memory.js'
import type { Workload } from './routing-workload.js'
import {
  exactCount, kClosest, kInsert, kRefresh, makeWorkload, ourClosest, ourInsert, ourRefresh,
} from './routing-workload.js'

// model

interface Options {
  readonly json: boolean
  readonly runs: number
  readonly contacts: number
  readonly targets: number
  readonly seed: number
}

interface RunResult {
  readonly ours: { readonly insert: number; readonly refresh: number; readonly observe: number; readonly closest: number }
  readonly theirs: { readonly insert: number; readonly refresh: number; readonly observe: number; readonly closest: number }
  readonly oursSize: number
  readonly theirsSize: number
  readonly checksum: number
}

const K = 20
const N_CLOSEST = 20

// constructors

const parseOptions = (argv: ReadonlyArray<string>): Options => {
  const value = (name: string, fallback: number): number => {
    const i = argv.indexOf(name)
    const v = i >= 0 ? Number(argv[i + 1]) : fallback
    if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} needs a positive number`)
    return v
  }
  return {
    json: argv.includes('--json'),
    runs: value('--runs', 5),
    contacts: value('--contacts', 100_000),
    targets: value('--targets', 10_000),
    seed: value('--seed', 1),
  }
}

// queries

/**
 * CPU milliseconds of this process (user + system, all threads). The machine is shared and
 * noisy, so the rates are per CPU second rather than per wall-clock second; both libraries are
 * measured the same way in the same process.
 */
const now = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}
const median = (xs: ReadonlyArray<number>): number => {
  const s = xs.slice().sort((a, b) => a - b)
  const m = s.length >>> 1
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2
}
const progress = (msg: string): void => {
  process.stderr.write(`[bench:routing] ${msg}\n`)
}
const fmt = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(2))

// transitions

const runOnce = (w: Workload, oursFirst: boolean): RunResult => {
  const refreshes = w.peers.length
  let checksum = 0
  /** Operations per second of each phase from its milliseconds, and the table's size. */
  const rates = (insert: number, refresh: number, closest: number, size: number) => ({
    insert: w.peers.length / (insert / 1000),
    refresh: refreshes / (refresh / 1000),
    observe: (w.peers.length + refreshes) / ((insert + refresh) / 1000),
    closest: w.targets.length / (closest / 1000),
    size,
  })
  const measureOurs = (): RunResult['ours'] & { size: number } => {
    let t0 = now()
    const t = ourInsert(w, RoutingTable.defaultConfig)
    const insert = now() - t0
    t0 = now()
    const t2 = ourRefresh(t, refreshes, w.peers.length)
    const refresh = now() - t0
    t0 = now()
    checksum += ourClosest(t2, w.targets, N_CLOSEST)
    const closest = now() - t0
    return rates(insert, refresh, closest, RoutingTable.size(t2))
  }
  const measureTheirs = (): RunResult['theirs'] & { size: number } => {
    let t0 = now()
    const kb = kInsert(w, K)
    const insert = now() - t0
    t0 = now()
    kRefresh(kb, refreshes)
    const refresh = now() - t0
    t0 = now()
    checksum += kClosest(kb, w.targets, N_CLOSEST)
    const closest = now() - t0
    return rates(insert, refresh, closest, kb.count())
  }
  const a = oursFirst ? measureOurs() : undefined
  const theirs = measureTheirs()
  const ours = a ?? measureOurs()
  return { ours, theirs, oursSize: ours.size, theirsSize: theirs.size, checksum }
}

const main = (): void => {
  // The heap figures need `gc()`: re-run this script under --expose-gc when it is missing.
  if (typeof (globalThis as { gc?: unknown }).gc !== 'function') {
    const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
      stdio: 'inherit',
    })
    process.exit(r.status ?? 1)
  }
  const opts = parseOptions(process.argv.slice(2))
  progress(`${opts.contacts} contacts, k = ${K}, ${opts.targets} closest(${N_CLOSEST}) queries, ${opts.runs} runs`)
  const w = makeWorkload(opts.seed, opts.contacts, opts.targets)

  // Warm-up (JIT) on a tenth of the work, results discarded.
  runOnce(makeWorkload(opts.seed + 1, Math.ceil(opts.contacts / 10), Math.ceil(opts.targets / 10)), true)

  const runs: RunResult[] = []
  for (let r = 0; r < opts.runs; r++) {
    runs.push(runOnce(w, r % 2 === 0))
    const last = runs[runs.length - 1] as RunResult
    progress(`run ${r + 1}/${opts.runs}: observe ${fmt(last.ours.observe)} vs ${fmt(last.theirs.observe)} /s, closest ${fmt(last.ours.closest)} vs ${fmt(last.theirs.closest)} /s`)
  }
  const med = (f: (r: RunResult) => number): number => median(runs.map(f))

  progress('exactness against brute force')
  const exactTargets = w.targets.slice(0, 2000)
  const ours = ourRefresh(ourInsert(w, RoutingTable.defaultConfig), 1000, w.peers.length)
  const oursContents = RoutingTable.contacts(ours).map((c) => c.id)
  const oursExact = exactCount(oursContents, exactTargets, N_CLOSEST, (t) => RoutingTable.closest(ours, t, N_CLOSEST).map((c) => c.id))
  const kb = kInsert(w, K)
  const kContents = kb.toArray().map((c) => c.id)
  const kExact = exactCount(kContents, exactTargets, N_CLOSEST, (t) => kb.closest(t, N_CLOSEST).map((c) => c.id))

  progress('heap bytes per contact (300 tables, each fed 3000 random peers of a pool of 10^5)')
  const mem = measureMemory(opts.seed, 300, 3000, K, 100_000)
  progress('heap bytes per contact, large buckets (4 tables, k = 2000, each fed 10^5 peers)')
  const memLarge = measureMemory(opts.seed, 4, opts.contacts, 2000, opts.contacts)
  progress('heap bytes per contact, 300 k = 20 tables sharing pre-made contact records (prefill style)')
  const memShared = measureMemory(opts.seed, 300, 3000, K, 100_000, true)

  const rows: Array<[string, string, string, string]> = [
    ['', 'ours', 'k-bucket', 'ours / k-bucket'],
    ['insert (new contacts/s)', fmt(med((r) => r.ours.insert)), fmt(med((r) => r.theirs.insert)), (med((r) => r.ours.insert) / med((r) => r.theirs.insert)).toFixed(2)],
    ['refresh (known contacts/s)', fmt(med((r) => r.ours.refresh)), fmt(med((r) => r.theirs.refresh)), (med((r) => r.ours.refresh) / med((r) => r.theirs.refresh)).toFixed(2)],
    ['observe, both phases (/s)', fmt(med((r) => r.ours.observe)), fmt(med((r) => r.theirs.observe)), (med((r) => r.ours.observe) / med((r) => r.theirs.observe)).toFixed(2)],
    [`closest(${N_CLOSEST}) (queries/s)`, fmt(med((r) => r.ours.closest)), fmt(med((r) => r.theirs.closest)), (med((r) => r.ours.closest) / med((r) => r.theirs.closest)).toFixed(2)],
    ['contacts held after 10^5', String(runs[0]?.oursSize), String(runs[0]?.theirsSize), ''],
    [`exact closest(${N_CLOSEST}) / ${exactTargets.length}`, String(oursExact), String(kExact), ''],
    [`heap bytes/contact, k=${memLarge.bucketSize} (${memLarge.tables} tables, ${memLarge.contacts} contacts)`, memLarge.oursBytesPerContact.toFixed(1), memLarge.kbucketBytesPerContact.toFixed(1), ''],
    [`heap bytes/contact, k=${mem.bucketSize} (${mem.tables} tables, full caches)`, mem.oursBytesPerContact.toFixed(1), mem.kbucketBytesPerContact.toFixed(1), ''],
    ['  per entry (contact or replacement)', (mem.oursBytesPerContact * mem.contacts / (mem.contacts + mem.replacements)).toFixed(1), mem.kbucketBytesPerContact.toFixed(1), ''],
    ['  contacts / replacements held', `${mem.contacts} / ${mem.replacements}`, `${mem.kbucketContacts} / none`, ''],
    [`heap bytes/contact, k=${K}, shared records at time 0`, memShared.oursBytesPerContact.toFixed(1), '', ''],
    ['  contacts / replacements held', `${memShared.contacts} / ${memShared.replacements}`, '', ''],
    ['one Uint8Array(20) id (shared, not above)', memLarge.bytesPerId.toFixed(1), '', ''],
  ]
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]?.length ?? 0)))
  for (const r of rows) {
    process.stdout.write(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join('  ') + '\n')
  }
  process.stdout.write(`(median of ${opts.runs} runs; Node ${process.version}; checksum ${runs.reduce((s, r) => s + r.checksum, 0)}; self ${NodeId.toHex(w.self).slice(0, 8)}…)\n`)
  if (opts.json) {
    process.stdout.write(JSON.stringify({
      observe_ratio: Number((med((r) => r.ours.observe) / med((r) => r.theirs.observe)).toFixed(3)),
      closest_ratio: Number((med((r) => r.ours.closest) / med((r) => r.theirs.closest)).toFixed(3)),
      // The cost of one contact held (k = 2000: replacement caches are negligible); the k = 20
      // figure with full replacement caches is printed above.
      bytes_per_contact: Number(memLarge.oursBytesPerContact.toFixed(1)),
      // Realistic k = 20 tables with full replacement caches and one record per entry.
      bytes_per_contact_k20: Number(mem.oursBytesPerContact.toFixed(1)),
      exact: oursExact === exactTargets.length,
    }) + '\n')
  }
}

main()
