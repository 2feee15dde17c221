/**
 * Events: the facts a driver gives to `step`, in the past tense, each with the instant it
 * happened. Commands a user issued carry an `opId` that the matching `Complete` effect echoes.
 */
import type { Address } from '../address.js'
import type { Instant } from '../time.js'
import type { NodeId } from '../id/node-id.js'
import type { Message } from '../rpc/message.js'
import type { RpcId } from '../rpc/rpc-id.js'
import type { Value } from '../rpc/value.js'
import type { StoredRecord } from '../store/record.js'

// model

/** Chosen by the driver, unique among the operations it has in progress. */
export type OpId = number & { readonly OpId: unique symbol }
export const opId = (n: number): OpId => n as OpId

interface At { readonly at: Instant }
interface Command extends At { readonly opId: OpId }

/** A decoded datagram; `from` is the address it came from, never one the message claims. */
export interface MessageReceived extends At {
  readonly _tag: 'MessageReceived'
  readonly from: Address
  readonly message: Message
}
/** The driver could not send the request with this RPC id (the peer's address is unusable). */
export interface SendFailed extends At {
  readonly _tag: 'SendFailed'
  readonly to: Address
  readonly rpcId: RpcId
}
/** Time passed; sent when `nextDeadline` is reached. An early `Ticked` does nothing. */
export interface Ticked extends At { readonly _tag: 'Ticked' }

/** Join through peers known only by address (Python's `bootstrap(addrs)`). */
export interface BootstrapRequested extends Command {
  readonly _tag: 'BootstrapRequested'
  readonly contacts: ReadonlyArray<Address>
}
export interface GetRequested extends Command {
  readonly _tag: 'GetRequested'
  readonly key: NodeId
}
export interface PutRequested extends Command {
  readonly _tag: 'PutRequested'
  readonly key: NodeId
  readonly value: Value
}
export interface PingRequested extends Command {
  readonly _tag: 'PingRequested'
  readonly address: Address
}
export interface FindNodeRequested extends Command {
  readonly _tag: 'FindNodeRequested'
  readonly target: NodeId
}
/** Refresh every bucket not looked up within tRefresh now (Python's `refresh_table`). */
export interface RefreshRequested extends Command { readonly _tag: 'RefreshRequested' }
/** Records a driver loaded from durable storage; expired ones are dropped. */
export interface RecordsRestored extends Command {
  readonly _tag: 'RecordsRestored'
  readonly records: ReadonlyArray<StoredRecord>
}
/** Abandon an operation: it completes with `Failed { reason: 'Cancelled' }`. */
export interface Cancelled extends Command { readonly _tag: 'Cancelled' }

export type Event =
  | MessageReceived
  | SendFailed
  | Ticked
  | BootstrapRequested
  | GetRequested
  | PutRequested
  | PingRequested
  | FindNodeRequested
  | RefreshRequested
  | RecordsRestored
  | Cancelled
