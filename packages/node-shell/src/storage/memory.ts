/**
 * The default storage: plain maps in this process. Nothing survives the process, but a storage
 * handed to a second `Server` in the same process restores its records and contacts, which is
 * what library users and tests want.
 */
import { NodeId } from '@kademlia-ts/core'
import type { Address, Record } from '@kademlia-ts/core'
import type { RecordStorage, Restored } from './storage.js'

export class MemoryStorage implements RecordStorage {
  readonly durable = false
  #nodeId: NodeId.NodeId | undefined
  readonly #records = new Map<string, Record.StoredRecord>()
  readonly #contacts = new Map<string, { readonly id: NodeId.NodeId; readonly address: Address.Address }>()

  load(): Restored {
    return { nodeId: this.#nodeId, records: [...this.#records.values()], contacts: [...this.#contacts.values()], skipped: 0 }
  }

  saveNodeId(id: NodeId.NodeId): void {
    this.#nodeId = id
  }

  recordStored(record: Record.StoredRecord): void {
    this.#records.set(NodeId.toHex(record.key), record)
  }

  recordRemoved(key: NodeId.NodeId): void {
    this.#records.delete(NodeId.toHex(key))
  }

  contactAdded(id: NodeId.NodeId, address: Address.Address): void {
    this.#contacts.set(NodeId.toHex(id), { id, address })
  }

  contactEvicted(id: NodeId.NodeId): void {
    this.#contacts.delete(NodeId.toHex(id))
  }

  /** How many records are mirrored (for tests and metrics). */
  get size(): number {
    return this.#records.size
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
