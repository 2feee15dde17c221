/**
 * The engine's `Driver` bound to the real core: `Node.init`, `Node.step` and `Node.nextDeadline`
 * of @kademlia-ts/core, exactly as the UDP shell drives them.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Config, Node, NodeId, RoutingTable } from '@kademlia-ts/core'
import type { NodeState } from '@kademlia-ts/core'
import type { Driver } from './driver.js'

// constructors

/**
 * Prefilled tables hold, for each peer, a contact that is the same in every table (its id, its
 * address, last seen at the prefill instant, no failures). Contacts are immutable, so all tables
 * can share one object per peer: `intern` rebuilds each bucket's contact list with the shared
 * instances (a new table, equal field by field). At 10^6 nodes this saves ~3·10^8 objects. A
 * contact the node updates later becomes its own object again, as any immutable update does.
 */
export const make = (core: unknown): E.Either<ReadonlyArray<string>, Driver<NodeState>> => {
  const decoded = Config.decode(core)
  if (E.isLeft(decoded)) return E.left(decoded.left.errors.map((e) => `core.${e.field}: ${e.message}`))
  const config = decoded.right
  const shared = new Map<NodeId.NodeId, RoutingTable.Contact>()
  /**
   * Bucket prefixes are equal for every node whose ids agree on the first `depth` bits: at depth
   * ≤ 12 (at most 8192 distinct prefixes) the tables share one instance per prefix.
   */
  const prefixes = new Map<string, NodeId.NodeId>()
  const sharedPrefix = (p: NodeId.NodeId, depth: number): NodeId.NodeId => {
    if (depth > 12) return p
    const key = `${depth}:${NodeId.toHex(p.subarray(0, 2))}`
    const known = prefixes.get(key)
    if (known !== undefined) return known
    prefixes.set(key, p)
    return p
  }
  const sharedContact = (c: RoutingTable.Contact): RoutingTable.Contact => {
    const known = shared.get(c.id)
    if (known !== undefined && known.address === c.address && known.lastSeen === c.lastSeen && known.failures === c.failures) return known
    if (known === undefined) shared.set(c.id, c)
    return c
  }
  const intern = (t: RoutingTable.RoutingTable): RoutingTable.RoutingTable => ({
    ...t,
    buckets: t.buckets.map((b) => ({ ...b, prefix: sharedPrefix(b.prefix, b.depth), contacts: b.contacts.map(sharedContact) })),
  })
  return E.right({
    bucketSize: config.bucketSize,
    init: (id, seed, at) => Node.init(config, { id, seed, at }),
    step: Node.step,
    nextDeadline: Node.nextDeadline,
    contactIds: (s) => RoutingTable.contacts(Node.routingTable(s)).map((c) => c.id),
    bucketCount: (s) => {
      let n = 0
      for (const b of RoutingTable.buckets(Node.routingTable(s))) if (b.contacts.length > 0) n++
      return n
    },
    prefill: (s, peers, at) => {
      let table = Node.routingTable(s)
      for (const p of peers) table = RoutingTable.observe(table, p, at).table
      return Node.withRoutingTable(s, intern(table))
    },
  })
}
