/**
 * A direct writer of the wire format (`docs/wire.md`) for the messages a node sends all the time:
 * it writes the CBOR heads and bytes of `[version, type, rpcId, sender, ...fields]` itself instead
 * of building the array and walking it through cbor-x's generic encoder.
 *
 * Contract: for every message it accepts, the bytes are exactly those of the cbor-x path
 * (`Wire.encodeGeneric`); the golden vectors and a property test (test/wire) pin that. It gives
 * `undefined`, and the caller falls back to cbor-x, for what it does not write itself: a number
 * value (cbor-x's integer/float64 choice) and a `ttl` of 2^32 ms or more (written as a float64).
 *
 * CBOR written (RFC 8949 §3): heads of minimal length; byte strings (major 2) as they are; text
 * (major 3) as UTF-8 of the well-formed string (unpaired surrogates as U+FFFD, as cbor-x is given
 * them by the codecs); `true`/`false` as 0xf5/0xf4.
 *
 * Results are written one after another into a shared chunk, as cbor-x does: a result is never
 * overwritten by a later encoding (a full chunk is replaced by a fresh one, not reused).
 */
import type { Message, PeerInfo } from '../rpc/message.js'
import type { Value } from '../rpc/value.js'
import { TYPE_CODES, VERSION, wellFormed } from './codecs.js'

// model

const CHUNK_BYTES = 8192

let chunk = new Uint8Array(CHUNK_BYTES)
let pos = 0

// internals

/** Makes room for at most `max` more bytes in the current chunk. */
const reserve = (max: number): void => {
  if (pos + max <= chunk.length) return
  chunk = new Uint8Array(Math.max(CHUNK_BYTES, max))
  pos = 0
}

/** A head of major type `major` with argument `n` (0 <= n < 2^32), minimal length. */
const head = (major: number, n: number): void => {
  const m = major << 5
  if (n < 24) chunk[pos++] = m | n
  else if (n < 0x100) {
    chunk[pos++] = m | 24
    chunk[pos++] = n
  } else if (n < 0x10000) {
    chunk[pos++] = m | 25
    chunk[pos++] = n >>> 8
    chunk[pos++] = n & 0xff
  } else {
    chunk[pos++] = m | 26
    chunk[pos++] = n >>> 24
    chunk[pos++] = (n >>> 16) & 0xff
    chunk[pos++] = (n >>> 8) & 0xff
    chunk[pos++] = n & 0xff
  }
}

const HEAD_MAX = 5

const byteString = (b: Uint8Array): void => {
  head(2, b.length)
  chunk.set(b, pos)
  pos += b.length
}

/** UTF-8 length of a well-formed string (surrogates come in pairs). */
const utf8Length = (s: string): number => {
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) n += 1
    else if (c < 0x800) n += 2
    else if ((c & 0xfc00) === 0xd800) {
      n += 4
      i++
    } else n += 3
  }
  return n
}

/** A text string of the well-formed `s`. */
const textString = (s: string): void => {
  head(3, utf8Length(s))
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i)
    if (c < 0x80) chunk[pos++] = c
    else if (c < 0x800) {
      chunk[pos++] = (c >> 6) | 0xc0
      chunk[pos++] = (c & 0x3f) | 0x80
    } else if ((c & 0xfc00) === 0xd800) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (s.charCodeAt(++i) & 0x03ff)
      chunk[pos++] = (c >> 18) | 0xf0
      chunk[pos++] = ((c >> 12) & 0x3f) | 0x80
      chunk[pos++] = ((c >> 6) & 0x3f) | 0x80
      chunk[pos++] = (c & 0x3f) | 0x80
    } else {
      chunk[pos++] = (c >> 12) | 0xe0
      chunk[pos++] = ((c >> 6) & 0x3f) | 0x80
      chunk[pos++] = (c & 0x3f) | 0x80
    }
  }
}

/** Bytes at most for the text of a string of `length` UTF-16 units. */
const textMax = (length: number): number => HEAD_MAX + 3 * length

const isUint32 = (n: number): boolean => n >>> 0 === n

/** The value's room, or `undefined` for a value the cbor-x path writes (numbers). */
const valueMax = (v: Value): number | undefined => {
  if (v instanceof Uint8Array) return HEAD_MAX + v.length
  if (typeof v === 'string') return textMax(v.length)
  if (typeof v === 'boolean') return 1
  return undefined
}

const value = (v: Value): void => {
  if (v instanceof Uint8Array) byteString(v)
  else if (typeof v === 'string') textString(wellFormed(v))
  else chunk[pos++] = v === true ? 0xf5 : 0xf4
}

/** Room for the array head, version, type, rpcId and sender. */
const envelopeMax = (m: Message): number => 4 * HEAD_MAX + m.rpcId.length + m.sender.length

const envelope = (m: Message, items: number): void => {
  head(4, items)
  head(0, VERSION)
  head(0, TYPE_CODES[m._tag])
  byteString(m.rpcId)
  byteString(m.sender)
}

const contactsMax = (contacts: ReadonlyArray<PeerInfo>): number => {
  let max = HEAD_MAX
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i] as PeerInfo
    max += 2 * HEAD_MAX + c.id.length + textMax(c.address.length)
  }
  return max
}

// constructors

/**
 * The datagram of `m`, byte-identical to the cbor-x path, or `undefined` when `m` holds a number
 * value or a `ttl` of 2^32 ms or more (see the module comment). Same preconditions as `Wire.encode`.
 */
export const encode = (m: Message): Uint8Array | undefined => {
  switch (m._tag) {
    case 'Ping':
    case 'Pong':
    case 'Stored':
      reserve(envelopeMax(m))
      break
    case 'FindNode':
      reserve(envelopeMax(m) + HEAD_MAX + m.target.length)
      break
    case 'FindValue':
      reserve(envelopeMax(m) + HEAD_MAX + m.key.length)
      break
    case 'Nodes':
      reserve(envelopeMax(m) + contactsMax(m.contacts))
      break
    case 'Store': {
      const max = valueMax(m.value)
      if (max === undefined || !isUint32(m.ttl)) return undefined
      reserve(envelopeMax(m) + HEAD_MAX + m.key.length + max + HEAD_MAX)
      break
    }
    case 'ValueFound': {
      const max = valueMax(m.value)
      if (max === undefined || !isUint32(m.ttl)) return undefined
      reserve(envelopeMax(m) + max + HEAD_MAX)
      break
    }
  }
  const start = pos
  switch (m._tag) {
    case 'Ping':
    case 'Pong':
    case 'Stored':
      envelope(m, 4)
      break
    case 'FindNode':
      envelope(m, 5)
      byteString(m.target)
      break
    case 'FindValue':
      envelope(m, 5)
      byteString(m.key)
      break
    case 'Nodes': {
      envelope(m, 5)
      head(4, m.contacts.length)
      for (let i = 0; i < m.contacts.length; i++) {
        const c = m.contacts[i] as PeerInfo
        head(4, 2)
        byteString(c.id)
        textString(wellFormed(c.address))
      }
      break
    }
    case 'Store':
      envelope(m, 7)
      byteString(m.key)
      value(m.value)
      head(0, m.ttl)
      break
    case 'ValueFound':
      envelope(m, 6)
      value(m.value)
      head(0, m.ttl)
      break
  }
  return chunk.subarray(start, pos)
}
