/**
 * The routing table's data (see `routing-table.ts` for its contract and transitions). Kept apart
 * so `invariants.ts` can read it without an import cycle.
 */
import type * as NodeId from '../id/node-id.js'
import type { Instant } from '../time.js'
import type { Bucket } from './bucket.js'

// model

/**
 * The table's parameters. Preconditions (the node's config decoder enforces them): integers with
 * `bucketSize ≥ 1`, `bitsPerHop ≥ 1`, `replacementCacheSize ≥ 0`, `staleAfterFailures ≥ 1`.
 */
export interface Config {
  /** k: contacts per bucket (paper §2.2: 20). */
  readonly bucketSize: number
  /** b (paper §4.2): a full bucket also splits when its depth is not a multiple of b; 1 = plain Kademlia. */
  readonly bitsPerHop: number
  /** Replacements kept per bucket (paper §4.1). */
  readonly replacementCacheSize: number
  /** Consecutive failures after which a contact is stale (paper §4.1: 5). */
  readonly staleAfterFailures: number
}

export const defaultConfig: Config = {
  bucketSize: 20,
  bitsPerHop: 1,
  replacementCacheSize: 20,
  staleAfterFailures: 5,
}

export interface RoutingTable {
  readonly self: NodeId.NodeId
  readonly config: Config
  /** Leaves of the prefix tree, in id order; their ranges partition the id space. */
  readonly buckets: ReadonlyArray<Bucket>
  /** Number of contacts (replacements not counted). */
  readonly size: number
  /**
   * Derived search keys, one per bucket: the first 30 bits of its prefix (`Walk.head`). They
   * change only when a bucket splits, so successive tables share the array, and finding the
   * bucket of an id reads this one small array instead of each visited bucket's prefix.
   */
  readonly heads: ReadonlyArray<number>
  /**
   * Derived: the earliest `lastLookup` of the buckets, so the next refresh is known without a
   * scan (a node's driver asks for its next deadline after every step).
   */
  readonly oldestLookup: Instant
}
