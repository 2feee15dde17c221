/**
 * How an oracle network gets its routing tables and its dead nodes (see `OracleNetwork.create`):
 * converged tables filled with `RoutingTable.observe`, or joins through the protocol one node
 * after the other; then a seeded choice of nodes to kill. Works in place on the network's
 * private working copy (`Work`).
 */
import type { Address } from '../address.js'
import type * as NodeId from '../id/node-id.js'
import * as Node from '../node/node.js'
import type { NodeState } from '../node/state.js'
import * as Prng from '../prng.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import type { Instant } from '../time.js'
import * as Driver from './oracle-driver.js'
import type { OracleNode, Work } from './oracle-driver.js'
import * as Universe from './oracle-universe.js'

// queries

export const check = (ok: boolean, message: string): void => {
  if (!ok) throw new RangeError(`OracleNetwork: ${message}`)
}

export const checkDead = (dead: number | ReadonlyArray<number> | undefined, size: number): void => {
  if (typeof dead === 'number') check(dead >= 0 && dead <= 1, `dead fraction must lie in [0, 1], got ${dead}`)
  else for (const i of dead ?? []) check(Number.isInteger(i) && i >= 0 && i < size, `no node ${i}`)
}

/** `count` distinct integers of [0, n), in draw order (partial Fisher–Yates). */
export const sample = (prng: Prng.Prng, n: number, count: number): readonly [ReadonlyArray<number>, Prng.Prng] => {
  const pool = Array.from({ length: n }, (_, i) => i)
  let g = prng
  for (let i = 0; i < count; i++) {
    const [j, next] = Prng.nextInt(g, i, n - 1)
    g = next
    const t = pool[i] as number
    pool[i] = pool[j] as number
    pool[j] = t
  }
  return [pool.slice(0, count), g]
}

/** The nodes to kill: `dead` itself, or round(dead · size) of them drawn from `prng`. */
export const deadSet = (dead: number | ReadonlyArray<number> | undefined, size: number, prng: Prng.Prng): ReadonlyArray<number> =>
  dead === undefined ? [] : typeof dead === 'number' ? sample(prng, size, Math.round(dead * size))[0] : dead

// transitions

/**
 * `state` with `peers` observed into its routing table at `at` (`RoutingTable.observeAll`, as if
 * each had sent a message, paper §2.2, without the replies and notifications). Used to build
 * converged networks cheaply; a full bucket leaves a newcomer cached, as observe decides.
 */
export const withContacts = (
  state: NodeState,
  peers: ReadonlyArray<{ readonly id: NodeId.NodeId; readonly address: Address }>,
  at: Instant,
): NodeState => {
  const table = RoutingTable.observeAll(Node.routingTable(state), peers, at)
  return Node.withRoutingTable(state, table)
}

/** Converged tables (`Universe.converged`), filled at `now`. */
export const prefill = (w: Work, prng: Prng.Prng): Prng.Prng => {
  const universe = Universe.of(w.nodes.map((n) => n.id))
  let g = prng
  for (let i = 0; i < w.nodes.length; i++) {
    const [contacts, next] = Universe.converged(universe, i, w.config.bucketSize, g)
    g = next
    const node = w.nodes[i] as OracleNode
    w.nodes[i] = { ...node, state: withContacts(node.state, contacts.map((j) => w.nodes[j] as OracleNode), w.now) }
  }
  return g
}

/**
 * Node i (from 1 up) joins with `BootstrapRequested` through up to `peers` random earlier nodes,
 * each join run to completion (at most `maxEvents` events) before the next.
 */
export const joinByProtocol = (w: Work, prng: Prng.Prng, peers: number, maxEvents: number): Prng.Prng => {
  let g = prng
  for (let i = 1; i < w.nodes.length; i++) {
    const [chosen, next] = sample(g, i, Math.min(peers, i))
    g = next
    const contacts = chosen.map((j) => (w.nodes[j] as OracleNode).address)
    const opId = Driver.issue(w, i, { _tag: 'BootstrapRequested', contacts })
    Driver.drive(w, { maxEvents }, () => w.completed.some((c) => c.opId === opId))
    Driver.claim(w, opId)
  }
  return g
}
