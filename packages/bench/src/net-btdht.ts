/**
 * The `bittorrent-dht` npm package (v11, BEP 5 + BEP 44 immutable items) as a `Network`. Every
 * node listens on 127.0.0.1 and bootstraps only through node 0 on 127.0.0.1: the public routers
 * (router.bittorrent.com, ...) are never contacted, since `bootstrap` is always given.
 */
import { pool } from './net-stats.js'
import type { Network } from './net-scenario.js'

// model

/** The part of bittorrent-dht's untyped API the benchmark uses (see its README). */
interface Dht {
  listen(port: number, host: string, cb: () => void): void
  address(): { port: number }
  once(event: 'ready', cb: () => void): void
  on(event: 'error' | 'warning', cb: (err: unknown) => void): void
  readonly ready: boolean
  readonly nodes: { count(): number }
  lookup(infoHash: string, cb: (err: Error | null) => void): void
  put(opts: { v: Buffer }, cb: (err: Error | null, hash: Buffer) => void): void
  get(hash: string, opts: { cache: boolean }, cb: (err: Error | null, res: { v: Uint8Array } | null) => void): void
  destroy(cb: () => void): void
}
type DhtConstructor = new (opts: { bootstrap: false | ReadonlyArray<string> }) => Dht

// constructors

/** The module name is a variable so TypeScript does not look for types the package lacks. */
const moduleName = 'bittorrent-dht'

export const create = async (joinWindow: number): Promise<Network> => {
  const mod = (await import(moduleName)) as { default: DhtConstructor }
  const DHT = mod.default
  const nodes: Array<Dht | undefined> = []
  const node = (i: number): Dht => {
    const d = nodes[i]
    if (d === undefined) throw new Error(`node ${i} is not running`)
    return d
  }
  const listen = (d: Dht): Promise<void> => new Promise((resolve) => d.listen(0, '127.0.0.1', resolve))
  const ready = (d: Dht): Promise<void> => (d.ready ? Promise.resolve() : new Promise((resolve) => d.once('ready', resolve)))
  const quiet = (d: Dht): Dht => {
    d.on('error', () => undefined)
    d.on('warning', () => undefined)
    return d
  }

  return {
    start: async (n, onJoined) => {
      const seed = quiet(new DHT({ bootstrap: false }))
      await listen(seed)
      await ready(seed)
      nodes.push(seed)
      onJoined(1, false)
      const seedAddress = `127.0.0.1:${seed.address().port}`
      let done = 1
      await pool(n - 1, joinWindow, async () => {
        const d = quiet(new DHT({ bootstrap: [seedAddress] }))
        nodes.push(d)
        await listen(d)
        await ready(d)
        onJoined(++done, false)
      })
    },
    tableSizes: () => nodes.flatMap((d) => (d === undefined ? [] : [d.nodes.count()])),
    lookup: (from, target) =>
      new Promise((resolve) => node(from).lookup(Buffer.from(target).toString('hex'), () => resolve())),
    put: (from, _key, value) =>
      new Promise((resolve) =>
        node(from).put({ v: Buffer.from(value) }, (err, hash) => resolve(err === null ? hash.toString('hex') : undefined)),
      ),
    get: (from, handle) =>
      new Promise((resolve) =>
        node(from).get(handle, { cache: false }, (err, res) =>
          resolve(err === null && res !== null ? new Uint8Array(res.v) : undefined),
        ),
      ),
    // `get` runs with `cache: false`: always a network lookup, even on a node holding the item.
    holds: () => false,
    kill: async (i) => {
      const d = node(i)
      nodes[i] = undefined
      await new Promise<void>((resolve) => d.destroy(resolve))
    },
    stop: async () => {
      const live = nodes.filter((d): d is Dht => d !== undefined)
      nodes.length = 0
      await Promise.all(live.map((d) => new Promise<void>((resolve) => d.destroy(resolve))))
    },
  }
}
