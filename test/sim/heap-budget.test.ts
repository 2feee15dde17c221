/**
 * A run bound to exceed the process's heap limit says so before its prefill (HeapBudget), instead
 * of dying in V8 minutes later; the CLI prints the warning on stderr and still runs.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HeapBudget } from '@kademlia-ts/sim'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const CLI = join(ROOT, 'packages/sim/dist/cli.js')
const GiB = 2 ** 30

describe('HeapBudget', () => {
  it('warns when the estimate exceeds the limit, naming a limit that fits', () => {
    expect(HeapBudget.warning(10_000, 4 * GiB)).toBeUndefined()
    expect(HeapBudget.warning(100_000, 4 * GiB)).toBeUndefined()
    const w = HeapBudget.warning(1_000_000, 4.05 * GiB)
    expect(w).toContain('1000000 nodes')
    expect(w).toContain('4.0 GiB')
    const mib = Number(/--max-old-space-size=(\d+)/.exec(w ?? '')?.[1])
    expect(mib * 2 ** 20).toBeGreaterThan(HeapBudget.estimate(1_000_000))
    expect(HeapBudget.warning(1_000_000, mib * 2 ** 20)).toBeUndefined()
    // Every measured size fits its estimate (bench:sim: 9.2 KB per node at 10^4, 12.1 KB at 10^6).
    expect(HeapBudget.estimate(10_000)).toBeGreaterThan(10_000 * 9_246)
    expect(HeapBudget.estimate(1_000_000)).toBeGreaterThan(1_000_000 * 12_126)
  })

  it('is printed by `kademlia-sim run` before the run, which still runs', () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`)
    const run = (nodes: number) =>
      spawnSync(process.execPath, ['--max-old-space-size=160', CLI, 'run', '--nodes', String(nodes), '--duration', '2s', '--json',
        '--out', mkdtempSync(join(tmpdir(), 'kademlia-sim-heap-'))], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
    const big = run(13_000)
    expect(big.status).toBe(0)
    expect(big.stderr).toMatch(/warning: 13000 nodes need up to about \d+ MiB of heap and this process may use \d+ MiB/)
    const small = run(2_000)
    expect(small.status).toBe(0)
    expect(small.stderr).not.toContain('warning')
  })
})
