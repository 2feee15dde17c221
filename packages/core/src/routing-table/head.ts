/**
 * The head of an id: its first 30 bits as a non-negative small integer (a V8 SMI). Heads are the
 * routing table's cheap keys: bucket prefixes are searched by them, a bucket keeps one per
 * contact so that finding an id compares integers (and reads an id's bytes only when the heads
 * are equal), and `head(a) ^ head(b)` is the first 30 bits of the XOR distance (paper §2.1), so
 * distances are ordered by heads first.
 */
import type * as NodeId from '../id/node-id.js'

// queries

export const HEAD_BITS = 30

/**
 * For prefixes no deeper than 30 bits, `prefix ≤ id` exactly when `head(prefix) ≤ head(id)`;
 * deeper ones are told apart by a full comparison when the heads are equal.
 */
export const head = (id: NodeId.NodeId): number =>
  ((id[0] as number) << 22) | ((id[1] as number) << 14) | ((id[2] as number) << 6) | ((id[3] as number) >>> 2)
