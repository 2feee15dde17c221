/**
 * The workload of `bench:routing`: the same random contacts, targets and operations for our
 * RoutingTable and for `k-bucket`, and the brute-force oracle both are checked against.
 */
import { Address, Distance, NodeId, Prng, RoutingTable, Time } from '@kademlia-ts/core'
import KBucket from 'k-bucket'

// model

export interface Peer {
  readonly id: NodeId.NodeId
  readonly address: Address.Address
}

/** What k-bucket stores: the caller's object (its `vectorClock` decides updates). */
export interface KContact {
  id: Uint8Array
  address: string
  vectorClock: number
}

export interface Workload {
  readonly self: NodeId.NodeId
  readonly peers: ReadonlyArray<Peer>
  /** The same peers as k-bucket contacts (same id instances). */
  readonly kcontacts: ReadonlyArray<KContact>
  readonly targets: ReadonlyArray<NodeId.NodeId>
}

// constructors

/** `count` random ids drawn from `prng`, with one address each. */
export const randomPeers = (prng: Prng.Prng, count: number): readonly [Peer[], Prng.Prng] => {
  const out: Peer[] = []
  let g = prng
  for (let i = 0; i < count; i++) {
    const [id, next] = NodeId.random(g)
    g = next
    out.push({ id, address: Address.of(`10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}:4000`) })
  }
  return [out, g]
}

export const makeWorkload = (seed: number, contacts: number, targets: number): Workload => {
  let g = Prng.fromSeed(seed)
  const [self, g1] = NodeId.random(g)
  g = g1
  const [peers, g2] = randomPeers(g, contacts)
  g = g2
  const ts: NodeId.NodeId[] = []
  for (let i = 0; i < targets; i++) {
    const [t, next] = NodeId.random(g)
    g = next
    ts.push(t)
  }
  const kcontacts = peers.map((p) => ({ id: p.id as Uint8Array, address: p.address as string, vectorClock: 0 }))
  return { self, peers, kcontacts, targets: ts }
}

// queries

/** Brute force: `n` of `ids` sorted by XOR distance to `target`, as hex. */
export const bruteClosest = (ids: ReadonlyArray<Uint8Array>, target: NodeId.NodeId, n: number): string[] =>
  ids
    .slice()
    .sort((a, b) => Distance.compareTo(target, a as NodeId.NodeId, b as NodeId.NodeId))
    .slice(0, n)
    .map((id) => NodeId.toHex(id))

/** How many of `targets` get exactly the brute-force answer from `closest` over `contents`. */
export const exactCount = (
  contents: ReadonlyArray<Uint8Array>,
  targets: ReadonlyArray<NodeId.NodeId>,
  n: number,
  closest: (target: NodeId.NodeId) => ReadonlyArray<Uint8Array>,
): number => {
  let ok = 0
  for (const target of targets) {
    const expected = bruteClosest(contents, target, n)
    const actual = closest(target).map((id) => NodeId.toHex(id))
    if (actual.length === expected.length && actual.every((h, i) => h === expected[i])) ok++
  }
  return ok
}

// transitions (the timed operations; each returns a value so nothing is optimised away)

export const ourInsert = (w: Workload, config: RoutingTable.Config): RoutingTable.RoutingTable => {
  let t = RoutingTable.empty(w.self, config, Time.ZERO)
  const peers = w.peers
  for (let i = 0; i < peers.length; i++) t = RoutingTable.observe(t, peers[i] as Peer, Time.instant(i)).table
  return t
}

/** `count` observations of contacts the table holds, round robin: the refresh path. */
export const ourRefresh = (t: RoutingTable.RoutingTable, count: number, from: number): RoutingTable.RoutingTable => {
  const known: Peer[] = RoutingTable.contacts(t).map((c) => ({ id: c.id, address: c.address }))
  for (let i = 0; i < count; i++) t = RoutingTable.observe(t, known[i % known.length] as Peer, Time.instant(from + i)).table
  return t
}

export const ourClosest = (t: RoutingTable.RoutingTable, targets: ReadonlyArray<NodeId.NodeId>, n: number): number => {
  let sum = 0
  for (const target of targets) sum += RoutingTable.closest(t, target, n).length
  return sum
}

export const kInsert = (w: Workload, k: number): KBucket<KContact> => {
  const kb = new KBucket<KContact>({ localNodeId: w.self, numberOfNodesPerKBucket: k })
  const cs = w.kcontacts
  for (let i = 0; i < cs.length; i++) kb.add(cs[i] as KContact)
  return kb
}

export const kRefresh = (kb: KBucket<KContact>, count: number): KBucket<KContact> => {
  const known = kb.toArray()
  for (let i = 0; i < count; i++) kb.add(known[i % known.length] as KContact)
  return kb
}

export const kClosest = (kb: KBucket<KContact>, targets: ReadonlyArray<NodeId.NodeId>, n: number): number => {
  let sum = 0
  for (const target of targets) sum += kb.closest(target, n).length
  return sum
}
