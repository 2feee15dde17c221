/**
 * What the engine needs from a node implementation: the core's three functions plus read-only
 * views for metrics and an optional fast table prefill. `core-driver.ts` binds it to the real
 * `Node` of @kademlia-ts/core; the engine itself never names `NodeState`.
 */
import type { Address, Effect, Event, NodeId, Time } from '@kademlia-ts/core'

// model

export interface Peer {
  readonly id: NodeId.NodeId
  readonly address: Address.Address
}

export interface Driver<S> {
  /** k: contacts per bucket (for the prefill). */
  readonly bucketSize: number
  readonly init: (id: NodeId.NodeId, seed: number, at: Time.Instant) => S
  /** The core's `step`: total, returns the next state and the effects in order. */
  readonly step: (state: S, event: Event) => { readonly state: S; readonly effects: ReadonlyArray<Effect> }
  readonly nextDeadline: (state: S) => Time.Instant | undefined
  /** The ids of the contacts in the node's routing table (not the replacement caches). */
  readonly contactIds: (state: S) => ReadonlyArray<NodeId.NodeId>
  /** Number of non-empty buckets. */
  readonly bucketCount: (state: S) => number
  /**
   * A new state whose routing table has also observed `peers` at `at` (through the routing
   * table's own `observe`, which never overfills a bucket), for the fast prefill join mode.
   */
  readonly prefill: (state: S, peers: ReadonlyArray<Peer>, at: Time.Instant) => S
}
