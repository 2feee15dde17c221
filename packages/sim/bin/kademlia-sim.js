#!/usr/bin/env node
// The installed `kademlia-sim` command: runs the built CLI (packages/sim/dist/cli.js, made by
// `pnpm build`) with two V8 heap flags, each unless the caller chose it, in NODE_OPTIONS or on
// node's command line (docs/simulation.md, "Scale"):
// - a 128 MiB young generation (--max-semi-space-size): a simulation keeps every node's state
//   live, and V8's default young generation made large runs spend most of their time in full
//   collections;
// - an old generation of up to three quarters of the machine's memory (--max-old-space-size):
//   V8's default limit is about 4 GiB, and a network of 10^6 nodes holds about 12 GiB.
// Both can only be set when node starts, so the CLI runs in a child process that inherits stdio,
// and its exit code or signal is passed on.
import { spawnSync } from 'node:child_process'
import os from 'node:os'
import process from 'node:process'
import { URL, fileURLToPath } from 'node:url'

const callers = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)]
const chosen = (flag) => callers.some((a) => a.startsWith(flag))
const flags = []
if (!chosen('--max-semi-space-size')) flags.push('--max-semi-space-size=128')
if (!chosen('--max-old-space-size')) flags.push(`--max-old-space-size=${Math.floor((0.75 * os.totalmem()) / 2 ** 20)}`)
if (flags.length === 0) {
  await import('../dist/cli.js')
} else {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url))
  const child = spawnSync(process.execPath, [...process.execArgv, ...flags, cli, ...process.argv.slice(2)], { stdio: 'inherit' })
  if (child.error !== undefined) throw child.error
  if (child.signal !== null) process.kill(process.pid, child.signal)
  else process.exit(child.status ?? 1)
}
