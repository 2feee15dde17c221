/**
 * Shape checks at the reducer's door. `Wire.decode` already guarantees well-formed messages for
 * the shell, but `step` is total on any input a driver may hand it (a simulator's forged message,
 * a JavaScript caller ignoring the types): a message that is not one of the eight well-formed
 * variants is ignored as `Invalid`, never dereferenced blindly.
 */
import * as NodeId from '../id/node-id.js'
import type { Message, PeerInfo } from '../rpc/message.js'
import * as RpcId from '../rpc/rpc-id.js'
import * as Value from '../rpc/value.js'

// queries

const isTtl = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u) && u >= 0

const isPeerInfo = (u: unknown): u is PeerInfo =>
  typeof u === 'object' &&
  u !== null &&
  NodeId.isNodeId((u as PeerInfo).id) &&
  typeof (u as PeerInfo).address === 'string' &&
  (u as PeerInfo).address.length > 0

export const isMessage = (u: unknown): u is Message => {
  if (typeof u !== 'object' || u === null) return false
  const m = u as Partial<Record<string, unknown>>
  if (!RpcId.isRpcId(m['rpcId']) || !NodeId.isNodeId(m['sender'])) return false
  switch (m['_tag']) {
    case 'Ping':
    case 'Pong':
    case 'Stored':
      return true
    case 'FindNode':
      return NodeId.isNodeId(m['target'])
    case 'FindValue':
      return NodeId.isNodeId(m['key'])
    case 'Store':
      return NodeId.isNodeId(m['key']) && Value.isValue(m['value']) && isTtl(m['ttl'])
    case 'ValueFound':
      return Value.isValue(m['value']) && isTtl(m['ttl'])
    case 'Nodes':
      return Array.isArray(m['contacts']) && (m['contacts'] as unknown[]).every(isPeerInfo)
    default:
      return false
  }
}

export const isAddress = (u: unknown): u is string => typeof u === 'string'
