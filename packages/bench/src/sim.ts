/**
 * `pnpm bench:sim`: the simulator at scale. For each network size (default 10^4, 10^5, 10^6) a
 * fresh child process prefills the routing tables (the fast join mode), then runs a lookup
 * workload on the real protocol (one FIND_NODE per node per hour, at least 20/s, plus a few puts
 * and gets) for a fixed span of virtual time. Reported per size: events/s of the event loop,
 * heap bytes per node after the prefill (after a full GC), prefill seconds, and wall-clock
 * seconds per simulated hour of this workload.
 *
 *   node --max-old-space-size=20000 packages/bench/dist/sim.js [--sizes 10000,100000,1000000]
 *        [--virtual 1m] [--seed 1] [--json]
 *
 * `--virtual` defaults to 1 minute of virtual time, 10 seconds from 10^6 nodes up. Each child runs
 * with a 128 MiB young generation (`--semi-space-mb`, V8's `--max-semi-space-size`): with the
 * default, short-lived states and lookups are promoted and collected by full GCs of a heap of
 * 10^5–10^6 tables; at 10^5 nodes the prefill took 91 s instead of 27 and the loop 47 k instead
 * of 83 k events per CPU second (commit a9efc52).
 *
 * A size that runs out of memory or time is reported as such; the others still run. With
 * `--json` stdout ends with one JSON line per size.
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import type { SizeResult } from './sim-size.js'

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10000,100000,1000000' },
    virtual: { type: 'string' },
    seed: { type: 'string', default: '1' },
    json: { type: 'boolean', default: false },
    'heap-mb': { type: 'string', default: '22000' },
    'semi-space-mb': { type: 'string', default: '128' },
    'timeout-min': { type: 'string', default: '60' },
  },
})

const sizes = (values.sizes ?? '').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0)
const child = fileURLToPath(new URL('./sim-size.js', import.meta.url))
const results: Array<SizeResult | { nodes: number; error: string }> = []

for (const nodes of sizes) {
  process.stderr.write(`bench:sim: ${nodes} nodes ...\n`)
  const r = spawnSync(
    process.execPath,
    [`--max-old-space-size=${values['heap-mb']}`, `--max-semi-space-size=${values['semi-space-mb']}`, '--expose-gc', child, String(nodes), values.virtual ?? (nodes >= 1_000_000 ? '10s' : '1m'), values.seed ?? '1'],
    { encoding: 'utf8', timeout: Number(values['timeout-min']) * 60_000, maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const last = r.stdout?.trim().split('\n').pop() ?? ''
  if (r.status === 0 && last.startsWith('{')) results.push(JSON.parse(last) as SizeResult)
  else {
    const why = r.error !== undefined ? r.error.message : r.signal !== null ? `killed by ${r.signal}` : `exit ${r.status ?? '?'} (out of memory?)`
    results.push({ nodes, error: why })
  }
}

const fmt = (x: number, d = 1): string => x.toLocaleString('en-US', { maximumFractionDigits: d })
process.stdout.write('\nnodes      | prefill s | heap B/node | buffers B/node | events     | events/s  | events/CPU s | wall s / sim hour | lookups ok | mean hops\n')
process.stdout.write('-----------|-----------|-------------|----------------|------------|-----------|-------------|-------------------|------------|----------\n')
for (const r of results) {
  if ('error' in r) {
    process.stdout.write(`${String(r.nodes).padEnd(10)} | ${r.error}\n`)
    continue
  }
  process.stdout.write(
    `${String(r.nodes).padEnd(10)} | ${fmt(r.prefill_s).padStart(9)} | ${fmt(r.heap_bytes_per_node, 0).padStart(11)} | ${fmt(r.buffer_bytes_per_node, 0).padStart(14)} | ${String(r.events).padStart(10)} | ${fmt(r.events_per_s, 0).padStart(9)} | ${fmt(r.events_per_cpu_s, 0).padStart(11)} | ${fmt(r.wall_s_per_sim_hour).padStart(17)} | ${(100 * r.lookup_success_rate).toFixed(1).padStart(9)}% | ${r.mean_hops.toFixed(2)}\n`,
  )
}
if (values.json) for (const r of results) process.stdout.write(`${JSON.stringify(r)}\n`)
