/**
 * Effects: instructions `step` hands back, in the order the driver must carry them out.
 */
import type { Address } from '../address.js'
import type { Duration } from '../time.js'
import type { NodeId } from '../id/node-id.js'
import type { Message, PeerInfo } from '../rpc/message.js'
import type { Value } from '../rpc/value.js'
import type { StoredRecord } from '../store/record.js'
import type { OpId } from './event.js'

// model

export interface Send {
  readonly _tag: 'Send'
  readonly to: Address
  readonly message: Message
}
/** Resolves the user command `opId`. Exactly one per command. */
export interface Complete {
  readonly _tag: 'Complete'
  readonly opId: OpId
  readonly outcome: Outcome
}
export interface Notify {
  readonly _tag: 'Notify'
  readonly notification: Notification
}
export type Effect = Send | Complete | Notify

export type FailureReason =
  /** The routing table was empty, or no peer answered. */
  | 'NoPeers'
  /** The value does not fit one datagram with a STORE around it. */
  | 'TooLarge'
  /** Nobody acknowledged the STORE. */
  | 'NoReplicas'
  | 'Cancelled'
  /** The peer did not answer (PING). */
  | 'Timeout'
  /** The command itself was malformed (an unusable address, an empty contact list, …). */
  | 'InvalidRequest'

export type Outcome =
  | { readonly _tag: 'Found'; readonly value: Value; readonly hops: number }
  | { readonly _tag: 'NotFound'; readonly closest: ReadonlyArray<PeerInfo> }
  /** `replicas`: how many peers acknowledged the STORE (we ourselves not counted). */
  | { readonly _tag: 'Stored'; readonly replicas: number }
  | { readonly _tag: 'NodesFound'; readonly closest: ReadonlyArray<PeerInfo>; readonly hops: number }
  | { readonly _tag: 'Pinged'; readonly id: NodeId; readonly rtt: Duration }
  | { readonly _tag: 'Bootstrapped'; readonly contacts: number }
  | { readonly _tag: 'Refreshed'; readonly buckets: number }
  | { readonly _tag: 'Restored'; readonly records: number }
  | { readonly _tag: 'Failed'; readonly reason: FailureReason }

/** What an application or a simulation observes. None of it feeds back into the core. */
export type Notification =
  | { readonly _tag: 'ContactAdded'; readonly contact: PeerInfo }
  | { readonly _tag: 'ContactEvicted'; readonly contact: PeerInfo; readonly replacedBy: PeerInfo | undefined }
  | { readonly _tag: 'BucketSplit'; readonly depth: number; readonly buckets: number }
  | { readonly _tag: 'LookupProgressed'; readonly opId: OpId | undefined; readonly queried: number; readonly inFlight: number }
  | {
      readonly _tag: 'LookupFinished'
      readonly opId: OpId | undefined
      readonly target: NodeId
      readonly kind: 'Node' | 'Value' | 'Refresh' | 'Join' | 'Republish'
      readonly hops: number
      readonly rpcs: number
      readonly found: boolean
    }
  | { readonly _tag: 'RecordStored'; readonly record: StoredRecord }
  | { readonly _tag: 'RecordExpired'; readonly key: NodeId }
  | { readonly _tag: 'RecordRemoved'; readonly key: NodeId }
  | { readonly _tag: 'MessageIgnored'; readonly from: Address; readonly reason: IgnoreReason }

export type IgnoreReason =
  | 'UnknownRpcId'
  | 'WrongAddress'
  | 'UnexpectedReply'
  | 'OwnId'
  | 'Invalid'
  /** A valid reply from the address we asked, but signed with another node id than we asked. */
  | 'WrongSender'
  /** A STORE of a new key while the store holds `maxRecords` records (not answered). */
  | 'StoreFull'
