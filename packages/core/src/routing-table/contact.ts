/**
 * A contact: what a routing table knows about one peer (paper §2.2: the (IP, UDP port, NodeID)
 * triple, plus the last time we heard from it and the consecutive failures of §4.1).
 *
 * Contacts are immutable and small (four fields, one shape): a table holds many, and a simulator
 * holds a table per node, so the `id` is shared with whoever made it, never copied.
 */
import type { Address } from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type { Instant } from '../time.js'

// model

export interface Contact {
  readonly id: NodeId
  readonly address: Address
  /** The last time we heard from it (a message or a reply). */
  readonly lastSeen: Instant
  /** Consecutive failed RPCs; 0 after any reply (paper §4.1). */
  readonly failures: number
}

// constructors

/** Always builds the fields in the same order, so every contact shares one hidden class. */
export const of = (id: NodeId, address: Address, lastSeen: Instant, failures = 0): Contact => ({
  id,
  address,
  lastSeen,
  failures,
})

// queries

/** Stale after `staleAfterFailures` consecutive failures (paper §4.1: 5). */
export const isStale = (c: Contact, staleAfterFailures: number): boolean => c.failures >= staleAfterFailures

// transitions

/** Heard from it at `at` (from `address`): alive again, failures reset. */
export const seen = (c: Contact, address: Address, at: Instant): Contact => of(c.id, address, at, 0)

/** One more consecutive failed RPC. */
export const failed = (c: Contact): Contact => of(c.id, c.address, c.lastSeen, c.failures + 1)
