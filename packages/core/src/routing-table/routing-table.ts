/**
 * The routing table (paper §2.2, §2.4, §4.1, §4.2): a binary prefix tree of k-buckets held as its
 * leaves in id order, as immutable data.
 *
 * - Splitting (§2.4, §4.2): a full bucket splits when its range holds our own id, when its depth is
 *   not a multiple of `bitsPerHop` (b bits per hop, §4.2), or, relaxed (§2.4, Fig. 5), when the
 *   newcomer would be among the k contacts closest to our own id. Otherwise the newcomer waits in
 *   the bucket's replacement cache and the least-recently seen contact is probed (§2.2, §4.1).
 * - A live contact is never dropped for a newcomer (§2.2): a contact leaves a full bucket only
 *   when its probe failed, when it is stale (`staleAfterFailures` consecutive failures, §4.1) and
 *   a replacement or newcomer takes its place, or when the driver removes it.
 * - Address conflicts: a known id heard from another address takes that address only if the
 *   stored contact has failed at least once since we last heard from it; a live contact keeps its
 *   address and the claim is `Rejected { reason: 'AddressConflict' }`. This stops a third party
 *   from hijacking a live contact's slot by spoofing its id (the Python library never updates the
 *   address, its bug F2).
 * - Time: every transition takes `at`, which the driver keeps non-decreasing; contacts stay ordered
 *   by `lastSeen`.
 * - Never contains our own id. A bucket holds at most `bucketSize` contacts and at most
 *   `replacementCacheSize` replacements.
 *
 * Performance: transitions copy only the changed bucket's arrays and the bucket spine (one slot
 * per leaf: about log2(n/k) leaves for n peers, a few more with relaxed splitting or b > 1);
 * contacts and ids are shared. `closest` visits only the leaves nearest to the target and sorts at
 * most n + k - 1 contacts, block by block. See docs/adr/0004-routing-table.md.
 */
import type { Address } from '../address.js'
import * as Distance from '../id/distance.js'
import * as NodeId from '../id/node-id.js'
import type { Duration, Instant } from '../time.js'
import * as B from './bucket.js'
import * as C from './contact.js'
import type { Config, RoutingTable } from './model.js'
import * as Walk from './walk.js'

// model

export type { Contact } from './contact.js'
export type { Bucket } from './bucket.js'
type Contact = C.Contact
type Bucket = B.Bucket

export type { Config, RoutingTable } from './model.js'
export { defaultConfig } from './model.js'
export { checkInvariants } from './invariants.js'

export type ObserveOutcome =
  /** Added, after `splits` bucket splits. */
  | { readonly _tag: 'Inserted'; readonly contact: Contact; readonly splits: number }
  /** Known: moved to the tail, `lastSeen` = at, failures reset (and the address taken, see above). */
  | { readonly _tag: 'Refreshed'; readonly contact: Contact }
  /** The bucket was full but held a stale contact (≥ staleAfterFailures failures): it made room. */
  | { readonly _tag: 'Replaced'; readonly evicted: Contact; readonly inserted: Contact }
  /** Bucket full: the newcomer is cached; the driver must PING `probe` (the LRS) and call `resolveProbe`. */
  | { readonly _tag: 'Pending'; readonly probe: Contact }
  /** Bucket full and a probe already pending: the newcomer is only in the replacement cache. */
  | { readonly _tag: 'Cached' }
  /** Our own id; or a known live id claimed from another address. */
  | { readonly _tag: 'Rejected'; readonly reason: 'OwnId' | 'AddressConflict' }

export type FailureOutcome =
  /** Failures incremented, contact kept. */
  | { readonly _tag: 'Flagged'; readonly contact: Contact }
  /** Removed: stale with a replacement (§4.1), or its probe failed; `promoted` took its place. */
  | { readonly _tag: 'Evicted'; readonly evicted: Contact; readonly promoted: Contact | undefined }
  /** Not a contact of the table (an entry of a replacement cache is dropped). */
  | { readonly _tag: 'Unknown' }

export type ProbeOutcome = FailureOutcome | { readonly _tag: 'Kept'; readonly contact: Contact }

export type RespondedOutcome =
  | { readonly _tag: 'Refreshed'; readonly contact: Contact }
  | { readonly _tag: 'Unknown' }

export interface Step<O> {
  readonly table: RoutingTable
  readonly outcome: O
}

// constructors

/** A table holding nothing: one bucket covering the whole id space, its refresh clock at `at`. */
export const empty = (self: NodeId.NodeId, config: Config, at: Instant): RoutingTable => ({
  self,
  config,
  buckets: [B.root(at)],
  size: 0,
  heads: ROOT_HEADS,
})

const ROOT_HEADS: ReadonlyArray<number> = [0]

/** Index of the bucket holding `id` (by the table's `heads`). */
const indexOf = (t: RoutingTable, id: NodeId.NodeId): number => Walk.indexOfHead(t.buckets, t.heads, id)

// queries

/** The leaf whose range holds `id`. */
export const bucketOf = (t: RoutingTable, id: NodeId.NodeId): Bucket =>
  t.buckets[indexOf(t, id)] as Bucket

export const find = (t: RoutingTable, id: NodeId.NodeId): Contact | undefined => {
  const b = bucketOf(t, id)
  const cs = b.contacts
  const i = B.indexOf(cs, id, B.keyByte(b.depth))
  return i < 0 ? undefined : cs[i]
}

/** Every contact, bucket by bucket in id order, each bucket least-recently seen first. */
export const contacts = (t: RoutingTable): ReadonlyArray<Contact> => {
  const out: Contact[] = []
  for (const b of t.buckets) for (const c of b.contacts) out.push(c)
  return out
}

export const size = (t: RoutingTable): number => t.size

export const buckets = (t: RoutingTable): ReadonlyArray<Bucket> => t.buckets

/**
 * The `n` contacts closest to `target` by XOR distance, closest first: exactly the first `n` of
 * the table's contacts sorted by distance (fewer only when the table holds fewer). Paper §2.3:
 * FIND_NODE answers from several buckets when one has fewer than k.
 */
export const closest = (t: RoutingTable, target: NodeId.NodeId, n: number): ReadonlyArray<Contact> => {
  const out: Contact[] = []
  if (n <= 0) return out
  // Sort keys: the first 30 bits of each chosen contact's distance to `target`, ties (ids that
  // agree on those bits) broken by the full comparison. Small integers in a parallel array, so
  // the insertion sort rarely reads an id.
  const keys: number[] = []
  const th = Walk.head(target)
  Walk.byDistance(t.buckets, t.heads, target, (b) => {
    const cs = b.contacts
    // Buckets come in increasing distance, so each block only needs sorting within itself: each
    // contact is inserted into the block's sorted tail, and once `n` are held a contact no closer
    // than the last is skipped and a closer one pushes the last out.
    const start = out.length
    for (let i = 0; i < cs.length; i++) {
      const c = cs[i] as Contact
      const key = Walk.head(c.id) ^ th
      let j = out.length - 1
      if (out.length >= n) {
        if (j < start || !closer(key, c, keys[j] as number, out[j] as Contact, target)) continue
        j--
      } else {
        out.push(c)
        keys.push(key)
      }
      while (j >= start && closer(key, c, keys[j] as number, out[j] as Contact, target)) {
        out[j + 1] = out[j] as Contact
        keys[j + 1] = keys[j] as number
        j--
      }
      out[j + 1] = c
      keys[j + 1] = key
    }
    return out.length >= n
  })
  return out
}

/** Whether `a` (distance head `ka`) is strictly closer to `target` than `b` (head `kb`). */
const closer = (ka: number, a: Contact, kb: number, b: Contact, target: NodeId.NodeId): boolean =>
  ka !== kb ? ka < kb : Distance.compareTo(target, a.id, b.id) < 0

/** Buckets due for a refresh lookup (paper §2.3): `lastLookup + refreshInterval <= at`. */
export const staleBuckets = (t: RoutingTable, at: Instant, refreshInterval: Duration): ReadonlyArray<Bucket> =>
  t.buckets.filter((b) => b.lastLookup + refreshInterval <= at)

/** The earliest `lastLookup + refreshInterval` over all buckets. */
export const nextRefreshAt = (t: RoutingTable, refreshInterval: Duration): Instant | undefined => {
  let min: number | undefined
  for (const b of t.buckets) if (min === undefined || b.lastLookup < min) min = b.lastLookup
  return min === undefined ? undefined : ((min + refreshInterval) as Instant)
}

/**
 * How many contacts are strictly closer to `self` than `id`, counting no further than `limit`.
 * Walks the buckets outward from `self`: whole buckets before the one holding `id` are closer.
 */
const closerToSelf = (t: RoutingTable, id: NodeId.NodeId, limit: number): number => {
  let count = 0
  const self = t.self
  Walk.byDistance(t.buckets, t.heads, self, (b) => {
    if (B.covers(b, id)) {
      for (const c of b.contacts) if (Distance.compareTo(self, c.id, id) < 0) count++
      return true
    }
    count += b.contacts.length
    return count >= limit
  })
  return count
}

/**
 * Whether at least `k` contacts are strictly closer to `self` than `id`, whose bucket does not
 * hold `self`. Fast path: the leaves whose ids share more leading bits with `self` than `id` does
 * sit next to the leaf of `self` in the id-ordered spine, and all their contacts are closer; only
 * when they hold fewer than k is the exact outward walk needed.
 */
const hasKCloser = (t: RoutingTable, id: NodeId.NodeId, k: number): boolean => {
  const self = t.self
  const bs = t.buckets
  const c = Distance.commonPrefixLength(self, id)
  const s = indexOf(t, self)
  let count = (bs[s] as Bucket).contacts.length
  if (count >= k) return true
  for (let j = s - 1; j >= 0; j--) {
    const b = bs[j] as Bucket
    if (Distance.commonPrefixLength(b.prefix, self) <= c) break
    count += b.contacts.length
    if (count >= k) return true
  }
  for (let j = s + 1; j < bs.length; j++) {
    const b = bs[j] as Bucket
    if (Distance.commonPrefixLength(b.prefix, self) <= c) break
    count += b.contacts.length
    if (count >= k) return true
  }
  return closerToSelf(t, id, k) >= k
}

/** Whether the full bucket `b` should split to make room for `id` (paper §2.4, Fig. 5, §4.2). */
const maySplit = (t: RoutingTable, b: Bucket, id: NodeId.NodeId): boolean =>
  b.depth < NodeId.BITS &&
  (B.covers(b, t.self) ||
    b.depth % t.config.bitsPerHop !== 0 ||
    !hasKCloser(t, id, t.config.bucketSize))

// transitions

// The outcomes that carry no data are shared (they are immutable).
const CACHED: ObserveOutcome = Object.freeze({ _tag: 'Cached' })
const OWN_ID: ObserveOutcome = Object.freeze({ _tag: 'Rejected', reason: 'OwnId' })
const ADDRESS_CONFLICT: ObserveOutcome = Object.freeze({ _tag: 'Rejected', reason: 'AddressConflict' })

const withBucket = (t: RoutingTable, i: number, b: Bucket, sizeDelta: number): RoutingTable => {
  const spine = t.buckets.slice()
  spine[i] = b
  return { self: t.self, config: t.config, buckets: spine, size: t.size + sizeDelta, heads: t.heads }
}

const withSplit = (t: RoutingTable, i: number, halves: readonly [Bucket, Bucket]): RoutingTable => {
  const old = t.buckets
  const spine = new Array<Bucket>(old.length + 1)
  for (let j = 0; j < i; j++) spine[j] = old[j] as Bucket
  spine[i] = halves[0]
  spine[i + 1] = halves[1]
  for (let j = i + 1; j < old.length; j++) spine[j + 1] = old[j] as Bucket
  const heads = new Array<number>(old.length + 1)
  for (let j = 0; j <= i; j++) heads[j] = t.heads[j] as number
  heads[i + 1] = Walk.head(halves[1].prefix)
  for (let j = i + 1; j < old.length; j++) heads[j + 1] = t.heads[j] as number
  return { self: t.self, config: t.config, buckets: spine, size: t.size, heads }
}

/**
 * Whether the peer handed to `observe` is already the contact record it would create: a `Contact`
 * seen at `at` with no failures. Then it is stored as is, so a driver that builds many tables from
 * the same peers (a simulator's prefill) can share one immutable record among all of them instead
 * of one allocation per table.
 */
const isFresh = (
  peer: { readonly id: NodeId.NodeId; readonly address: Address },
  at: Instant,
): peer is Contact => {
  const p = peer as { readonly lastSeen?: unknown; readonly failures?: unknown }
  return p.lastSeen === at && p.failures === 0
}

const clearProbe = (b: Bucket, id: NodeId.NodeId): NodeId.NodeId | undefined =>
  b.probing !== undefined && NodeId.equals(b.probing, id) ? undefined : b.probing

/**
 * We heard from `peer` at `at` (any message or reply, paper §2.2). A known contact moves to the
 * tail; a newcomer is added when there is room, after splitting if the rules allow, or in place of
 * a stale contact; otherwise it is cached and the least-recently seen contact must be probed.
 * A `peer` that is already a `Contact` with `lastSeen === at` and no failures is stored as is
 * (shared, never copied; like every input it must never be mutated).
 */
export const observe = (
  t: RoutingTable,
  peer: { readonly id: NodeId.NodeId; readonly address: Address },
  at: Instant,
): Step<ObserveOutcome> => {
  const id = peer.id
  const self = t.self
  if (id[0] === self[0] && NodeId.equals(id, self)) return { table: t, outcome: OWN_ID }
  const cfg = t.config
  let i = indexOf(t, id)
  let b = t.buckets[i] as Bucket
  const found = B.lookup(b.contacts, id, cfg.staleAfterFailures, B.keyByte(b.depth))
  if (found >= 0) {
    const old = b.contacts[found] as Contact
    if (old.address !== peer.address && old.failures === 0) {
      return { table: t, outcome: ADDRESS_CONFLICT }
    }
    // Heard again in the same instant, already at the tail and live: nothing to change, so the
    // same table (a reply burst from one peer costs no allocation but the outcome).
    if (found === b.contacts.length - 1 && old.lastSeen === at && old.failures === 0 &&
      old.address === peer.address && (b.probing === undefined || !NodeId.equals(b.probing, id))) {
      return { table: t, outcome: { _tag: 'Refreshed', contact: old } }
    }
    const contact = isFresh(peer, at) ? peer : C.seen(old, peer.address, at)
    const nb = B.make(b.prefix, b.depth, B.replaceByLastSeen(b.contacts, found, contact), b.replacements,
      b.lastLookup, clearProbe(b, id))
    return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Refreshed', contact } }
  }
  const contact = isFresh(peer, at) ? peer : C.of(id, peer.address, at, 0)
  const k = cfg.bucketSize
  let table = t
  let splits = 0
  // Bounded: each split increases the depth of the bucket holding `id`, at most 160.
  while (B.isFull(b, k) && maySplit(table, b, id)) {
    table = withSplit(table, i, B.split(b))
    splits++
    if (B.covers(table.buckets[i + 1] as Bucket, id)) i++
    b = table.buckets[i] as Bucket
  }
  if (!B.isFull(b, k)) {
    const cached = B.indexOf(b.replacements, id, B.keyByte(b.depth))
    const nb = B.make(b.prefix, b.depth, B.insertByLastSeen(b.contacts, contact),
      cached < 0 ? b.replacements : B.without(b.replacements, cached), b.lastLookup, b.probing)
    return { table: withBucket(table, i, nb, 1), outcome: { _tag: 'Inserted', contact, splits } }
  }
  const stale = splits === 0 ? -2 - found : B.indexOfStale(b, cfg.staleAfterFailures)
  if (stale >= 0) {
    const evicted = b.contacts[stale] as Contact
    const cached = B.indexOf(b.replacements, id, B.keyByte(b.depth))
    const nb = B.make(b.prefix, b.depth, B.replaceByLastSeen(b.contacts, stale, contact),
      cached < 0 ? b.replacements : B.without(b.replacements, cached), b.lastLookup, clearProbe(b, evicted.id))
    return { table: withBucket(table, i, nb, 0), outcome: { _tag: 'Replaced', evicted, inserted: contact } }
  }
  if (b.probing !== undefined && splits === 0) {
    // Already the newest replacement, heard in the same instant from the same address: unchanged.
    const newest = b.replacements[0]
    if (newest !== undefined && newest.lastSeen === at && newest.address === peer.address &&
      newest.failures === 0 && NodeId.equals(newest.id, id)) return { table: t, outcome: CACHED }
  }
  const cache = B.pushReplacement(b.replacements, contact, cfg.replacementCacheSize, B.keyByte(b.depth))
  if (b.probing !== undefined) {
    const nb = B.make(b.prefix, b.depth, b.contacts, cache, b.lastLookup, b.probing)
    return { table: withBucket(table, i, nb, 0), outcome: CACHED }
  }
  const probe = b.contacts[0]
  // Only with an invalid bucketSize < 1 is a "full" bucket empty: nothing to probe.
  if (probe === undefined) {
    const nb = B.make(b.prefix, b.depth, b.contacts, cache, b.lastLookup, b.probing)
    return { table: withBucket(table, i, nb, 0), outcome: CACHED }
  }
  const nb = B.make(b.prefix, b.depth, b.contacts, cache, b.lastLookup, probe.id)
  return { table: withBucket(table, i, nb, 0), outcome: { _tag: 'Pending', probe } }
}

/**
 * Removes contact `j` of bucket `i` and promotes the most recently seen replacement, if any,
 * into its place by last seen (paper §4.1).
 */
const evict = (t: RoutingTable, i: number, j: number, evicted: Contact): Step<FailureOutcome> => {
  const b = t.buckets[i] as Bucket
  const promoted = b.replacements[0]
  const contacts = promoted === undefined ? B.without(b.contacts, j) : B.replaceByLastSeen(b.contacts, j, promoted)
  const replacements = promoted === undefined ? b.replacements : B.without(b.replacements, 0)
  const nb = B.make(b.prefix, b.depth, contacts, replacements, b.lastLookup, clearProbe(b, evicted.id))
  return {
    table: withBucket(t, i, nb, promoted === undefined ? -1 : 0),
    outcome: { _tag: 'Evicted', evicted, promoted },
  }
}

/**
 * An RPC to `id` failed (timed out). Paper §4.1: the failure is counted; a contact with
 * `staleAfterFailures` consecutive failures is evicted only when a replacement exists to take its
 * place, otherwise it is only flagged. A failing entry of a replacement cache is dropped.
 * `at` is when the failure was noticed; it changes no clock.
 */
export const markFailed = (t: RoutingTable, id: NodeId.NodeId, _at: Instant): Step<FailureOutcome> => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b.contacts, id, B.keyByte(b.depth))
  if (j < 0) {
    const r = B.indexOf(b.replacements, id, B.keyByte(b.depth))
    if (r < 0) return { table: t, outcome: { _tag: 'Unknown' } }
    const nb = B.make(b.prefix, b.depth, b.contacts, B.without(b.replacements, r), b.lastLookup, b.probing)
    return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Unknown' } }
  }
  const contact = C.failed(b.contacts[j] as Contact)
  if (C.isStale(contact, t.config.staleAfterFailures) && b.replacements.length > 0) return evict(t, i, j, contact)
  const cs = b.contacts.slice()
  cs[j] = contact
  const nb = B.make(b.prefix, b.depth, cs, b.replacements, b.lastLookup, b.probing)
  return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Flagged', contact } }
}

/**
 * An RPC to `id` was answered at `at`: failures reset, `lastSeen` = at, moved to the tail (paper
 * §2.2). A no-op (`Unknown`) for an id the table does not hold.
 */
export const markResponded = (t: RoutingTable, id: NodeId.NodeId, at: Instant): Step<RespondedOutcome> => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b.contacts, id, B.keyByte(b.depth))
  if (j < 0) return { table: t, outcome: { _tag: 'Unknown' } }
  const old = b.contacts[j] as Contact
  const contact = C.seen(old, old.address, at)
  const nb = B.make(b.prefix, b.depth, B.replaceByLastSeen(b.contacts, j, contact), b.replacements,
    b.lastLookup, clearProbe(b, id))
  return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Refreshed', contact } }
}

/**
 * The ping of a `Pending` outcome's probe was answered (`responded`: kept, moved to the tail) or
 * not. A failed probe that is still the bucket's pending probe is evicted and the most recently
 * seen replacement (normally the newcomer that caused the probe) takes its place (paper §2.2). If
 * no replacement is left, or the contact answered something else since the probe began, the
 * failure is only counted as `markFailed` does: a live contact is never dropped for a newcomer.
 */
export const resolveProbe = (
  t: RoutingTable,
  probe: NodeId.NodeId,
  responded: boolean,
  at: Instant,
): Step<ProbeOutcome> => {
  const i = indexOf(t, probe)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b.contacts, probe, B.keyByte(b.depth))
  const pending = b.probing !== undefined && NodeId.equals(b.probing, probe)
  if (j < 0) {
    if (!pending) return { table: t, outcome: { _tag: 'Unknown' } }
    const nb = B.make(b.prefix, b.depth, b.contacts, b.replacements, b.lastLookup, undefined)
    return { table: withBucket(t, i, nb, 0), outcome: { _tag: 'Unknown' } }
  }
  if (responded) {
    const step = markResponded(t, probe, at)
    const contact = step.outcome._tag === 'Refreshed' ? step.outcome.contact : (b.contacts[j] as Contact)
    return { table: step.table, outcome: { _tag: 'Kept', contact } }
  }
  if (pending && b.replacements.length > 0) return evict(t, i, j, C.failed(b.contacts[j] as Contact))
  const step = markFailed(t, probe, at)
  if (!pending || step.outcome._tag === 'Evicted') return step
  const fb = step.table.buckets[i] as Bucket
  const nb = B.make(fb.prefix, fb.depth, fb.contacts, fb.replacements, fb.lastLookup, undefined)
  return { table: withBucket(step.table, i, nb, 0), outcome: step.outcome }
}

/** A lookup for `target` ran at `at`: the bucket holding `target` needs no refresh (paper §2.3). */
export const touch = (t: RoutingTable, target: NodeId.NodeId, at: Instant): RoutingTable => {
  const i = indexOf(t, target)
  const b = t.buckets[i] as Bucket
  return withBucket(t, i, B.make(b.prefix, b.depth, b.contacts, b.replacements, at, b.probing), 0)
}

/**
 * Forgets `id`: a contact is removed and the most recently seen replacement promoted; a
 * replacement is dropped. Unchanged (the same table) when the id is unknown.
 */
export const remove = (t: RoutingTable, id: NodeId.NodeId): RoutingTable => {
  const i = indexOf(t, id)
  const b = t.buckets[i] as Bucket
  const j = B.indexOf(b.contacts, id, B.keyByte(b.depth))
  if (j >= 0) return evict(t, i, j, b.contacts[j] as Contact).table
  const r = B.indexOf(b.replacements, id, B.keyByte(b.depth))
  if (r < 0) return t
  return withBucket(t, i, B.make(b.prefix, b.depth, b.contacts, B.without(b.replacements, r), b.lastLookup, b.probing), 0)
}
