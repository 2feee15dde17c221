/**
 * A local network of real `Server`s on 127.0.0.1 for the demo: start and join them, observe the
 * lookups they finish, count the requests they send, kill some, stop them all.
 */
import type { Notification } from '@kademlia-ts/core'
import { Server } from '../server.js'

// model

type LookupFinished = Extract<Notification, { _tag: 'LookupFinished' }>

export interface Cluster {
  /** Nodes in join order; `undefined` once killed. */
  readonly nodes: ReadonlyArray<Server | undefined>
  readonly seedAddress: string
  /** Indices of the nodes still running. */
  readonly alive: () => ReadonlyArray<number>
  /** Requests sent so far by the running nodes (the core's `rpcsSent`). */
  readonly rpcsSent: () => number
  /** Every `LookupFinished` of every node, in the order they happened. */
  readonly lookups: ReadonlyArray<LookupFinished>
  /** Stops node `i` abruptly (its peers are not told). */
  readonly kill: (i: number) => Promise<void>
  readonly stopAll: () => Promise<void>
}

export interface JoinProgress {
  /** Called after each node's join with its duration, or an error. */
  readonly joined: (ms: number, error: unknown) => void
}

// constructors

const listening = async (host: string, lookups: LookupFinished[], seed: number): Promise<Server> => {
  const s = new Server({ seed })
  s.on('error', () => undefined)
  s.on('lookupFinished', (n) => lookups.push(n))
  await s.listen(0, host)
  return s
}

/**
 * Starts `n` nodes on `host`: node 0 first, then the others, each joining through node 0
 * (`bootstrap([node0])`) with at most `window` joins in flight. A node whose join failed stays
 * in the network with whatever it learned (the report counts the failures).
 */
export const start = async (
  n: number,
  o: { readonly host: string; readonly window: number; readonly seed: number; readonly timeoutMs: number },
  progress: JoinProgress,
): Promise<Cluster> => {
  const lookups: LookupFinished[] = []
  const nodes: Array<Server | undefined> = []
  const first = await listening(o.host, lookups, o.seed)
  nodes.push(first)
  const seedAddress = `${o.host}:${first.port ?? 0}`
  progress.joined(0, undefined)
  let next = 1
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++
      const t0 = performance.now()
      try {
        const s = await listening(o.host, lookups, (o.seed + i) >>> 0)
        nodes[i] = s
        await s.bootstrap([seedAddress], { signal: AbortSignal.timeout(o.timeoutMs) })
        progress.joined(performance.now() - t0, undefined)
      } catch (e) {
        progress.joined(performance.now() - t0, e)
      }
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.window, n - 1)) }, worker))
  } catch (e) {
    await Promise.all(nodes.map((s) => s?.stop()))
    throw e
  }
  const alive = (): ReadonlyArray<number> => nodes.flatMap((s, i) => (s === undefined ? [] : [i]))
  return {
    nodes,
    seedAddress,
    alive,
    rpcsSent: () => nodes.reduce((sum, s) => sum + (s === undefined ? 0 : s.metrics().core.rpcsSent), 0),
    lookups,
    kill: async (i) => {
      const s = nodes[i]
      nodes[i] = undefined
      await s?.stop()
    },
    stopAll: async () => {
      const live = nodes.filter((s): s is Server => s !== undefined)
      nodes.length = 0
      await Promise.all(live.map((s) => s.stop()))
    },
  }
}
