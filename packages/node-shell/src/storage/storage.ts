/**
 * Where a server mirrors what must survive a restart: the records it holds (from the core's
 * `RecordStored` / `RecordExpired` / `RecordRemoved` notifications), the contacts of its routing
 * table (`ContactAdded` / `ContactEvicted`) and its node id. The core owns the data and the
 * policy; a storage only remembers, and hands everything back at the next start, where the server
 * feeds records to the core with `RecordsRestored` and joins through the remembered contacts.
 *
 * Contract: the methods are synchronous and called by the drain loop in effect order. When
 * `recordStored` returns, the record must be as durable as the storage promises (`durable`): the
 * server sends the `Stored` acknowledgement that follows the notification only after it returns.
 * A method that cannot do its job throws; the server then withholds that acknowledgement.
 */
import type { Address, NodeId, Record } from '@kademlia-ts/core'

// model

export interface Restored {
  readonly nodeId: NodeId.NodeId | undefined
  readonly records: ReadonlyArray<Record.StoredRecord>
  readonly contacts: ReadonlyArray<{ readonly id: NodeId.NodeId; readonly address: Address.Address }>
  /** Entries found but not usable (corrupt or from another version), skipped. */
  readonly skipped: number
}

export interface RecordStorage {
  /** `true` when acknowledged records survive the process being killed. */
  readonly durable: boolean
  /** Everything remembered, read once when the server starts listening. */
  load(): Restored
  saveNodeId(id: NodeId.NodeId): void
  /** Durable (if `durable`) when it returns; the STORE's acknowledgement leaves only afterwards. */
  recordStored(record: Record.StoredRecord): void
  /** The record is gone (expired or removed by the core). */
  recordRemoved(key: NodeId.NodeId): void
  contactAdded(id: NodeId.NodeId, address: Address.Address): void
  contactEvicted(id: NodeId.NodeId): void
  /** Flushes and releases the storage; called by `Server.stop()`. */
  close(): Promise<void>
}
