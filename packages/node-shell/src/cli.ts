#!/usr/bin/env node
/**
 * The `kademlia` executable (`packages/node-shell/dist/cli.js`). See cli/program.ts and docs/cli.md.
 */
import { CommanderError } from 'commander'
import { program } from './cli/program.js'

const main = async (): Promise<void> => {
  const cli = program((code) => {
    process.exitCode = code
  })
  try {
    await cli.parseAsync(process.argv)
  } catch (e) {
    // Help and version exit 0; usage errors (already printed by commander) exit 2.
    process.exitCode = e instanceof CommanderError ? (e.exitCode === 0 ? 0 : 2) : 2
    if (!(e instanceof CommanderError)) process.stderr.write(`kademlia: ${e instanceof Error ? e.message : String(e)}\n`)
  }
}

void main()
