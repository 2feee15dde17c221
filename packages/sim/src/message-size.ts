/**
 * Bytes on the wire per message, for bandwidth figures. The simulator passes `Message` objects
 * without encoding them (encoding every datagram would cost more than the protocol step); this
 * estimate follows the CBOR layout of the wire module: a small array header, a version and type
 * byte, 20-byte ids and RPC ids with a 2-byte header each, contacts as (id, address) pairs, values
 * with their length header, TTLs as 5-byte integers, plus 28 bytes of IPv4 and UDP headers.
 * It is within a few bytes of `Wire.encode(m).length` for every message kind.
 */
import type { Message } from '@kademlia-ts/core'

const UDP_IP = 28
const ID = 22
const HEADER = 3 + ID + ID // array header, version, type, rpc id, sender

const cborLength = (n: number): number => (n < 24 ? 1 : n < 256 ? 2 : n < 65536 ? 3 : 5)

const valueSize = (v: Uint8Array | string | number | boolean): number =>
  typeof v === 'string' ? cborLength(v.length) + v.length : v instanceof Uint8Array ? cborLength(v.length) + v.length : typeof v === 'number' ? 9 : 1

/** Estimated datagram size in bytes, IP and UDP headers included. */
export const estimate = (m: Message.Message): number => {
  switch (m._tag) {
    case 'Ping':
    case 'Pong':
    case 'Stored':
      return UDP_IP + HEADER
    case 'FindNode':
    case 'FindValue':
      return UDP_IP + HEADER + ID
    case 'Store':
      return UDP_IP + HEADER + ID + valueSize(m.value) + 5
    case 'ValueFound':
      return UDP_IP + HEADER + valueSize(m.value) + 5
    case 'Nodes': {
      let s = UDP_IP + HEADER + cborLength(m.contacts.length)
      for (const c of m.contacts) s += 1 + ID + cborLength(c.address.length) + c.address.length
      return s
    }
  }
}
