/**
 * `kademlia demo`, the project's main job: a real UDP network of `nodes` servers on 127.0.0.1 in
 * this process. It joins them (node 0 first, every other node through it), stores `ops` values
 * from random nodes, fetches each from another random node that holds no copy (a real lookup),
 * kills a fraction of the nodes at once, and fetches every value again from the survivors.
 *
 * Everything is measured, nothing estimated: latencies are timestamps around each call; hops
 * come from the core's `LookupFinished` notifications of the phase (node lookups for puts, value
 * lookups for gets); RPCs per operation are the requests all running nodes sent during the phase
 * (the core's `rpcsSent` counters) divided by the operations; memory per node is the growth of
 * the JS heap and of the RSS across the start and join, after a full GC.
 */
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { NodeId } from '@kademlia-ts/core'
import type { Value } from '@kademlia-ts/core'
import type { Progress } from '../cli/progress.js'
import { KademliaError } from '../errors.js'
import * as Cluster from './cluster.js'
import type { DemoResult, Phase } from './result.js'
import { summarize } from './stats.js'

// model

export interface DemoOptions {
  readonly nodes: number
  readonly ops: number
  /** Fraction of the nodes killed before the last phase, in [0, 1). */
  readonly kill: number
  /** Seed of the demo's choices (which nodes put, get, die) and of the nodes' PRNGs. */
  readonly seed: number
  /** Operations in flight at once. */
  readonly window: number
  readonly host: string
  /** Bound on any single join, put or get. */
  readonly timeoutMs: number
}

export const defaults: DemoOptions = {
  nodes: 50,
  ops: 200,
  kill: 0.2,
  seed: 1,
  window: 8,
  host: '127.0.0.1',
  timeoutMs: 10_000,
}

// helpers

/** A seeded generator (mulberry32) for the demo's choices. */
const generator = (seed: number): ((n: number) => number) => {
  let a = seed >>> 0
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return Math.min(n - 1, Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n))
  }
}

/** Forces a full GC when possible (the demo is a plain `node` process, so expose it here). */
const collectGarbage = (): boolean => {
  try {
    setFlagsFromString('--expose-gc')
    const gc = runInNewContext('gc') as () => void
    gc()
    gc()
    return true
  } catch {
    return false
  }
}

const pool = async (count: number, window: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) await task(next++)
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(window, count)) }, worker))
}

const sameValue = (a: Value.Value | undefined, b: string): boolean => a === b

// the demo

export const run = async (o: DemoOptions, progress: Progress): Promise<DemoResult> => {
  const began = performance.now()
  const pick = generator(o.seed)
  const gcWorks = collectGarbage()
  const before = process.memoryUsage()

  progress.start(`joining ${o.nodes} nodes`, o.nodes)
  const joinMs: number[] = []
  let joinFailed = 0
  const joinStart = performance.now()
  const cluster = await Cluster.start(o.nodes, { host: o.host, window: o.window, seed: o.seed, timeoutMs: o.timeoutMs }, {
    joined: (ms, error) => {
      if (error !== undefined) joinFailed++
      else if (ms > 0) joinMs.push(ms)
      progress.tick()
    },
  })
  try {
    const joinTotal = performance.now() - joinStart
    const contacts = cluster.nodes.map((s) => s?.contacts().length ?? 0)
    progress.end(`${cluster.seedAddress} is node 0; ${joinFailed} joins failed`)
    collectGarbage()
    const after = process.memoryUsage()

    const keys = Array.from({ length: o.ops }, (_, i) => `demo-key-${o.seed}-${i}`)
    const values = keys.map((k, i) => `value ${i} of the demo (${k})`)
    const putters = keys.map(() => pick(o.nodes))
    const holds = (node: number, key: string): boolean => {
      const digest = NodeId.fromKey(key)
      return cluster.nodes[node]?.records().some((r) => NodeId.equals(r.key, digest)) ?? false
    }
    /** A running node that did not put value `i` and holds no copy of it (so a get is a lookup). */
    const getter = (i: number): number => {
      const alive = cluster.alive()
      let g = alive[pick(alive.length)] as number
      for (let attempt = 0; attempt < 100 && (g === putters[i] || holds(g, keys[i] as string)); attempt++)
        g = alive[pick(alive.length)] as number
      return g
    }

    const phase = async (
      label: string,
      kind: 'Node' | 'Value',
      op: (i: number, signal: AbortSignal) => Promise<string | undefined>,
    ): Promise<Phase> => {
      progress.start(label, o.ops)
      const firstLookup = cluster.lookups.length
      const rpcsBefore = cluster.rpcsSent()
      const latency: number[] = []
      const failures: Record<string, number> = {}
      let succeeded = 0
      await pool(o.ops, o.window, async (i) => {
        const t0 = performance.now()
        const failure = await op(i, AbortSignal.timeout(o.timeoutMs)).catch((e: unknown) =>
          e instanceof KademliaError ? e.code : e instanceof Error && e.name === 'TimeoutError' ? 'TIMEOUT' : 'ERROR',
        )
        latency.push(performance.now() - t0)
        if (failure === undefined) succeeded++
        else failures[failure] = (failures[failure] ?? 0) + 1
        progress.tick()
      })
      const hops = cluster.lookups.slice(firstLookup).filter((n) => n.kind === kind).map((n) => n.hops)
      const result: Phase = {
        attempted: o.ops,
        succeeded,
        latency: summarize(latency),
        hops: summarize(hops),
        rpcsPerOp: o.ops === 0 ? 0 : (cluster.rpcsSent() - rpcsBefore) / o.ops,
        failures,
      }
      progress.end(`${succeeded}/${o.ops} succeeded`)
      return result
    }

    const put = await phase(`storing ${o.ops} values`, 'Node', async (i, signal) => {
      const node = cluster.nodes[putters[i] as number]
      if (node === undefined) return 'NODE_DOWN'
      await node.set(keys[i] as string, values[i] as string, { signal })
      return undefined
    })
    const get = (label: string): Promise<Phase> => {
      const getters = keys.map((_, i) => getter(i))
      return phase(label, 'Value', async (i, signal) => {
        const node = cluster.nodes[getters[i] as number]
        if (node === undefined) return 'NODE_DOWN'
        const value = await node.get(keys[i] as string, { signal })
        return value === undefined ? 'NOT_FOUND' : sameValue(value, values[i] as string) ? undefined : 'WRONG_VALUE'
      })
    }
    const got = await get(`fetching ${o.ops} values`)

    const victims = new Set<number>()
    const toKill = Math.min(o.nodes - 1, Math.round(o.kill * o.nodes))
    for (let attempt = 0; victims.size < toKill && attempt < 100 * o.nodes; attempt++) victims.add(pick(o.nodes))
    progress.note(`killing ${victims.size} of ${o.nodes} nodes at once`)
    await Promise.all([...victims].map((i) => cluster.kill(i)))
    const gotAfterKill = await get(`fetching again`)

    return {
      nodes: o.nodes,
      ops: o.ops,
      killFraction: o.kill,
      join: {
        ms: joinTotal,
        failed: joinFailed,
        perNode: summarize(joinMs),
        contacts: summarize(contacts),
        emptyTables: contacts.filter((c) => c === 0).length,
      },
      memory: {
        heapPerNode: gcWorks ? (after.heapUsed - before.heapUsed) / o.nodes : Number.NaN,
        rssPerNode: (after.rss - before.rss) / o.nodes,
      },
      put,
      get: got,
      killed: victims.size,
      getAfterKill: gotAfterKill,
      elapsedMs: performance.now() - began,
    }
  } finally {
    await cluster.stopAll()
  }
}
