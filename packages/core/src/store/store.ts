/**
 * The records a node holds (paper §2.3, §2.5), keyed by the hex of the key, with the instant each
 * next needs attention (`due`: replicate a replica, republish a publication) and its expiry.
 *
 * Sixteen shards by the key's first hex digit, each a `ReadonlyMap` copied on write: a write
 * copies one shard (n/16 entries) and the 16-slot spine, so a STORE stays cheap at thousands of
 * records, and every empty store or shard is the same shared object (ADR 0005 has the
 * measurements). Each shard keeps the earliest instant one of its records needs work, the store
 * the earliest over its shards, so `nextDeadline` costs nothing and a tick visits only the shards
 * with work due.
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

export interface Shard {
  readonly entries: ReadonlyMap<string, Entry>
  /** The earliest `due` or `expiresAt` in this shard. */
  readonly next: Instant | undefined
}

export interface Store {
  /** `SHARDS` shards, by the first hex digit of the key. */
  readonly shards: ReadonlyArray<Shard>
  readonly size: number
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

export const SHARDS = 16

// constructors

const EMPTY_SHARD: Shard = { entries: new Map(), next: undefined }

export const empty: Store = { shards: Array.from({ length: SHARDS }, () => EMPTY_SHARD), size: 0, next: undefined }

// queries

const shardIndex = (hex: string): number => parseInt(hex.charAt(0), 16) & (SHARDS - 1)

const entryOf = (s: Store, hex: string): Entry | undefined => (s.shards[shardIndex(hex)] as Shard).entries.get(hex)

export const size = (s: Store): number => s.size

export const get = (s: Store, key: NodeId.NodeId, at: Instant): StoredRecord | undefined => {
  const e = entryOf(s, NodeId.toHex(key))
  return e === undefined || Time.isReached(e.record.expiresAt, at) ? undefined : e.record
}

export const records = (s: Store): ReadonlyArray<StoredRecord> => {
  const out: StoredRecord[] = []
  for (const shard of s.shards) for (const e of shard.entries.values()) out.push(e.record)
  return out
}

/**
 * The entries whose `due` instant is reached at `at`, shard by shard: replicas not yet expired,
 * and our publications even at their expiry instant (tRepublish = tExpire by default: the
 * republish renews them before they would expire).
 */
export const dueAt = (s: Store, at: Instant): ReadonlyArray<Entry> => {
  const out: Entry[] = []
  for (const shard of s.shards) {
    if (shard.next === undefined || !Time.isReached(shard.next, at)) continue
    for (const e of shard.entries.values())
      if (
        e.due !== undefined &&
        Time.isReached(e.due, at) &&
        (e.record.origin === 'Published' || !Time.isReached(e.record.expiresAt, at))
      )
        out.push(e)
  }
  return out
}

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

/** Replaces shard `i` by `entries` (a fresh Map the caller owns). */
const withShard = (s: Store, i: number, entries: Map<string, Entry>): Store => {
  const old = s.shards[i] as Shard
  const shards = s.shards.slice()
  shards[i] = entries.size === 0 ? EMPTY_SHARD : { entries, next: nextOf(entries) }
  let next: Instant | undefined
  for (const shard of shards) next = Time.earliest(next, shard.next)
  const size = s.size - old.entries.size + entries.size
  return size === 0 ? empty : { shards, size, next }
}

/** A copy of the shard holding `hex`, with its index. */
const copyOf = (s: Store, hex: string): { readonly i: number; readonly entries: Map<string, Entry> } => {
  const i = shardIndex(hex)
  return { i, entries: new Map((s.shards[i] as Shard).entries) }
}

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
  const old = entryOf(s, hex)
  const oldRecord = old !== undefined && !Time.isReached(old.record.expiresAt, at) ? old.record : undefined
  if (old === undefined && s.size >= maxRecords) return { store: s, outcome: { _tag: 'Full' } }
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
    if (origin === oldRecord.origin && expiresAt === oldRecord.expiresAt && storedAt === oldRecord.storedAt)
      return { store: s, outcome: { _tag: 'Unchanged', record: oldRecord } }
    record = { key: oldRecord.key, value: oldRecord.value, origin, storedAt, expiresAt }
  } else {
    record = { key: incoming.key, value: incoming.value, origin: incoming.origin, storedAt: at, expiresAt: incoming.expiresAt }
  }
  const { i, entries } = copyOf(s, hex)
  entries.set(hex, { record, due: dueOf(record, iv) })
  return { store: withShard(s, i, entries), outcome: { _tag: 'Stored', record } }
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
  let store = s
  let kept = 0
  const dropped: NodeId.NodeId[] = []
  for (const r of restored) {
    const hex = NodeId.toHex(r.key)
    if (Time.isReached(r.expiresAt, at) || (entryOf(store, hex) === undefined && store.size >= maxRecords)) {
      dropped.push(r.key)
      continue
    }
    const due = dueOf(r, iv)
    const { i, entries } = copyOf(store, hex)
    // A record restored long after it was due is due now, not in the past forever.
    entries.set(hex, { record: r, due: due === undefined ? undefined : Time.later(due, at) })
    store = withShard(store, i, entries)
    kept++
  }
  return { store, kept, dropped }
}

/** Sets the next due instant of `key` (after replicating or republishing it). */
export const reschedule = (s: Store, key: NodeId.NodeId, due: Instant | undefined): Store => {
  const hex = NodeId.toHex(key)
  const e = entryOf(s, hex)
  if (e === undefined) return s
  const { i, entries } = copyOf(s, hex)
  entries.set(hex, { record: e.record, due })
  return withShard(s, i, entries)
}

/** Replaces a record (republish renews our own publication's lifetime). */
export const renew = (s: Store, record: StoredRecord, due: Instant | undefined): Store => {
  const hex = NodeId.toHex(record.key)
  const { i, entries } = copyOf(s, hex)
  entries.set(hex, { record, due })
  return withShard(s, i, entries)
}

/** Drops every record whose expiry is reached at `at` (§2.3 tExpire); returns their keys. */
export const expire = (s: Store, at: Instant): { readonly store: Store; readonly expired: ReadonlyArray<NodeId.NodeId> } => {
  const expired: NodeId.NodeId[] = []
  let store = s
  for (let i = 0; i < SHARDS; i++) {
    const shard = s.shards[i] as Shard
    if (shard.next === undefined || !Time.isReached(shard.next, at)) continue
    let entries: Map<string, Entry> | undefined
    for (const [hex, e] of shard.entries) {
      if (Time.isReached(e.record.expiresAt, at)) {
        entries ??= new Map(shard.entries)
        entries.delete(hex)
        expired.push(e.record.key)
      }
    }
    if (entries !== undefined) store = withShard(store, i, entries)
  }
  return { store, expired }
}
