/**
 * The four Kademlia RPCs and their replies (paper §2.3) as plain data. Every message carries the
 * sender's node id (§2.1) and a 160-bit RPC id that the reply echoes (§2.3). Reducers see only
 * this type; `Wire` turns it into bytes and back.
 */
import type { Address } from '../address.js'
import type { Duration } from '../time.js'
import type { NodeId } from '../id/node-id.js'
import type { RpcId } from './rpc-id.js'
import type { Value } from './value.js'

// model

interface Header {
  readonly rpcId: RpcId
  readonly sender: NodeId
}

/** A contact as it travels in a NODES reply: an id and the address to reach it. */
export interface PeerInfo {
  readonly id: NodeId
  readonly address: Address
}

export interface Ping extends Header { readonly _tag: 'Ping' }
export interface Pong extends Header { readonly _tag: 'Pong' }

/**
 * Store `value` under `key` for `ttl` milliseconds from receipt. Replication and caching pass on
 * the remaining lifetime, so every copy expires when the publication does (§2.3, fn. 2).
 */
export interface Store extends Header {
  readonly _tag: 'Store'
  readonly key: NodeId
  readonly value: Value
  readonly ttl: Duration
}
export interface Stored extends Header { readonly _tag: 'Stored' }

export interface FindNode extends Header {
  readonly _tag: 'FindNode'
  readonly target: NodeId
}
/** The reply to FIND_NODE, and to FIND_VALUE when the value is not held: up to k contacts. */
export interface Nodes extends Header {
  readonly _tag: 'Nodes'
  readonly contacts: ReadonlyArray<PeerInfo>
}

export interface FindValue extends Header {
  readonly _tag: 'FindValue'
  readonly key: NodeId
}
/** The reply to FIND_VALUE when the value is held, with its remaining lifetime. */
export interface ValueFound extends Header {
  readonly _tag: 'ValueFound'
  readonly value: Value
  readonly ttl: Duration
}

export type Request = Ping | Store | FindNode | FindValue
export type Response = Pong | Stored | Nodes | ValueFound
export type Message = Request | Response

export type Tag = Message['_tag']

// queries

export const isRequest = (m: Message): m is Request =>
  m._tag === 'Ping' || m._tag === 'Store' || m._tag === 'FindNode' || m._tag === 'FindValue'

export const isResponse = (m: Message): m is Response => !isRequest(m)
