/**
 * Durable storage in LMDB (see docs/adr/0006-durable-storage.md): one environment directory with
 * three named databases, `records` (key hex -> [value, origin, storedAt, expiresAt]), `contacts`
 * (id hex -> address) and `meta` (`nodeId`, `format`).
 *
 * Durability: `recordStored` and `recordRemoved` are synchronous LMDB transactions (`putSync`,
 * `removeSync`): when they return the transaction is committed. With `durability: 'fsync'` (the
 * default) the environment is opened without `overlappingSync`, so each commit is also flushed to
 * the disk before it returns: an acknowledged record survives a power loss (measured: ~6 ms per
 * STORE on this machine's disk). With `'commit'` the environment is opened `noSync`: the commit
 * is in the OS page cache when it returns, which survives the process being killed (`kill -9`)
 * but not the machine crashing, and an OS crash may even damage the environment (~0.07 ms per
 * STORE). Contacts are written asynchronously in batches: losing the last few on a crash costs
 * only a slower rejoin.
 *
 * Instants are stored as they are given: the runtime hands every storage wall-clock instants
 * (milliseconds since the Unix epoch, see clock.ts), so expiries stay meaningful across restarts.
 */
import { open } from 'lmdb'
import type { Database, RootDatabase } from 'lmdb'
import { Address, NodeId, Time, Value } from '@kademlia-ts/core'
import type { Record } from '@kademlia-ts/core'
import { StorageError } from '../errors.js'
import type { RecordStorage, Restored } from './storage.js'

// model

export interface LmdbOptions {
  /** A directory; created if missing. */
  readonly path: string
  /** `'fsync'` (default): every acknowledged record is on disk; `'commit'`: committed to the OS, survives a killed process, not a crashed machine. */
  readonly durability?: 'fsync' | 'commit'
}

type RecordRow = readonly [value: unknown, origin: unknown, storedAt: unknown, expiresAt: unknown]

const FORMAT = 1
const ORIGINS: ReadonlyArray<Record.Origin> = ['Published', 'Replica', 'Cached']

/** msgpack gives Buffers back; the core's values are plain Uint8Arrays (a Buffer is one, but compare by class elsewhere). */
const plainValue = (u: unknown): unknown => (u instanceof Uint8Array ? Uint8Array.from(u) : u)

const rowToRecord = (keyHex: string, row: unknown): Record.StoredRecord | undefined => {
  if (!Array.isArray(row) || row.length !== 4) return undefined
  const [rawValue, origin, storedAt, expiresAt] = row as unknown as RecordRow
  const key = NodeId.fromHex(keyHex)
  const value = plainValue(rawValue)
  if (key._tag === 'Left' || !Value.isValue(value)) return undefined
  if (typeof origin !== 'string' || !ORIGINS.includes(origin as Record.Origin)) return undefined
  if (typeof storedAt !== 'number' || typeof expiresAt !== 'number') return undefined
  if (!Number.isFinite(storedAt) || !Number.isFinite(expiresAt)) return undefined
  return {
    key: key.right,
    value,
    origin: origin as Record.Origin,
    storedAt: Time.instant(storedAt),
    expiresAt: Time.instant(expiresAt),
  }
}

export class LmdbStorage implements RecordStorage {
  readonly durable = true
  readonly path: string
  readonly #root: RootDatabase
  readonly #records: Database<unknown, string>
  readonly #contacts: Database<unknown, string>
  readonly #meta: Database<unknown, string>
  #closed = false

  /** Opens (or creates) the environment at `options.path`; throws `StorageError` if it cannot. */
  constructor(options: LmdbOptions | string) {
    const { path, durability = 'fsync' } = typeof options === 'string' ? { path: options } : options
    this.path = path
    try {
      this.#root = open({ path, maxDbs: 4, compression: false, ...(durability === 'commit' ? { noSync: true } : { overlappingSync: false }) })
      this.#records = this.#root.openDB<unknown, string>({ name: 'records' })
      this.#contacts = this.#root.openDB<unknown, string>({ name: 'contacts' })
      this.#meta = this.#root.openDB<unknown, string>({ name: 'meta' })
      const format = this.#meta.get('format')
      if (format === undefined) this.#meta.putSync('format', FORMAT)
      else if (format !== FORMAT) throw new Error(`unsupported storage format ${String(format)} (expected ${FORMAT})`)
    } catch (e) {
      throw new StorageError(`cannot open the LMDB storage at ${path}: ${(e as Error).message}`, { cause: e })
    }
  }

  load(): Restored {
    this.#assertOpen()
    let skipped = 0
    const records: Array<Record.StoredRecord> = []
    for (const { key, value } of this.#records.getRange()) {
      const record = rowToRecord(String(key), value)
      if (record === undefined) skipped++
      else records.push(record)
    }
    const contacts: Array<{ id: NodeId.NodeId; address: Address.Address }> = []
    for (const { key, value } of this.#contacts.getRange()) {
      const id = NodeId.fromHex(String(key))
      if (id._tag === 'Left' || typeof value !== 'string' || value.length > Address.MAX_LENGTH) skipped++
      else contacts.push({ id: id.right, address: Address.of(value) })
    }
    const rawId = this.#meta.get('nodeId')
    const nodeId = typeof rawId === 'string' ? NodeId.fromHex(rawId) : undefined
    if (rawId !== undefined && (nodeId === undefined || nodeId._tag === 'Left')) skipped++
    return { nodeId: nodeId !== undefined && nodeId._tag === 'Right' ? nodeId.right : undefined, records, contacts, skipped }
  }

  saveNodeId(id: NodeId.NodeId): void {
    this.#assertOpen()
    this.#meta.putSync('nodeId', NodeId.toHex(id))
  }

  recordStored(record: Record.StoredRecord): void {
    this.#assertOpen()
    const row: RecordRow = [record.value, record.origin, record.storedAt, record.expiresAt]
    this.#records.putSync(NodeId.toHex(record.key), row)
  }

  recordRemoved(key: NodeId.NodeId): void {
    this.#assertOpen()
    this.#records.removeSync(NodeId.toHex(key))
  }

  /** Best effort, batched: a lost contact write costs only a slower rejoin, never a crash. */
  contactAdded(id: NodeId.NodeId, address: Address.Address): void {
    this.#assertOpen()
    this.#contacts.put(NodeId.toHex(id), address).catch(() => undefined)
  }

  contactEvicted(id: NodeId.NodeId): void {
    this.#assertOpen()
    this.#contacts.remove(NodeId.toHex(id)).catch(() => undefined)
  }

  /** How many records are stored. */
  get size(): number {
    this.#assertOpen()
    return this.#records.getKeysCount()
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#root.flushed
    await this.#root.close()
  }

  #assertOpen(): void {
    if (this.#closed) throw new StorageError(`the LMDB storage at ${this.path} is closed`)
  }
}
