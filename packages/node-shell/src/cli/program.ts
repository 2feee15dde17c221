/**
 * The `kademlia` command line (commander 14). Every command takes `--json`: results then come as
 * JSON lines on stdout, the last one being the result, and progress or diagnostics stay on stderr.
 *
 *   kademlia node --port P [--host H] [--bootstrap host:port ...] [--data DIR]
 *   kademlia get KEY --bootstrap host:port
 *   kademlia set KEY VALUE --bootstrap host:port
 *   kademlia demo [--nodes 50] [--ops 200] [--kill 0.2]
 */
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import * as Client from './commands/client.js'
import { demo } from './commands/demo.js'
import { node } from './commands/node.js'
import * as Demo from '../demo/demo.js'
import * as Parse from './parse.js'

// model

/** Where a command's exit code goes once its promise settles. */
export type Exit = (code: number) => void

const version = (): string => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown }
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0'
  } catch {
    return '0.0.0'
  }
}

const DEFAULT_TIMEOUT_MS = 15_000

// constructors

const bootstrapOption = (): Option =>
  new Option('-b, --bootstrap <host:port...>', 'peer(s) to join through (repeat the flag or list several)').argParser(Parse.peer)

const jsonOption = (): Option => new Option('--json', 'print JSON lines on stdout (the last one is the result)').default(false)

const timeoutOption = (): Option =>
  new Option('--timeout <ms>', 'bound on each network step').argParser(Parse.integer(1, 3_600_000)).default(DEFAULT_TIMEOUT_MS)

/** The program; `exit` receives each command's exit code. */
export const program = (exit: Exit): Command => {
  const cli = new Command('kademlia')
    .description('A Kademlia DHT node over UDP (kademlia-ts): run a node, get and set values, run the demo.')
    .version(version())
    .showHelpAfterError()
    // Inherited by the subcommands created below: errors throw instead of exiting, see cli.ts.
    .exitOverride()

  cli
    .command('node')
    .description('run a DHT node until SIGINT/SIGTERM, printing its address and periodic stats')
    .addOption(new Option('-p, --port <port>', 'UDP port to listen on (0: any free port)').argParser(Parse.integer(0, 65535)).default(8468))
    .addOption(new Option('-H, --host <ip>', 'IP address to listen on (0.0.0.0 or :: for every interface)').argParser(Parse.host).default('127.0.0.1'))
    .addOption(bootstrapOption())
    .addOption(new Option('-d, --data <dir>', 'keep records, contacts, id (LMDB) and state.json in this directory'))
    .addOption(new Option('--stats <seconds>', 'seconds between stats lines (0: none)').argParser(Parse.integer(0, 86_400)).default(30))
    .addOption(timeoutOption())
    .addOption(jsonOption())
    .action(async (o: { port: number; host: string; bootstrap?: ReadonlyArray<string>; data?: string; stats: number; timeout: number; json: boolean }) =>
      exit(await node({ port: o.port, host: o.host, bootstrap: o.bootstrap ?? [], data: o.data, stats: o.stats, timeout: o.timeout, json: o.json })),
    )

  const clientOptions = (c: Command): Command =>
    c
      .addOption(bootstrapOption().makeOptionMandatory())
      .addOption(new Option('-H, --host <ip>', 'IP address of the ephemeral node').argParser(Parse.host).default('127.0.0.1'))
      .addOption(timeoutOption())
      .addOption(jsonOption())

  clientOptions(
    cli
      .command('get')
      .description('fetch the value stored under KEY (exit code 1 when there is none)')
      .argument('<key>', 'the key (hashed with SHA-1, as the Python library does)'),
  ).action(async (key: string, o: { bootstrap: ReadonlyArray<string>; host: string; timeout: number; json: boolean }) =>
    exit(await Client.get(key, o)),
  )

  clientOptions(
    cli
      .command('set')
      .description('store VALUE under KEY on the k closest nodes')
      .argument('<key>', 'the key (hashed with SHA-1, as the Python library does)')
      .argument('<value>', 'the value (a string unless --type says otherwise)'),
  )
    .addOption(new Option('-t, --type <type>', 'how to read VALUE').choices(Parse.VALUE_TYPES).default('string'))
    .action(
      async (key: string, value: string, o: { bootstrap: ReadonlyArray<string>; host: string; timeout: number; json: boolean; type: Parse.ValueType }) =>
        exit(await Client.set(key, value, o)),
    )

  cli
    .command('demo')
    .description('start a real UDP network on 127.0.0.1, store and fetch values, kill nodes, fetch again, report')
    .addOption(new Option('-n, --nodes <n>', 'nodes in the network').argParser(Parse.integer(2, 5000)).default(Demo.defaults.nodes))
    .addOption(new Option('-o, --ops <n>', 'values stored, then fetched (twice)').argParser(Parse.integer(0, 100_000)).default(Demo.defaults.ops))
    .addOption(new Option('-k, --kill <fraction>', 'fraction of the nodes killed before the last fetch').argParser(Parse.fraction).default(Demo.defaults.kill))
    .addOption(new Option('--seed <n>', 'seed of the demo\'s random choices').argParser(Parse.integer(0, 0xffffffff)).default(Demo.defaults.seed))
    .addOption(jsonOption())
    .action(async (o: { nodes: number; ops: number; kill: number; seed: number; json: boolean }) => exit(await demo(o)))

  return cli
}
