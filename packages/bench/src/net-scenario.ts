/**
 * One measured run of one DHT implementation, the same for both networks: N nodes in this
 * process on 127.0.0.1 join through one seed, then random lookups, puts and gets from random
 * nodes, then 20 % of the nodes are killed and every value is fetched again.
 */
import { latency, pick, pool, randomBytes, rng, sample, type Latency } from './net-stats.js'
import { collectGarbage } from './util/heap.js'

// model

/** What `pnpm bench:net` needs from a DHT implementation. Indices name nodes in join order. */
export interface Network {
  /**
   * Starts `n` nodes, each joining through node 0; `onJoined` after each join ends, with whether
   * the implementation reported it failed (bittorrent-dht reports no failure: 'ready' always fires).
   */
  readonly start: (n: number, onJoined: (done: number, failed: boolean) => void) => Promise<void>
  /** How many contacts each live node's routing table holds. */
  readonly tableSizes: () => ReadonlyArray<number>
  /** A node lookup for `target` from node `from`. */
  readonly lookup: (from: number, target: Uint8Array) => Promise<void>
  /** Stores `value` from node `from`; the handle to fetch it with, or undefined on failure. */
  readonly put: (from: number, key: string, value: Uint8Array) => Promise<string | undefined>
  /** Fetches a handle `put` returned, from node `from`, bypassing any local copy it holds. */
  readonly get: (from: number, handle: string) => Promise<Uint8Array | undefined>
  /** Whether node `from` holds a copy of the value itself (a get there needs no network). */
  readonly holds: (from: number, handle: string) => boolean
  readonly kill: (index: number) => Promise<void>
  readonly stop: () => Promise<void>
  /**
   * The protocol state of every live node, if the implementation keeps it as data apart from its
   * sockets (kademlia-ts: each server's core `NodeState`); used to measure its bytes per node.
   */
  readonly protocolStates?: () => ReadonlyArray<unknown>
}

export interface Params {
  readonly nodes: number
  readonly lookups: number
  readonly values: number
  /** Puts and gets in flight at once (latency). */
  readonly window: number
  /** Lookups in flight at once (throughput). */
  readonly lookupWindow: number
  readonly killFraction: number
  readonly seed: number
}

export interface Memory {
  readonly rssPerNode: number
  readonly heapPerNode: number
  /** JS heap still held by the nodes' protocol states once everything else is dropped (NaN if n/a). */
  readonly statePerNode: number
}

export interface ScenarioResult {
  readonly nodes: number
  readonly joinMs: number
  readonly emptyTables: number
  readonly meanTableSize: number
  readonly memory: Memory
  readonly lookupsPerSecond: number
  /** CPU time of the whole process (user + system) per lookup, ms: less sensitive to other load than lookups/s. */
  readonly lookupCpuMs: number
  readonly put: Latency
  readonly putSuccess: number
  readonly get: Latency
  readonly getSuccess: number
  readonly killed: number
  readonly getAfterKill: Latency
  readonly getSuccessAfterKill: number
}

export interface JoinResult {
  readonly nodes: number
  readonly failedJoins: number
  readonly joinMs: number
  readonly emptyTables: number
  readonly meanTableSize: number
  readonly memory: Memory
}

export type Progress = (line: string) => void

// queries

const equalBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i])

const collect = (): void => void collectGarbage()

const memorySince = (before: NodeJS.MemoryUsage, n: number): Omit<Memory, 'statePerNode'> => {
  collect()
  const after = process.memoryUsage()
  return { rssPerNode: (after.rss - before.rss) / n, heapPerNode: (after.heapUsed - before.heapUsed) / n }
}

/**
 * Stops the network keeping only the protocol states alive, measures the heap, drops the states
 * and measures again: the difference is what the states hold (shared structure counted once, as
 * it is in memory), free of whatever else the stopped nodes left behind.
 */
const stopKeepingStates = async (net: Network, n: number): Promise<number> => {
  const held: { states: ReadonlyArray<unknown> | undefined } = { states: net.protocolStates?.() }
  await net.stop()
  if (held.states === undefined) return Number.NaN
  await new Promise((resolve) => setTimeout(resolve, 50))
  collect()
  const kept = process.memoryUsage().heapUsed
  const count = held.states.length
  held.states = undefined
  collect()
  return count === 0 ? Number.NaN : (kept - process.memoryUsage().heapUsed) / n
}

const tableSummary = (sizes: ReadonlyArray<number>): { emptyTables: number; meanTableSize: number } => ({
  emptyTables: sizes.filter((s) => s === 0).length,
  meanTableSize: sizes.reduce((a, b) => a + b, 0) / Math.max(1, sizes.length),
})

// transitions

const timed = async <A>(f: () => Promise<A>): Promise<readonly [A, number]> => {
  const t0 = performance.now()
  const a = await f()
  return [a, performance.now() - t0]
}

const startAll = async (
  net: Network,
  n: number,
  progress: Progress,
): Promise<readonly [Omit<Memory, 'statePerNode'>, number, number]> => {
  collect()
  const before = process.memoryUsage()
  const step = Math.max(1, Math.round(n / 5))
  let failed = 0
  const [, joinMs] = await timed(() =>
    net.start(n, (done, joinFailed) => {
      if (joinFailed) failed++
      if (done % step === 0 || done === n) progress(`joined ${done}/${n}${failed > 0 ? ` (${failed} failed)` : ''}`)
    }),
  )
  return [memorySince(before, n), joinMs, failed]
}

/** A join only: how many routing tables stay empty, and the memory each node costs. */
export const runJoin = async (net: Network, n: number, progress: Progress): Promise<JoinResult> => {
  const [memory, joinMs, failedJoins] = await startAll(net, n, progress)
  const tables = tableSummary(net.tableSizes())
  const statePerNode = await stopKeepingStates(net, n)
  return { nodes: n, failedJoins, joinMs, ...tables, memory: { ...memory, statePerNode } }
}

/** The whole scenario of the module comment. */
export const runScenario = async (net: Network, p: Params, progress: Progress): Promise<ScenarioResult> => {
  const next = rng(p.seed)
  const [heap, joinMs] = await startAll(net, p.nodes, progress)
  const tables = tableSummary(net.tableSizes())

  progress(`${p.lookups} lookups`)
  const targets = Array.from({ length: p.lookups }, () => randomBytes(next, 20))
  const origins = targets.map(() => pick(next, p.nodes))
  const cpu0 = process.cpuUsage()
  const [, lookupMs] = await timed(() =>
    pool(p.lookups, p.lookupWindow, (i) => net.lookup(origins[i] as number, targets[i] as Uint8Array)),
  )

  const cpu = process.cpuUsage(cpu0)
  const lookupCpuMs = (cpu.user + cpu.system) / 1000 / p.lookups

  progress(`${p.values} puts, ${p.values} gets`)
  const values = Array.from({ length: p.values }, (_, i) => ({ key: `bench-key-${p.seed}-${i}`, value: randomBytes(next, 64) }))
  const putters = values.map(() => pick(next, p.nodes))
  const handles: Array<string | undefined> = values.map(() => undefined)
  const putMs: number[] = []
  await pool(p.values, p.window, async (i) => {
    const v = values[i] as { key: string; value: Uint8Array }
    const [handle, took] = await timed(() => net.put(putters[i] as number, v.key, v.value))
    putMs.push(took)
    handles[i] = handle
  })

  // Each value is fetched from a node that neither put it nor holds a copy: a real lookup.
  const getter = (i: number, candidates: ReadonlyArray<number>): number => {
    const handle = handles[i]
    let g = candidates[pick(next, candidates.length)] as number
    for (let attempt = 0; attempt < 100; attempt++) {
      if (g !== putters[i] && (handle === undefined || !net.holds(g, handle))) break
      g = candidates[pick(next, candidates.length)] as number
    }
    return g
  }
  const everyone = Array.from({ length: p.nodes }, (_, i) => i)
  const getMs: number[] = []
  let got = 0
  const getters = values.map((_, i) => getter(i, everyone))
  await pool(p.values, p.window, async (i) => {
    const handle = handles[i]
    if (handle === undefined) return
    const [value, took] = await timed(() => net.get(getters[i] as number, handle))
    getMs.push(took)
    if (equalBytes(value, (values[i] as { value: Uint8Array }).value)) got++
  })

  const victims = sample(next, p.nodes, Math.round(p.killFraction * p.nodes))
  progress(`killing ${victims.length} of ${p.nodes} nodes`)
  for (const v of victims) await net.kill(v)
  const dead = new Set(victims)
  const alive = everyone.filter((i) => !dead.has(i))

  progress(`${p.values} gets after the kill`)
  const afterMs: number[] = []
  let gotAfter = 0
  const afterGetters = values.map((_, i) => getter(i, alive))
  await pool(p.values, p.window, async (i) => {
    const handle = handles[i]
    if (handle === undefined) return
    const [value, took] = await timed(() => net.get(afterGetters[i] as number, handle))
    afterMs.push(took)
    if (equalBytes(value, (values[i] as { value: Uint8Array }).value)) gotAfter++
  })
  const statePerNode = await stopKeepingStates(net, p.nodes)
  const memory: Memory = { ...heap, statePerNode }
  // Gets count against the values that were stored (a failed put is counted as a put failure).
  const stored = Math.max(1, handles.filter((h) => h !== undefined).length)

  return {
    nodes: p.nodes,
    joinMs,
    ...tables,
    memory,
    lookupsPerSecond: p.lookups / (lookupMs / 1000),
    lookupCpuMs,
    put: latency(putMs),
    putSuccess: handles.filter((h) => h !== undefined).length / p.values,
    get: latency(getMs),
    getSuccess: got / stored,
    killed: victims.length,
    getAfterKill: latency(afterMs),
    getSuccessAfterKill: gotAfter / stored,
  }
}
