/**
 * kademlia-ts (`@kademlia-ts/node-shell`'s `Server`, default configuration) as a `Network`: every
 * node listens on 127.0.0.1 and joins through node 0.
 */
import { NodeId } from '@kademlia-ts/core'
import { Server } from '@kademlia-ts/node-shell'
import { pool } from './net-stats.js'
import type { Network } from './net-scenario.js'

// constructors

export const create = (joinWindow: number): Promise<Network> => {
  const nodes: Array<Server | undefined> = []
  const node = (i: number): Server => {
    const s = nodes[i]
    if (s === undefined) throw new Error(`node ${i} is not running`)
    return s
  }
  const started = async (): Promise<Server> => {
    const s = new Server()
    s.on('error', () => undefined)
    await s.listen(0, '127.0.0.1')
    return s
  }
  return Promise.resolve({
    start: async (n, onJoined) => {
      const seed = await started()
      nodes.push(seed)
      onJoined(1, false)
      const seedAddress = `127.0.0.1:${seed.port ?? 0}`
      let done = 1
      await pool(n - 1, joinWindow, async () => {
        const s = await started()
        nodes.push(s)
        // A failed join leaves the node with whatever it learned; the figures count it.
        const failed = await s.bootstrap([seedAddress]).then(
          () => false,
          () => true,
        )
        onJoined(++done, failed)
      })
    },
    tableSizes: () => nodes.flatMap((s) => (s === undefined ? [] : [s.contacts().length])),
    lookup: async (from, target) => {
      await node(from).findNode(target).catch(() => undefined)
    },
    put: (from, key, value) =>
      node(from)
        .set(key, value)
        .then(
          () => key,
          () => undefined,
        ),
    // `get` answers from the node's own records when it holds one (as Python's `get`); the
    // scenario fetches from nodes that do not (`holds`), so every get is a network lookup.
    get: (from, handle) =>
      node(from)
        .get(handle)
        .then(
          (v) => (v instanceof Uint8Array ? v : undefined),
          () => undefined,
        ),
    holds: (from, handle) => {
      const key = NodeId.fromKey(handle)
      return node(from).records().some((r) => NodeId.equals(r.key, key))
    },
    kill: async (i) => {
      const s = node(i)
      nodes[i] = undefined
      await s.stop()
    },
    protocolStates: () => nodes.flatMap((s) => (s === undefined ? [] : [s.state])),
    stop: async () => {
      const live = nodes.filter((s): s is Server => s !== undefined)
      nodes.length = 0
      await Promise.all(live.map((s) => s.stop()))
    },
  })
}
