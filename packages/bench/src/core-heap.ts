/**
 * Child process of `bench:core` (run with `--expose-gc`): heap bytes per `NodeState` with a
 * converged table in a network of N ids.
 *
 *   node --expose-gc packages/bench/dist/core-heap.js <nodes> <seed>
 *
 * The ids and addresses are made first (they are shared with the tables, as a simulator shares
 * them), then the heap is measured after a full GC before and after building one state per node;
 * the growth divided by N is the figure. Prints one JSON line: `HeapReport`.
 */
import { Address, Config, Node, NodeId, Prng, RoutingTable, Time } from '@kademlia-ts/core'
import type { NodeState } from '@kademlia-ts/core'
import { OracleNetwork, Universe } from '@kademlia-ts/core/testing'
import { settledHeapUsed } from './util/heap.js'

// model

export interface HeapReport {
  readonly nodes: number
  readonly bytes_per_node: number
  readonly contacts_per_node: number
  readonly buckets_per_node: number
  /** A fresh `NodeState` (empty table, store, in-flight), for comparison. */
  readonly empty_state_bytes: number
}

// transitions

/** Heap bytes per fresh `NodeState` (the array holding them is dropped on return). */
const emptyStateBytes = (ids: ReadonlyArray<NodeId.NodeId>): number => {
  const base = settledHeapUsed('core-heap')
  const empties: NodeState[] = []
  for (let i = 0; i < ids.length; i++) empties.push(Node.init(Config.defaults, { id: ids[i] as NodeId.NodeId, seed: i, at: Time.ZERO }))
  return (settledHeapUsed('core-heap') - base) / empties.length
}

const main = (): void => {
  const nodes = Number(process.argv[2] ?? '10000')
  const seed = Number(process.argv[3] ?? '1')
  let prng = Prng.fromSeed(seed)
  const ids: NodeId.NodeId[] = []
  for (let i = 0; i < nodes; i++) {
    const [id, next] = NodeId.random(prng)
    ids.push(id)
    prng = next
  }
  const addresses = ids.map((_, i) => Address.of(`n${i}`))
  const universe = Universe.of(ids)
  const emptyBytes = emptyStateBytes(ids)
  const states: NodeState[] = []
  const before = settledHeapUsed('core-heap')
  let g = prng
  for (let i = 0; i < nodes; i++) {
    const [contacts, next] = Universe.converged(universe, i, Config.defaults.bucketSize, g)
    const peers = contacts.map((j) => ({ id: ids[j] as NodeId.NodeId, address: addresses[j] as Address.Address }))
    const fresh = Node.init(Config.defaults, { id: ids[i] as NodeId.NodeId, seed: i, at: Time.ZERO })
    g = next
    states.push(OracleNetwork.withContacts(fresh, peers, Time.ZERO))
    if ((i + 1) % 2000 === 0) process.stderr.write(`[bench:core heap] ${i + 1}/${nodes} states\n`)
  }
  const after = settledHeapUsed('core-heap')
  let contacts = 0
  let buckets = 0
  for (const s of states) {
    contacts += RoutingTable.size(Node.routingTable(s))
    buckets += RoutingTable.buckets(Node.routingTable(s)).length
  }
  const report: HeapReport = {
    nodes,
    bytes_per_node: (after - before) / nodes,
    contacts_per_node: contacts / nodes,
    buckets_per_node: buckets / nodes,
    empty_state_bytes: emptyBytes,
  }
  process.stdout.write(JSON.stringify(report) + '\n')
}

main()
