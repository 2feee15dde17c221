/**
 * io-ts codecs between the array a datagram holds (what cbor-x decodes) and `Message`.
 *
 * Each message type is an exact tuple `[version, type, rpcId, sender, ...fields]`; the version
 * and the type code are checked by `Wire.decode` before the codec of that type runs, so the
 * codecs validate everything else. Validation copies every byte string into a fresh, plain
 * `Uint8Array`: nothing decoded shares memory with the datagram, and no Node.js byte-buffer subclass reaches
 * the core. Field names are registered with each tuple so errors carry paths like
 * `$.contacts[3].address`.
 */
import * as t from 'io-ts'
import * as Address from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type * as Message from '../rpc/message.js'
import type { RpcId } from '../rpc/rpc-id.js'
import type { Value } from '../rpc/value.js'
import type { Duration } from '../time.js'

// model

/** Most contacts a NODES reply may carry: room for `bucketSize` up to 64 (the paper's k is 20). */
export const MAX_CONTACTS = 64

/** Type codes: a request has an even code, its reply the next odd one. */
export const TYPE_CODES = {
  Ping: 0,
  Pong: 1,
  Store: 2,
  Stored: 3,
  FindNode: 4,
  Nodes: 5,
  FindValue: 6,
  ValueFound: 7,
} as const satisfies Record<Message.Tag, number>

/** A codec from the datagram's array form to one kind of message. */
export type MessageCodec = t.Type<Message.Message, ReadonlyArray<unknown>, unknown>

// internals: describing what was found

const kindOf = (u: unknown): string => {
  if (u instanceof Uint8Array) return `a ${u.length}-byte byte string`
  if (Array.isArray(u)) return `an array of ${u.length}`
  if (u === null) return 'null'
  if (u === undefined) return 'undefined'
  if (typeof u === 'string') return `a text string of ${u.length} characters`
  if (typeof u === 'number') return `the number ${u}`
  if (typeof u === 'bigint') return `the integer ${u}`
  if (typeof u === 'boolean') return `${u}`
  return 'a map'
}

/** Field names of each tuple codec, by position, for error paths. */
const fieldNames = new WeakMap<t.Decoder<unknown, unknown>, ReadonlyArray<string>>()

const SURROGATE = /[\uD800-\uDFFF]/
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * `s` with every unpaired surrogate replaced by U+FFFD, as `TextEncoder` does: text goes on the
 * wire as valid UTF-8, so such a string does not survive a round trip unchanged.
 */
export const wellFormed = (s: string): string => (SURROGATE.test(s) ? s.replace(LONE_SURROGATE, '\uFFFD') : s)

// constructors: field codecs

const bytes20 = <B extends Uint8Array>(name: string): t.Type<B, Uint8Array, unknown> =>
  new t.Type<B, Uint8Array, unknown>(
    name,
    (u): u is B => u instanceof Uint8Array && u.length === 20,
    (u, c) =>
      u instanceof Uint8Array && u.length === 20
        ? t.success(new Uint8Array(u) as B)
        : t.failure(u, c, `expected a 20-byte byte string, got ${kindOf(u)}`),
    (b) => b,
  )

export const NodeIdCodec = bytes20<NodeId>('NodeId')
export const RpcIdCodec = bytes20<RpcId>('RpcId')

/** A text string of 1 to `Address.MAX_LENGTH` UTF-16 code units. */
export const AddressCodec = new t.Type<Address.Address, string, unknown>(
  'Address',
  (u): u is Address.Address => typeof u === 'string' && u.length > 0 && u.length <= Address.MAX_LENGTH,
  (u, c) =>
    typeof u === 'string' && u.length > 0 && u.length <= Address.MAX_LENGTH
      ? t.success(Address.of(u))
      : t.failure(u, c, `expected a text string of 1 to ${Address.MAX_LENGTH} characters, got ${kindOf(u)}`),
  (a) => wellFormed(a),
)

/** A number, or a 64-bit integer (cbor-x gives a `bigint`) that a number holds exactly. */
const exactNumber = (u: unknown): number | undefined => {
  if (typeof u === 'number') return u
  if (typeof u === 'bigint') {
    const n = Number(u)
    return BigInt(n) === u ? n : undefined
  }
  return undefined
}

/**
 * Bytes, text, a finite number or a boolean. NaN and the infinities are not values; `-0` reads
 * as `0` (the encoder sends it as the integer 0).
 */
export const ValueCodec = new t.Type<Value, Value, unknown>(
  'Value',
  (u): u is Value =>
    u instanceof Uint8Array || typeof u === 'string' || typeof u === 'boolean' || (typeof u === 'number' && Number.isFinite(u)),
  (u, c) => {
    if (u instanceof Uint8Array) return t.success(new Uint8Array(u))
    if (typeof u === 'string' || typeof u === 'boolean') return t.success(u)
    const n = exactNumber(u)
    if (n !== undefined && Number.isFinite(n)) return t.success(n === 0 ? 0 : n)
    return t.failure(u, c, `expected bytes, text, a finite number or a boolean, got ${kindOf(u)}`)
  },
  (v) => (typeof v === 'string' ? wellFormed(v) : v === 0 ? 0 : v),
)

/** Whole milliseconds, 0 to `Number.MAX_SAFE_INTEGER`. */
export const DurationCodec = new t.Type<Duration, number, unknown>(
  'Duration',
  (u): u is Duration => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0,
  (u, c) => {
    const n = exactNumber(u)
    return n !== undefined && Number.isSafeInteger(n) && n >= 0
      ? t.success((n === 0 ? 0 : n) as Duration)
      : t.failure(u, c, `expected whole milliseconds from 0 to 2^53-1, got ${kindOf(u)}`)
  },
  (d) => d,
)

/**
 * `decoder.validate` of the element at `index` of a container validated in `context`. Validation
 * is pure, so it runs first in the container's context, which costs nothing, and again with the
 * element's own context only when it fails, to locate the error: the success path (every honest
 * datagram) allocates no context.
 */
const validateAt = <A>(decoder: t.Decoder<unknown, A>, u: unknown, context: t.Context, index: number): t.Validation<A> => {
  const r = decoder.validate(u, context)
  return r._tag === 'Right' ? r : decoder.validate(u, t.appendContext(context, String(index), decoder, u))
}

/**
 * An array of exactly `fields.length` elements, each validated by its codec; `build` turns the
 * validated elements into the decoded value.
 */
const tuple = <A>(
  name: string,
  fields: ReadonlyArray<readonly [string, t.Decoder<unknown, unknown>]>,
  build: (xs: ReadonlyArray<unknown>) => A,
  toArray: (a: A) => ReadonlyArray<unknown>,
  is: (u: unknown) => u is A,
): t.Type<A, ReadonlyArray<unknown>, unknown> => {
  const codec: t.Type<A, ReadonlyArray<unknown>, unknown> = new t.Type<A, ReadonlyArray<unknown>, unknown>(
    name,
    is,
    (u, c) => {
      if (!Array.isArray(u)) return t.failure(u, c, `expected an array, got ${kindOf(u)}`)
      if (u.length !== fields.length) {
        return t.failure(u, c, `expected ${fields.length} elements for ${name}, got ${u.length}`)
      }
      const errors: t.ValidationError[] = []
      const out: unknown[] = new Array<unknown>(fields.length)
      for (let i = 0; i < fields.length; i++) {
        const decoder = (fields[i] as readonly [string, t.Decoder<unknown, unknown>])[1]
        const r = validateAt(decoder, u[i], c, i)
        if (r._tag === 'Left') errors.push(...r.left)
        else out[i] = r.right
      }
      return errors.length > 0 ? t.failures(errors) : t.success(build(out))
    },
    toArray,
  )
  fieldNames.set(codec, fields.map(([n]) => n))
  return codec
}

export const PeerInfoCodec = tuple<Message.PeerInfo>(
  'PeerInfo',
  [['id', NodeIdCodec], ['address', AddressCodec]],
  (xs) => ({ id: xs[0] as NodeId, address: xs[1] as Address.Address }),
  (p) => [p.id, AddressCodec.encode(p.address)],
  (u): u is Message.PeerInfo => typeof u === 'object' && u !== null && 'id' in u && 'address' in u,
)

/** At most `MAX_CONTACTS` contacts. */
export const ContactsCodec = new t.Type<ReadonlyArray<Message.PeerInfo>, ReadonlyArray<unknown>, unknown>(
  'Contacts',
  (u): u is ReadonlyArray<Message.PeerInfo> => Array.isArray(u) && u.length <= MAX_CONTACTS && u.every(PeerInfoCodec.is),
  (u, c) => {
    if (!Array.isArray(u)) return t.failure(u, c, `expected an array of contacts, got ${kindOf(u)}`)
    if (u.length > MAX_CONTACTS) return t.failure(u, c, `expected at most ${MAX_CONTACTS} contacts, got ${u.length}`)
    const errors: t.ValidationError[] = []
    const out: Message.PeerInfo[] = []
    for (let i = 0; i < u.length; i++) {
      const r = validateAt(PeerInfoCodec, u[i], c, i)
      if (r._tag === 'Left') errors.push(...r.left)
      else out.push(r.right)
    }
    return errors.length > 0 ? t.failures(errors) : t.success(out)
  },
  (contacts) => {
    const out: Array<readonly [NodeId, string]> = new Array<readonly [NodeId, string]>(contacts.length)
    for (let i = 0; i < contacts.length; i++) {
      const c = contacts[i] as Message.PeerInfo
      out[i] = [c.id, wellFormed(c.address)]
    }
    return out
  },
)

// constructors: message codecs

/** The wire format version this module reads and writes: the first element of every datagram. */
export const VERSION = 1

/** Version and type are checked before a message codec runs. */
const checkedBefore: t.Decoder<unknown, unknown> = t.unknown

type Fields = ReadonlyArray<readonly [string, t.Decoder<unknown, unknown>]>

const messageCodec = <M extends Message.Message>(
  tag: M['_tag'],
  fields: Fields,
  build: (rpcId: RpcId, sender: NodeId, xs: ReadonlyArray<unknown>) => M,
  toArray: (m: M) => ReadonlyArray<unknown>,
): MessageCodec =>
  tuple<M>(
    tag,
    [['version', checkedBefore], ['type', checkedBefore], ['rpcId', RpcIdCodec], ['sender', NodeIdCodec], ...fields],
    (xs) => build(xs[2] as RpcId, xs[3] as NodeId, xs.slice(4)),
    toArray,
    (u): u is M => typeof u === 'object' && u !== null && (u as { _tag?: unknown })._tag === tag,
  ) as unknown as MessageCodec

const C = TYPE_CODES

/** The codec of each message type, by tag. Its `encode` gives the array cbor-x writes. */
export const messageCodecs: { readonly [T in Message.Tag]: MessageCodec } = {
  Ping: messageCodec<Message.Ping>('Ping', [], (rpcId, sender) => ({ _tag: 'Ping', rpcId, sender }), (m) => [
    VERSION, C.Ping, m.rpcId, m.sender,
  ]),
  Pong: messageCodec<Message.Pong>('Pong', [], (rpcId, sender) => ({ _tag: 'Pong', rpcId, sender }), (m) => [
    VERSION, C.Pong, m.rpcId, m.sender,
  ]),
  Store: messageCodec<Message.Store>(
    'Store',
    [['key', NodeIdCodec], ['value', ValueCodec], ['ttl', DurationCodec]],
    (rpcId, sender, xs) => ({
      _tag: 'Store', rpcId, sender, key: xs[0] as NodeId, value: xs[1] as Value, ttl: xs[2] as Duration,
    }),
    (m) => [VERSION, C.Store, m.rpcId, m.sender, m.key, ValueCodec.encode(m.value), m.ttl],
  ),
  Stored: messageCodec<Message.Stored>('Stored', [], (rpcId, sender) => ({ _tag: 'Stored', rpcId, sender }), (m) => [
    VERSION, C.Stored, m.rpcId, m.sender,
  ]),
  FindNode: messageCodec<Message.FindNode>(
    'FindNode',
    [['target', NodeIdCodec]],
    (rpcId, sender, xs) => ({ _tag: 'FindNode', rpcId, sender, target: xs[0] as NodeId }),
    (m) => [VERSION, C.FindNode, m.rpcId, m.sender, m.target],
  ),
  Nodes: messageCodec<Message.Nodes>(
    'Nodes',
    [['contacts', ContactsCodec]],
    (rpcId, sender, xs) => ({ _tag: 'Nodes', rpcId, sender, contacts: xs[0] as ReadonlyArray<Message.PeerInfo> }),
    (m) => [VERSION, C.Nodes, m.rpcId, m.sender, ContactsCodec.encode(m.contacts)],
  ),
  FindValue: messageCodec<Message.FindValue>(
    'FindValue',
    [['key', NodeIdCodec]],
    (rpcId, sender, xs) => ({ _tag: 'FindValue', rpcId, sender, key: xs[0] as NodeId }),
    (m) => [VERSION, C.FindValue, m.rpcId, m.sender, m.key],
  ),
  ValueFound: messageCodec<Message.ValueFound>(
    'ValueFound',
    [['value', ValueCodec], ['ttl', DurationCodec]],
    (rpcId, sender, xs) => ({ _tag: 'ValueFound', rpcId, sender, value: xs[0] as Value, ttl: xs[1] as Duration }),
    (m) => [VERSION, C.ValueFound, m.rpcId, m.sender, ValueCodec.encode(m.value), m.ttl],
  ),
}

/** The message codecs indexed by type code. */
export const codecsByCode: ReadonlyArray<MessageCodec> = (Object.keys(TYPE_CODES) as Message.Tag[]).reduce<MessageCodec[]>(
  (byCode, tag) => {
    byCode[TYPE_CODES[tag]] = messageCodecs[tag]
    return byCode
  },
  [],
)

// queries

/** `$.contacts[3].address` for the context of a validation error. */
export const pathOf = (context: t.Context): string => {
  let path = '$'
  for (let i = 1; i < context.length; i++) {
    const parent = (context[i - 1] as t.ContextEntry).type
    const key = (context[i] as t.ContextEntry).key
    const names = fieldNames.get(parent)
    const name = names === undefined ? undefined : names[Number(key)]
    path += name === undefined ? `[${key}]` : `.${name}`
  }
  return path
}

/** The detail of a validation error: its own message, or what was expected and found. */
export const detailOf = (e: t.ValidationError): string => {
  if (e.message !== undefined) return e.message
  const last = e.context[e.context.length - 1]
  return `expected ${last === undefined ? 'a value' : last.type.name}, got ${kindOf(e.value)}`
}
