/**
 * A direct reader for the datagrams honest peers send all the time: PING, PONG, STORED,
 * FIND_NODE, FIND_VALUE and NODES in the exact shape `encode` writes (minimal heads, 20-byte ids,
 * ASCII addresses). It reads the bytes itself instead of going through cbor-x and the io-ts
 * codecs.
 *
 * Contract: it runs only on bytes `Scan.check` accepted (one well-formed item), and gives either
 * the very message the full path (cbor-x + codecs) would decode, or `undefined`, and the full path
 * then decodes the datagram (or explains why it does not). Anything it does not recognise at
 * once, valid or not, is `undefined`: STORE and VALUE_FOUND, non-minimal heads, a non-ASCII
 * address, an address or contact list out of range, a wrong count of fields. Like the codecs, it
 * copies every id into a fresh plain `Uint8Array`: nothing decoded shares memory with `bytes`.
 */
import type { NodeId } from '../id/node-id.js'
import * as Address from '../address.js'
import type { Message, PeerInfo } from '../rpc/message.js'
import type { RpcId } from '../rpc/rpc-id.js'
import { MAX_CONTACTS, TYPE_CODES, VERSION } from './codecs.js'

// model

const ID_HEAD = 0x40 | 20

let pos = 0

// internals

/** A fresh 20-byte copy of the byte string at `pos`, or `undefined` if there is none. */
const id = (bytes: Uint8Array): Uint8Array | undefined => {
  if (bytes[pos] !== ID_HEAD || pos + 21 > bytes.length) return undefined
  const out = new Uint8Array(20)
  for (let i = 0; i < 20; i++) out[i] = bytes[pos + 1 + i] as number
  pos += 21
  return out
}

/** The ASCII text string at `pos` as an address of 1 to `Address.MAX_LENGTH` characters. */
const address = (bytes: Uint8Array): Address.Address | undefined => {
  const initial = bytes[pos] as number
  let length: number
  let start: number
  if (initial > 0x60 && initial < 0x78) {
    length = initial - 0x60
    start = pos + 1
  } else if (initial === 0x78) {
    length = bytes[pos + 1] as number
    if (length < 24) return undefined
    start = pos + 2
  } else return undefined
  if (length > Address.MAX_LENGTH || start + length > bytes.length) return undefined
  const codes = new Array<number>(length)
  for (let i = 0; i < length; i++) {
    const c = bytes[start + i] as number
    if (c >= 0x80) return undefined
    codes[i] = c
  }
  pos = start + length
  return Address.of(String.fromCharCode(...codes))
}

const contacts = (bytes: Uint8Array): ReadonlyArray<PeerInfo> | undefined => {
  const initial = bytes[pos] as number
  let count: number
  if (initial >= 0x80 && initial < 0x98) {
    count = initial - 0x80
    pos += 1
  } else if (initial === 0x98) {
    count = bytes[pos + 1] as number
    if (count < 24) return undefined
    pos += 2
  } else return undefined
  if (count > MAX_CONTACTS) return undefined
  const out = new Array<PeerInfo>(count)
  for (let i = 0; i < count; i++) {
    if (bytes[pos] !== 0x82) return undefined
    pos++
    const contactId = id(bytes)
    if (contactId === undefined) return undefined
    const contactAddress = address(bytes)
    if (contactAddress === undefined) return undefined
    out[i] = { id: contactId as NodeId, address: contactAddress }
  }
  return out
}

// queries

/** The message in `bytes` (already checked by `Scan.check`), or `undefined`: see the module comment. */
export const decode = (bytes: Uint8Array): Message | undefined => {
  const items = (bytes[0] as number) - 0x80
  if ((items !== 4 && items !== 5) || bytes[1] !== VERSION) return undefined
  const code = bytes[2] as number
  pos = 3
  const rpcId = id(bytes) as RpcId | undefined
  if (rpcId === undefined) return undefined
  const sender = id(bytes) as NodeId | undefined
  if (sender === undefined) return undefined
  let m: Message | undefined
  switch (code) {
    case TYPE_CODES.Ping:
      m = items === 4 ? { _tag: 'Ping', rpcId, sender } : undefined
      break
    case TYPE_CODES.Pong:
      m = items === 4 ? { _tag: 'Pong', rpcId, sender } : undefined
      break
    case TYPE_CODES.Stored:
      m = items === 4 ? { _tag: 'Stored', rpcId, sender } : undefined
      break
    case TYPE_CODES.FindNode: {
      const target = items === 5 ? (id(bytes) as NodeId | undefined) : undefined
      m = target === undefined ? undefined : { _tag: 'FindNode', rpcId, sender, target }
      break
    }
    case TYPE_CODES.FindValue: {
      const key = items === 5 ? (id(bytes) as NodeId | undefined) : undefined
      m = key === undefined ? undefined : { _tag: 'FindValue', rpcId, sender, key }
      break
    }
    case TYPE_CODES.Nodes: {
      const found = items === 5 ? contacts(bytes) : undefined
      m = found === undefined ? undefined : { _tag: 'Nodes', rpcId, sender, contacts: found }
      break
    }
    default:
      m = undefined
  }
  return m !== undefined && pos === bytes.length ? m : undefined
}
