/**
 * The engine's `Driver` bound to the real core: `Node.init`, `Node.step` and `Node.nextDeadline`
 * of @kademlia-ts/core, exactly as the UDP shell drives them.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Config, Node, RoutingTable } from '@kademlia-ts/core'
import type { NodeState } from '@kademlia-ts/core'
import type { Driver } from './driver.js'

// constructors

/** The driver for a core config, or the config's field errors (as `core.<field>: message`). */
export const make = (core: unknown): E.Either<ReadonlyArray<string>, Driver<NodeState>> => {
  const decoded = Config.decode(core)
  if (E.isLeft(decoded)) return E.left(decoded.left.errors.map((e) => `core.${e.field}: ${e.message}`))
  const config = decoded.right
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
      // A new state with the new table (nothing mutated); the core has no setter for this, and
      // only this prefill path, outside the protocol, needs one.
      return { ...s, table }
    },
  })
}
