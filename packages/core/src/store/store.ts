/**
 * The records a node holds (paper §2.3, §2.5), keyed by the hex of the key, with the instant each
 * next needs attention (`due`: replicate a replica, republish a publication) and its expiry. The
 * map is copied on write (a store holds few records per node; see ADR 0005), and the earliest
 * instant any record needs work is kept in `next` so `nextDeadline` costs nothing.
 */
import * as NodeId from '../id/node-id.js'
import type { Value } from '../rpc/value.js'
import * as V from '../rpc/value.js'
import type { Duration, Instant } from '../time.js'
import * as Time from '../time.js'
import type { Origin, StoredRecord } from './record.js'

// model

export interface Entry {
  readonly record: StoredRecord
  /** When to replicate (Replica) or republish (Published); undefined for cached copies. */
  readonly due: Instant | undefined
}

export interface Store {
  readonly entries: ReadonlyMap<string, Entry>
  /** The earliest `due` or `expiresAt` over all entries. */
  readonly next: Instant | undefined
}

export interface Intervals {
  readonly replicateInterval: Duration
  readonly republishInterval: Duration
  readonly expireAfter: Duration
}

export type PutOutcome =
  /** A new record, or a changed value/origin/expiry: tell the driver (RecordStored). */
  | { readonly _tag: 'Stored'; readonly record: StoredRecord }
  /** Same value already held and nothing observable changed. */
  | { readonly _tag: 'Unchanged'; readonly record: StoredRecord }
  /** Refused: the store is full and the key is new. */
  | { readonly _tag: 'Full' }

// constructors

export const empty: Store = { entries: new Map(), next: undefined }

// queries

export const size = (s: Store): number => s.entries.size

export const get = (s: Store, key: NodeId.NodeId, at: Instant): StoredRecord | undefined => {
  const e = s.entries.get(NodeId.toHex(key))
  return e === undefined || Time.isReached(e.record.expiresAt, at) ? undefined : e.record
}

export const records = (s: Store): ReadonlyArray<StoredRecord> => [...s.entries.values()].map((e) => e.record)

/**
 * The entries whose `due` instant is reached at `at`, in insertion order: replicas not yet
 * expired, and our publications even at their expiry instant (tRepublish = tExpire by default:
 * the republish renews them before they would expire).
 */
export const dueAt = (s: Store, at: Instant): ReadonlyArray<Entry> =>
  [...s.entries.values()].filter(
    (e) =>
      e.due !== undefined &&
      Time.isReached(e.due, at) &&
      (e.record.origin === 'Published' || !Time.isReached(e.record.expiresAt, at)),
  )

const nextOf = (entries: ReadonlyMap<string, Entry>): Instant | undefined => {
  let next: Instant | undefined
  for (const e of entries.values()) next = Time.earliest(Time.earliest(next, e.due), e.record.expiresAt)
  return next
}

/** The first instant this record needs attention given its origin (§2.3, §2.5). */
const dueOf = (r: StoredRecord, iv: Intervals): Instant | undefined =>
  r.origin === 'Published'
    ? Time.add(r.storedAt, iv.republishInterval)
    : r.origin === 'Replica'
      ? Time.add(r.storedAt, iv.replicateInterval)
      : undefined

// transitions

const withEntries = (entries: Map<string, Entry>): Store => ({ entries, next: nextOf(entries) })

/**
 * Stores a record at `at`. A replica received for a value we already hold only extends the
 * expiry (never shortens it) and pushes back the replication (§2.5: a node that just received a
 * STORE skips its next hourly replication). Our own publication is never downgraded by a
 * peer's copy of the same value. A different value overwrites (last write wins, as Python).
 */
export const put = (
  s: Store,
  incoming: { key: NodeId.NodeId; value: Value; origin: Origin; expiresAt: Instant },
  at: Instant,
  iv: Intervals,
  maxRecords: number,
): { readonly store: Store; readonly outcome: PutOutcome } => {
  const hex = NodeId.toHex(incoming.key)
  const old = s.entries.get(hex)
  const oldRecord = old !== undefined && !Time.isReached(old.record.expiresAt, at) ? old.record : undefined
  if (oldRecord === undefined && old === undefined && s.entries.size >= maxRecords)
    return { store: s, outcome: { _tag: 'Full' } }
  let record: StoredRecord
  if (oldRecord !== undefined && V.equals(oldRecord.value, incoming.value)) {
    const origin: Origin =
      oldRecord.origin === 'Published' || incoming.origin === 'Published'
        ? 'Published'
        : oldRecord.origin === 'Replica' || incoming.origin === 'Replica'
          ? 'Replica'
          : 'Cached'
    const expiresAt =
      incoming.origin === 'Published' ? incoming.expiresAt : Time.later(oldRecord.expiresAt, incoming.expiresAt)
    // A peer's replica of our own publication does not move our republish clock.
    const storedAt = origin === 'Published' && incoming.origin !== 'Published' ? oldRecord.storedAt : at
    record = { key: oldRecord.key, value: oldRecord.value, origin, storedAt, expiresAt }
    if (origin === oldRecord.origin && expiresAt === oldRecord.expiresAt && storedAt === oldRecord.storedAt)
      return { store: s, outcome: { _tag: 'Unchanged', record: oldRecord } }
  } else {
    record = { key: incoming.key, value: incoming.value, origin: incoming.origin, storedAt: at, expiresAt: incoming.expiresAt }
  }
  const entries = new Map(s.entries)
  entries.set(hex, { record, due: dueOf(record, iv) })
  const stored: PutOutcome =
    oldRecord !== undefined && record.storedAt === oldRecord.storedAt && record.origin === oldRecord.origin &&
    record.expiresAt === oldRecord.expiresAt
      ? { _tag: 'Unchanged', record }
      : { _tag: 'Stored', record }
  return { store: withEntries(entries), outcome: stored }
}

/**
 * Loads records a driver kept durably. Expired ones, and new keys past `maxRecords`, are dropped
 * (returned in `dropped`, so the driver can forget them too).
 */
export const restore = (
  s: Store,
  restored: ReadonlyArray<StoredRecord>,
  at: Instant,
  iv: Intervals,
  maxRecords: number,
): { readonly store: Store; readonly kept: number; readonly dropped: ReadonlyArray<NodeId.NodeId> } => {
  const entries = new Map(s.entries)
  let kept = 0
  const dropped: NodeId.NodeId[] = []
  for (const r of restored) {
    const hex = NodeId.toHex(r.key)
    if (Time.isReached(r.expiresAt, at) || (!entries.has(hex) && entries.size >= maxRecords)) {
      dropped.push(r.key)
      continue
    }
    const due = dueOf(r, iv)
    // A record restored long after it was due is due now, not in the past forever.
    entries.set(hex, { record: r, due: due === undefined ? undefined : Time.later(due, at) })
    kept++
  }
  return kept === 0 ? { store: s, kept, dropped } : { store: withEntries(entries), kept, dropped }
}

/** Sets the next due instant of `key` (after replicating or republishing it). */
export const reschedule = (s: Store, key: NodeId.NodeId, due: Instant | undefined): Store => {
  const hex = NodeId.toHex(key)
  const e = s.entries.get(hex)
  if (e === undefined) return s
  const entries = new Map(s.entries)
  entries.set(hex, { record: e.record, due })
  return withEntries(entries)
}

/** Replaces a record (republish renews our own publication's lifetime). */
export const renew = (s: Store, record: StoredRecord, due: Instant | undefined): Store => {
  const entries = new Map(s.entries)
  entries.set(NodeId.toHex(record.key), { record, due })
  return withEntries(entries)
}

/** Drops every record whose expiry is reached at `at` (§2.3 tExpire); returns their keys. */
export const expire = (s: Store, at: Instant): { readonly store: Store; readonly expired: ReadonlyArray<NodeId.NodeId> } => {
  const expired: NodeId.NodeId[] = []
  let entries: Map<string, Entry> | undefined
  for (const [hex, e] of s.entries) {
    if (Time.isReached(e.record.expiresAt, at)) {
      entries ??= new Map(s.entries)
      entries.delete(hex)
      expired.push(e.record.key)
    }
  }
  return entries === undefined ? { store: s, expired } : { store: withEntries(entries), expired }
}
