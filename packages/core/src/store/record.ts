/**
 * A stored key/value record and its lifetime policy (paper §2.3, §2.5). Instants are on the
 * driver's time line; a driver that persists records across restarts translates them.
 */
import type { Instant } from '../time.js'
import type { NodeId } from '../id/node-id.js'
import type { Value } from '../rpc/value.js'

// model

/** Why we hold a record, which decides how it is refreshed. */
export type Origin =
  /** We published it (a user's put): we republish it every tRepublish (§2.3). */
  | 'Published'
  /** A peer asked us to store it: we replicate it every tReplicate unless we just received it (§2.5). */
  | 'Replica'
  /** A lookup cached it here (§2.3): it expires early, by distance, and is never replicated. */
  | 'Cached'

export interface StoredRecord {
  readonly key: NodeId
  readonly value: Value
  readonly origin: Origin
  /** When we last received or published it. */
  readonly storedAt: Instant
  /** When it stops being served and is removed. */
  readonly expiresAt: Instant
}
