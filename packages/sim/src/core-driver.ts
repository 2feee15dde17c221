/**
 * The engine's `Driver` bound to the real core: `Node.init`, `Node.step` and `Node.nextDeadline`
 * of @kademlia-ts/core, exactly as the UDP shell drives them.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Bucket, Config, Node, NodeId, RoutingTable } from '@kademlia-ts/core'
import type { NodeState } from '@kademlia-ts/core'
import type { Driver } from './driver.js'

// constructors

/**
 * Bucket prefixes are equal for every node whose ids agree on the first `depth` bits. The core
 * shares one instance per prefix up to `Bucket.SHARED_DEPTH`; `intern` extends that to every depth
 * for prefilled tables (at depth d there are at most min(2^(d+1), n) distinct prefixes among n
 * nodes, against ~225 heap bytes for each table's own), rebuilding their buckets with the shared
 * instances (a new table, equal field by field). A prefilled bucket's last-seen instants are all
 * the prefill instant, so its `seen` array is equal to every other bucket's of the same length:
 * `intern` shares one instance per (instant, length) too (arrays a bucket holds are never
 * written; a refresh makes the bucket its own copy). At 10^6 nodes, ~17 buckets each, that is
 * ~3.5 GB less heap. Ids and addresses are shared already: a bucket holds references to them.
 */
export const make = (core: unknown): E.Either<ReadonlyArray<string>, Driver<NodeState>> => {
  const decoded = Config.decode(core)
  if (E.isLeft(decoded)) return E.left(decoded.left.errors.map((e) => `core.${e.field}: ${e.message}`))
  const config = decoded.right
  const prefixes = new Map<string, NodeId.NodeId>()
  const sharedPrefix = (p: NodeId.NodeId, depth: number): NodeId.NodeId => {
    if (depth <= Bucket.SHARED_DEPTH) return p
    const key = `${depth}:${NodeId.toHex(p.subarray(0, (depth + 7) >>> 3))}`
    const known = prefixes.get(key)
    if (known !== undefined) return known
    prefixes.set(key, p)
    return p
  }
  const seens = new Map<string, ReadonlyArray<number>>()
  const sharedSeen = (seen: ReadonlyArray<number>): ReadonlyArray<number> => {
    const first = seen[0]
    if (first === undefined || seen.some((x) => x !== first)) return seen
    const key = `${first}:${seen.length}`
    const known = seens.get(key)
    if (known !== undefined) return known
    seens.set(key, seen)
    return seen
  }
  const intern = (t: RoutingTable.RoutingTable): RoutingTable.RoutingTable => ({
    ...t,
    buckets: t.buckets.map((b) =>
      Bucket.make(sharedPrefix(b.prefix, b.depth), b.depth, b.peers, b.heads, sharedSeen(b.seen), b.failures, b.cache, b.lastLookup, b.probing)),
  })
  return E.right({
    bucketSize: config.bucketSize,
    init: (id, seed, at) => Node.init(config, { id, seed, at }),
    step: Node.step,
    nextDeadline: Node.nextDeadline,
    contactIds: (s) => RoutingTable.ids(Node.routingTable(s)),
    bucketCount: (s) => {
      let n = 0
      for (const b of RoutingTable.buckets(Node.routingTable(s))) if (Bucket.size(b) > 0) n++
      return n
    },
    prefill: (s, peers, at) => {
      const table = RoutingTable.observeAll(Node.routingTable(s), peers, at)
      return Node.withRoutingTable(s, intern(table))
    },
  })
}
