/**
 * fast-check arbitraries for ids, addresses, values and every message type. They are built only
 * from fast-check's own generators, so a failing property shrinks and replays from its seed.
 *
 * Every message they produce is valid for the wire: 20-byte ids, values `Value.isValue` accepts
 * (never `-0`, which the wire reads as `0`), addresses of 1 to `Address.MAX_LENGTH` characters,
 * at most `Wire.MAX_CONTACTS` contacts, and an encoding that fits in `Wire.MAX_DATAGRAM_BYTES`.
 */
import * as fc from 'fast-check'
import * as Address from '../address.js'
import * as NodeId from '../id/node-id.js'
import type * as Message from '../rpc/message.js'
import * as RpcId from '../rpc/rpc-id.js'
import type { Value } from '../rpc/value.js'
import * as Time from '../time.js'
import * as Wire from '../wire/wire.js'

// ids

export const arbNodeId: fc.Arbitrary<NodeId.NodeId> = fc
  .uint8Array({ minLength: NodeId.BYTES, maxLength: NodeId.BYTES })
  .map(NodeId.unsafeFromBytes)

export const arbRpcId: fc.Arbitrary<RpcId.RpcId> = fc
  .uint8Array({ minLength: RpcId.BYTES, maxLength: RpcId.BYTES })
  .map(RpcId.unsafeFromBytes)

// addresses

const arbPort = fc.integer({ min: 0, max: 65535 })

/** `host:port` for IPv4, `[host]:port` for IPv6, or any label of Unicode text (opaque to the core). */
export const arbAddress: fc.Arbitrary<Address.Address> = fc.oneof(
  fc.tuple(fc.ipV4(), arbPort).map(([host, port]) => Address.of(`${host}:${port}`)),
  fc.tuple(fc.ipV6(), arbPort).map(([host, port]) => Address.of(`[${host}]:${port}`)),
  fc
    .string({ unit: 'binary', minLength: 1, maxLength: Address.MAX_LENGTH })
    .filter((s) => s.length <= Address.MAX_LENGTH)
    .map(Address.of),
)

// values and durations

/** Byte strings, text, finite numbers (integers of every size and any double but `-0`), booleans. */
export const arbValue: fc.Arbitrary<Value> = fc.oneof(
  fc.uint8Array({ maxLength: 1024 }),
  fc.string({ unit: 'binary', maxLength: 256 }),
  fc.integer(),
  fc.maxSafeInteger(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (n === 0 ? 0 : n)),
  fc.boolean(),
)

/** Whole milliseconds: mostly below 2^31, sometimes up to 2^53-1. */
export const arbDuration: fc.Arbitrary<Time.Duration> = fc.oneof(fc.nat(), fc.maxSafeNat()).map(Time.millis)

// messages

export const arbPeerInfo: fc.Arbitrary<Message.PeerInfo> = fc.record({ id: arbNodeId, address: arbAddress })

export const arbContacts: fc.Arbitrary<ReadonlyArray<Message.PeerInfo>> = fc.array(arbPeerInfo, {
  maxLength: Wire.MAX_CONTACTS,
})

const header = { rpcId: arbRpcId, sender: arbNodeId }

export const arbPing: fc.Arbitrary<Message.Ping> = fc.record({ _tag: fc.constant('Ping' as const), ...header })
export const arbPong: fc.Arbitrary<Message.Pong> = fc.record({ _tag: fc.constant('Pong' as const), ...header })
export const arbStore: fc.Arbitrary<Message.Store> = fc.record({
  _tag: fc.constant('Store' as const),
  ...header,
  key: arbNodeId,
  value: arbValue,
  ttl: arbDuration,
})
export const arbStored: fc.Arbitrary<Message.Stored> = fc.record({ _tag: fc.constant('Stored' as const), ...header })
export const arbFindNode: fc.Arbitrary<Message.FindNode> = fc.record({
  _tag: fc.constant('FindNode' as const),
  ...header,
  target: arbNodeId,
})
/** Up to `MAX_CONTACTS` contacts; long Unicode addresses can overflow a datagram, those are left out. */
export const arbNodes: fc.Arbitrary<Message.Nodes> = fc
  .record({ _tag: fc.constant('Nodes' as const), ...header, contacts: arbContacts })
  .filter(Wire.fitsInDatagram)
export const arbFindValue: fc.Arbitrary<Message.FindValue> = fc.record({
  _tag: fc.constant('FindValue' as const),
  ...header,
  key: arbNodeId,
})
export const arbValueFound: fc.Arbitrary<Message.ValueFound> = fc.record({
  _tag: fc.constant('ValueFound' as const),
  ...header,
  value: arbValue,
  ttl: arbDuration,
})

/** One arbitrary per message type, by tag. */
export const arbMessageOf: { readonly [T in Message.Tag]: fc.Arbitrary<Extract<Message.Message, { _tag: T }>> } = {
  Ping: arbPing,
  Pong: arbPong,
  Store: arbStore,
  Stored: arbStored,
  FindNode: arbFindNode,
  Nodes: arbNodes,
  FindValue: arbFindValue,
  ValueFound: arbValueFound,
}

export const arbRequest: fc.Arbitrary<Message.Request> = fc.oneof(arbPing, arbStore, arbFindNode, arbFindValue)
export const arbResponse: fc.Arbitrary<Message.Response> = fc.oneof(arbPong, arbStored, arbNodes, arbValueFound)
export const arbMessage: fc.Arbitrary<Message.Message> = fc.oneof(arbRequest, arbResponse)
