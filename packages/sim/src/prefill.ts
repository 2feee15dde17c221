/**
 * The fast `prefill` join mode: gives every node the routing table Kademlia converges to, without
 * running the joins, so that networks of 10^5–10^6 nodes can start in seconds. The workload then
 * runs the real protocol on these tables. Output of a prefilled run says so.
 */
import type { Address } from '@kademlia-ts/core'
import { NodeId, RoutingTable, Time } from '@kademlia-ts/core'
import type { Driver, Peer } from './driver.js'
import type * as IdIndex from './id-index.js'
import type * as Random from './random.js'

/**
 * Fast prefill (the `prefill` join mode): gives every node the routing table Kademlia converges
 * to, without running the joins. For every depth d, the nodes whose id shares exactly d leading
 * bits with ours form one sibling subtree (a contiguous range of the sorted ids); the node
 * observes all of them when there are at most k, otherwise k of them: the ones closest to it when
 * the subtree holds some of its true k closest, a seeded random sample otherwise. Every node thus
 * knows its true k closest and no bucket overflows, so `RoutingTable.observe` never asks for a
 * probe. Node i's state is `initial(i)` with its table so filled. Returns the number of
 * contacts observed.
 */
export const prefill = <S>(
  states: Array<S | undefined>,
  initial: (node: number) => S,
  ids: ReadonlyArray<NodeId.NodeId>,
  addresses: ReadonlyArray<Address.Address>,
  index: IdIndex.IdIndex,
  driver: Driver<S>,
  bucketSize: number,
  rng: Random.Random,
  onProgress: (done: number) => void = () => undefined,
): number => {
  const k = bucketSize
  const sorted = index.sorted()
  // One `Peer` per node, shared by every table that observes it, by position in `sorted`: the
  // samples of a subtree read one contiguous array instead of three scattered ones. They are
  // made in that order, so the records of a subtree also lie together in memory, and keyed (the
  // head of each id computed here once, not read from the id's bytes by each of ~250 tables).
  const peerAt = new Array<Peer>(sorted.length)
  for (let p = 0; p < sorted.length; p++) {
    const n = sorted[p] as number
    peerAt[p] = RoutingTable.keyedPeer(ids[n] as NodeId.NodeId, addresses[n] as Address.Address)
  }
  const picked = new Int32Array(k)
  let total = 0
  for (let i = 0; i < states.length; i++) {
    const self = ids[i] as NodeId.NodeId
    const chosen: Peer[] = []
    const subtrees = index.siblings(i)
    // Nodes in our own, deeper subtrees (closer to us than any sibling at depth d).
    let deeper = 0
    for (let s = subtrees.length - 1; s >= 0; s--) {
      const [, from, to] = subtrees[s] as readonly [number, number, number]
      const size = to - from
      if (size <= k) {
        for (let p = from; p < to; p++) chosen.push(peerAt[p] as Peer)
      } else if (deeper < k) {
        // This subtree holds some of our true k closest: take the closest.
        const members: number[] = []
        for (let p = from; p < to; p++) members.push(p)
        members.sort((a, b) => compareXor(self, ids[sorted[a] as number] as NodeId.NodeId, ids[sorted[b] as number] as NodeId.NodeId))
        for (let p = 0; p < k; p++) chosen.push(peerAt[members[p] as number] as Peer)
      } else {
        // k distinct positions, uniformly (rejection: k is small and size > k).
        for (let p = 0; p < k; p++) {
          let r = rng.int(size)
          for (let q = 0; q < p; q++) {
            if (picked[q] === r) {
              r = rng.int(size)
              q = -1
            }
          }
          picked[p] = r
          chosen.push(peerAt[from + r] as Peer)
        }
      }
      deeper += size
    }
    total += chosen.length
    states[i] = driver.prefill(initial(i), chosen, Time.instant(0))
    if ((i & 8191) === 8191) onProgress(i + 1)
  }
  return total
}

const compareXor = (t: NodeId.NodeId, a: NodeId.NodeId, b: NodeId.NodeId): number => {
  for (let i = 0; i < NodeId.BYTES; i++) {
    const d = ((a[i] as number) ^ (t[i] as number)) - ((b[i] as number) ^ (t[i] as number))
    if (d !== 0) return d
  }
  return 0
}
