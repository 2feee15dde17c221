/**
 * @kademlia-ts/node-shell: a Kademlia node on real UDP sockets driving the pure core, with the
 * Python library's `Server` API (promise-based), durable LMDB storage and atomic state files.
 */
export { Server } from './server.js'
export type { Peer, ServerOptions, OperationOptions, LoadStateOptions, ServerEvents, ServerMetrics } from './server-types.js'
export type { AddressInput, Endpoint, Family } from './address.js'
export * as NetAddress from './address.js'
export * as Intern from './intern.js'
export {
  KademliaError,
  InvalidArgumentError,
  ValueTooLargeError,
  NoReplicasError,
  LookupFailedError,
  TimeoutError,
  AbortError,
  NotListeningError,
  ServerStoppedError,
  ListenFailedError,
  StateFileError,
  StorageError,
} from './errors.js'
export type { ErrorCode } from './errors.js'
export type { RecordStorage, Restored } from './storage/storage.js'
export { MemoryStorage } from './storage/memory.js'
export { LmdbStorage } from './storage/lmdb.js'
export type { LmdbOptions } from './storage/lmdb.js'
export * as StateFile from './state-file.js'
