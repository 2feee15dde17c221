/**
 * Shared helpers of the node-shell tests: real servers on 127.0.0.1 with ephemeral ports, every
 * wait bounded, every server stopped.
 */
import { Server } from '@kademlia-ts/node-shell'
import type { ServerOptions } from '@kademlia-ts/node-shell'

/** Rejects if `promise` has not settled within `ms` (the tests' only timeouts; no timing assertions). */
export const within = <T>(ms: number, label: string, promise: Promise<T>): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${label}: not settled within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** Polls `check` every few milliseconds until it is true; fails after `ms`. */
export const eventually = async (ms: number, label: string, check: () => boolean): Promise<void> => {
  const deadline = performance.now() + ms
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`${label}: not true within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const address = (s: Server): string => `127.0.0.1:${s.port ?? 0}`

/** A running server on 127.0.0.1 at an ephemeral port. */
export const startServer = async (options: ServerOptions = {}): Promise<Server> => {
  const server = new Server(options)
  await within(5_000, 'listen', server.listen(0, '127.0.0.1'))
  return server
}

/**
 * `n` servers; each after the first bootstraps through the one before it and through the first
 * (a chain plus a hub, so tables are not all alike). Seeds are fixed for reproducibility.
 */
export const startNetwork = async (n: number, options: ServerOptions = {}, track: Server[] = []): Promise<Server[]> => {
  const servers = track
  for (let i = 0; i < n; i++) {
    const server = await startServer({ ...options, seed: 1000 + i })
    servers.push(server)
    if (i > 0) {
      const peers = [...new Set([address(servers[0] as Server), address(servers[i - 1] as Server)])]
      await within(10_000, `bootstrap of node ${i}`, server.bootstrap(peers))
    }
  }
  return servers
}

export const stopAll = async (servers: Server[]): Promise<void> => {
  await Promise.all(servers.splice(0).map((s) => within(5_000, 'stop', s.stop())))
}
