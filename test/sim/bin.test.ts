/**
 * The installed `kademlia-sim` launcher (packages/sim/bin/kademlia-sim.js) runs the built CLI in a
 * child node with a larger young and old generation unless the caller chose them, passing the arguments,
 * the output and the exit code through. Needs the build (`npx tsc -b`), as CI runs it first.
 */
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const BIN = join(ROOT, 'packages/sim/bin/kademlia-sim.js')
const CLI = join(ROOT, 'packages/sim/dist/cli.js')
// Loaded before the launcher and before its child (both inherit node's flags): prints each
// process's node flags on stderr, so the test sees what the child was started with.
const SHOW_FLAGS = 'data:text/javascript,process.stderr.write("flags:"+JSON.stringify(process.execArgv)+"\\n")'

const launch = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = {}) =>
  spawnSync(process.execPath, ['--import', SHOW_FLAGS, BIN, ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env },
  })

const lastJson = (stdout: string): { readonly trace_hash: string; readonly nodes: number } =>
  JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as { trace_hash: string; nodes: number }

describe('kademlia-sim launcher', () => {
  it('runs the CLI with a 128 MiB young generation and an old generation of 3/4 of the memory, or with the ones the caller chose', () => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`)
    const out = mkdtempSync(join(tmpdir(), 'kademlia-sim-bin-'))
    const args = ['run', '--nodes', '60', '--duration', '2m', '--seed', '3', '--json', '--out', out]
    const plain = launch(args)
    expect(plain.status).toBe(0)
    expect(plain.stderr).toMatch(/flags:\[[^\]]*"--max-semi-space-size=128"/)
    const oldSpace = `--max-old-space-size=${Math.floor((0.75 * totalmem()) / 2 ** 20)}`
    expect(plain.stderr).toContain(`"${oldSpace}"`)
    const chosen = launch(args, { NODE_OPTIONS: '--max-semi-space-size=8 --max-old-space-size=512' })
    expect(chosen.status).toBe(0)
    expect(chosen.stderr).not.toContain('--max-semi-space-size=128')
    expect(chosen.stderr).not.toContain(oldSpace)
    // One flag chosen, the other still added.
    const half = launch(args, { NODE_OPTIONS: '--max-old-space-size=512' })
    expect(half.status).toBe(0)
    expect(half.stderr).toMatch(/flags:\[[^\]]*"--max-semi-space-size=128"/)
    expect(half.stderr).not.toContain(oldSpace)
    // The flag changes memory, never the run.
    expect(lastJson(plain.stdout).nodes).toBe(60)
    expect(lastJson(chosen.stdout).trace_hash).toBe(lastJson(plain.stdout).trace_hash)
  })

  it('passes the CLI\'s exit code on', () => {
    const bad = launch(['run', join(tmpdir(), 'no-such-scenario.yaml')])
    expect(bad.status).toBe(1)
    expect(bad.stderr.length).toBeGreaterThan(0)
  })
})
