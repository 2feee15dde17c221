/**
 * The wire: the only module that turns messages into bytes and bytes into messages.
 *
 * A datagram is one CBOR item (RFC 8949), an array `[version, type, rpcId, sender, ...fields]`;
 * `docs/wire.md` describes it byte by byte and `docs/adr/0003-wire-format.md` records why.
 * `encode` is total on valid messages; `decode` is total on every byte string: anything it cannot
 * read is a typed `DecodeError` in a `Left`, never an exception.
 *
 * Usage: `Wire.decode(datagram)` in the shell's receive path, `Wire.encode(message)` for each
 * `Send` effect; the protocol asks `Wire.fitsInDatagram(store)` before it sends a STORE.
 */
import { Encoder } from 'cbor-x'
import * as E from 'fp-ts/lib/Either.js'
import type * as t from 'io-ts'
import type { Message } from '../rpc/message.js'
import * as Codecs from './codecs.js'
import * as Errors from './errors.js'
import * as FastDecode from './fast-decode.js'
import * as Fast from './fast-encode.js'
import * as Scan from './scan.js'

export type { DecodeError } from './errors.js'
export { describe as describeError } from './errors.js'

// model

/** The format version written in every datagram and the only one `decode` reads. */
export const VERSION = Codecs.VERSION

/**
 * The largest datagram `decode` reads and `fitsInDatagram` admits: 8 KiB, the limit of the Python
 * library's sender (rpcudp). A datagram this size already spans several IPv4 fragments on a
 * 1500-byte MTU, and losing any one fragment loses the datagram; nothing in the protocol needs
 * more (a NODES reply of 20 IPv4 contacts is under 1 KiB).
 */
export const MAX_DATAGRAM_BYTES = 8192

/** Most contacts in a NODES reply. */
export const MAX_CONTACTS = Codecs.MAX_CONTACTS

/** Type codes on the wire, by message tag. */
export const TYPE_CODES = Codecs.TYPE_CODES

// internals

/**
 * One encoder for the whole process, set up for plain CBOR: byte strings as major type 2 (no
 * typed-array tag), no records, no structured clone, no packing, no string bundling, no float32
 * shortening. Numbers: integers from -2^32 to 2^32-1 as CBOR integers, every other number as a
 * float64, so every finite number comes back exactly (`-0` as `0`).
 *
 * cbor-x writes each result into a shared chunk and starts the next after it, so results stay
 * valid; `encode` hands out a plain `Uint8Array` view of the result, no copy.
 */
const cbor = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  tagUint8Array: false,
  structuredClone: false,
  pack: false,
  bundleStrings: false,
  useFloat32: 0,
  alwaysUseFloat: false,
  useTimestamp32: false,
  useSelfDescribedHeader: false,
  useToJSON: false,
  copyBuffers: false,
})

const unsignedInteger = (u: unknown): number | undefined => {
  if (typeof u === 'number') return Number.isInteger(u) && u >= 0 ? u : undefined
  if (typeof u === 'bigint') return u >= BigInt(0) ? Number(u) : undefined
  return undefined
}

/** The first validation error, located by its path; validation fails with at least one. */
const invalid = (errors: t.Errors): Errors.DecodeError => {
  const first = errors[0]
  if (first === undefined) return Errors.invalidField('$', 'invalid')
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''
  return Errors.invalidField(Codecs.pathOf(first.context), Codecs.detailOf(first) + more)
}

// constructors

/**
 * The datagram for `message`. Precondition: a valid message (ids of 20 bytes, a `Value` that
 * `Value.isValue` accepts, a whole-millisecond `ttl`, at most `MAX_CONTACTS` contacts with
 * addresses of 1 to `Address.MAX_LENGTH` characters); otherwise the datagram does not decode.
 * Text with unpaired surrogates is sent with U+FFFD in their place, `-0` as `0`. The result may
 * exceed `MAX_DATAGRAM_BYTES`: check `fitsInDatagram` where that can happen (STORE, NODES).
 * The result is a view into an 8 KiB chunk that later encodings never overwrite; send it and let
 * it go, or `slice()` it to keep it for long without keeping the chunk.
 */
export const encode = (message: Message): Uint8Array => Fast.encode(message) ?? encodeGeneric(message)

/**
 * `encode` through cbor-x's generic encoder: the reference the direct writer (`fast-encode.ts`,
 * used for every message but those with a number value or a `ttl` of 2^32 ms or more) must match
 * byte for byte; tests compare the two.
 */
export const encodeGeneric = (message: Message): Uint8Array => {
  const out: Uint8Array = cbor.encode(Codecs.messageCodecs[message._tag].encode(message))
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength)
}

/**
 * The message in `bytes`, or why there is none. Never throws. Checks, in order: empty, longer
 * than `MAX_DATAGRAM_BYTES` (before any parsing), one well-formed CBOR item of the wire's profile
 * with nothing after it (`Malformed`), the version (`UnknownVersion`), the type code
 * (`UnknownType`), then every field (`InvalidField` with its path). `bytes` is not modified and
 * the message shares no memory with it.
 */
export const decode = (bytes: Uint8Array): E.Either<Errors.DecodeError, Message> => {
  const size = bytes.length
  if (size === 0) return E.left(Errors.empty)
  if (size > MAX_DATAGRAM_BYTES) return E.left(Errors.oversized(size, MAX_DATAGRAM_BYTES))
  const problem = Scan.check(bytes)
  if (problem !== undefined) return E.left(Errors.malformed(problem))
  const fast = FastDecode.decode(bytes)
  return fast === undefined ? decodeChecked(bytes) : E.right(fast)
}

/**
 * `decode` without its direct reader (`fast-decode.ts`, which takes the common messages in the
 * exact shape `encode` writes): always through cbor-x and the codecs. The reference the direct
 * reader must agree with; tests compare the two.
 */
export const decodeGeneric = (bytes: Uint8Array): E.Either<Errors.DecodeError, Message> => {
  const size = bytes.length
  if (size === 0) return E.left(Errors.empty)
  if (size > MAX_DATAGRAM_BYTES) return E.left(Errors.oversized(size, MAX_DATAGRAM_BYTES))
  const problem = Scan.check(bytes)
  if (problem !== undefined) return E.left(Errors.malformed(problem))
  return decodeChecked(bytes)
}

/** The cbor-x and codec part of `decode`, on bytes `Scan.check` accepted. */
const decodeChecked = (bytes: Uint8Array): E.Either<Errors.DecodeError, Message> => {
  const size = bytes.length
  let item: unknown
  try {
    // a view of our own: cbor-x caches a DataView on the object it is given
    item = cbor.decode(new Uint8Array(bytes.buffer, bytes.byteOffset, size))
  } catch (e) {
    return E.left(Errors.malformed(`CBOR: ${e instanceof Error ? e.message : String(e)}`))
  }
  if (!Array.isArray(item) || item.length === 0) {
    return E.left(Errors.invalidField('$', 'expected an array [version, type, rpcId, sender, ...fields]'))
  }
  const version = unsignedInteger(item[0])
  if (version === undefined) return E.left(Errors.invalidField('$.version', 'expected an unsigned integer'))
  if (version !== VERSION) return E.left(Errors.unknownVersion(version))
  if (item.length < 2) return E.left(Errors.invalidField('$', 'expected an array [version, type, rpcId, sender, ...fields]'))
  const code = unsignedInteger(item[1])
  if (code === undefined) return E.left(Errors.invalidField('$.type', 'expected an unsigned integer'))
  const codec = Codecs.codecsByCode[code]
  if (codec === undefined) return E.left(Errors.unknownType(code))
  const result = codec.decode(item)
  return result._tag === 'Right' ? result : E.left(invalid(result.left))
}

// queries

/** The length of `encode(message)` in bytes. */
export const encodedSize = (message: Message): number => encode(message).length

/** Whether `encode(message)` is at most `MAX_DATAGRAM_BYTES` long, so a peer will read it. */
export const fitsInDatagram = (message: Message): boolean => encodedSize(message) <= MAX_DATAGRAM_BYTES
