#!/usr/bin/env node
// The installed `kademlia-sim` command: runs the built CLI (packages/sim/dist/cli.js, made by
// `pnpm build`) with a 128 MiB young generation (V8's --max-semi-space-size) unless the caller
// chose one, in NODE_OPTIONS or on node's command line: a simulation keeps every node's state
// live, and V8's default young generation made large runs spend most of their time in full
// collections (docs/simulation.md, "Scale"). The flag can only be set when node starts, so the
// CLI runs in a child process that inherits stdio, and its exit code or signal is passed on.
import { spawnSync } from 'node:child_process'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const flag = '--max-semi-space-size'
const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith(flag))
if (given) {
  await import('../dist/cli.js')
} else {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
  const child = spawnSync(process.execPath, [...process.execArgv, `${flag}=128`, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  if (child.error !== undefined) throw child.error
  if (child.signal !== null) process.kill(process.pid, child.signal)
  else process.exit(child.status ?? 1)
}
