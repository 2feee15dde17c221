/**
 * The public types of the Server API: options, peers, events and metrics. Kept apart from the
 * class so tools (the CLI, the demo) can depend on them without the implementation.
 */
import type { IgnoreReason, Node, NodeId, Notification, Record } from '@kademlia-ts/core'
import type { KademliaError, StateFileError } from './errors.js'
import type { RecordStorage } from './storage/storage.js'

// model

/** A contact: its node id and where it listens. */
export interface Peer {
  readonly id: NodeId.NodeId
  /** `host:port` or `[v6]:port`, as the core knows it. */
  readonly address: string
  readonly host: string
  readonly port: number
}

export interface ServerOptions {
  /** k: bucket size and replication factor (Python `ksize`; 20). */
  readonly ksize?: number
  /** α: lookup parallelism (Python `alpha`; 3). */
  readonly alpha?: number
  /** Our 20-byte node id (Python `node_id`); default: the storage's saved id, else random. */
  readonly nodeId?: Uint8Array
  /** Where records and contacts are mirrored; default: in memory (`MemoryStorage`). */
  readonly storage?: RecordStorage
  /** Further core parameters (`Config` fields: timeouts, intervals, …), validated by `Config.decode`. */
  readonly config?: Readonly<Record<string, unknown>>
  /** Seed of the core's PRNG (RPC ids, refresh targets); default: random. */
  readonly seed?: number
}

export interface OperationOptions {
  readonly signal?: AbortSignal
}

export interface LoadStateOptions extends OperationOptions {
  /** Port to listen on (Python's `load_state(fname, port)`); default 0, an ephemeral port. */
  readonly port?: number
  /** Host(s) to listen on; default `'0.0.0.0'`. */
  readonly host?: string | ReadonlyArray<string>
  readonly storage?: RecordStorage
  readonly config?: Readonly<Record<string, unknown>>
  readonly seed?: number
  /** Start fresh (new id, no neighbours) when the file is missing or unreadable, instead of rejecting. */
  readonly ignoreUnreadable?: boolean
  /** Told why the file was ignored (with `ignoreUnreadable`). */
  readonly onUnreadable?: (error: StateFileError) => void
}

export interface ServerEvents {
  contactAdded: Peer
  contactEvicted: { readonly contact: Peer; readonly replacedBy: Peer | undefined }
  bucketSplit: { readonly depth: number; readonly buckets: number }
  recordStored: Record.StoredRecord
  recordExpired: { readonly key: NodeId.NodeId }
  recordRemoved: { readonly key: NodeId.NodeId }
  lookupFinished: Extract<Notification, { _tag: 'LookupFinished' }>
  /** A decoded message the core ignored (forged reply, unknown RPC id, …). */
  messageIgnored: { readonly from: string; readonly reason: IgnoreReason }
  /** A datagram that did not decode; `reason` is the `DecodeError` tag. */
  datagramDropped: { readonly from: string; readonly reason: string }
  sendFailed: { readonly to: string; readonly error: string }
  /** Storage, socket and periodic-save failures; the server keeps running. */
  error: KademliaError
}

export interface ServerMetrics {
  readonly uptimeMs: number
  readonly datagramsIn: number
  readonly datagramsOut: number
  readonly bytesIn: number
  readonly bytesOut: number
  /** Dropped datagrams that did not decode: total and by `DecodeError` tag. */
  readonly malformed: { readonly total: number; readonly byReason: Readonly<Record<string, number>> }
  readonly sendFailures: number
  readonly replySendFailures: number
  readonly acksWithheld: number
  readonly storageErrors: number
  readonly routingTableSize: number
  readonly records: number
  readonly pendingOperations: number
  /** The core's own counters (`Node.metrics`). */
  readonly core: ReturnType<typeof Node.metrics>
}
