/**
 * A child process of `pnpm bench:net`: runs one scenario of one implementation in a fresh
 * process (so memory per node is measured from a clean baseline), reports progress lines and the
 * result to the parent over IPC, then exits. Started with `--expose-gc` by `net.ts`.
 */
import * as BtDht from './net-btdht.js'
import * as Ours from './net-ours.js'
import { runJoin, runScenario, type JoinResult, type Network, type Params, type ScenarioResult } from './net-scenario.js'

// model

export type Implementation = 'kademlia-ts' | 'bittorrent-dht'

export type Job =
  | { readonly kind: 'scenario'; readonly impl: Implementation; readonly params: Params }
  | { readonly kind: 'join'; readonly impl: Implementation; readonly nodes: number; readonly window: number }

export type Report =
  | { readonly type: 'progress'; readonly line: string }
  | { readonly type: 'scenario'; readonly result: ScenarioResult }
  | { readonly type: 'join'; readonly result: JoinResult }
  | { readonly type: 'error'; readonly message: string }

// transitions

const send = (report: Report): Promise<void> =>
  new Promise((resolve) => {
    if (process.send === undefined) {
      process.stdout.write(`${JSON.stringify(report)}\n`)
      resolve()
    } else process.send(report, () => resolve())
  })

const network = (impl: Implementation, window: number): Promise<Network> =>
  impl === 'kademlia-ts' ? Ours.create(window) : BtDht.create(window)

const main = async (): Promise<void> => {
  const job = JSON.parse(process.argv[2] ?? '') as Job
  const progress = (line: string): void => void send({ type: 'progress', line })
  if (job.kind === 'scenario') {
    const result = await runScenario(await network(job.impl, job.params.window), job.params, progress)
    await send({ type: 'scenario', result })
  } else {
    const result = await runJoin(await network(job.impl, job.window), job.nodes, progress)
    await send({ type: 'join', result })
  }
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    await send({ type: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) })
    process.exit(1)
  },
)
