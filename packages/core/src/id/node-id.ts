/**
 * 160-bit identifiers of nodes and keys (paper §2.1). A `NodeId` is exactly 20 bytes, big-endian,
 * held as a `Uint8Array` that is never mutated once branded: many contacts and many simulated
 * nodes share the same instance.
 */
import * as E from 'fp-ts/lib/Either.js'
import { sha1 } from '@noble/hashes/legacy.js'
import { utf8ToBytes } from '@noble/hashes/utils.js'
import * as Prng from '../prng.js'

// model

export type NodeId = Uint8Array & { readonly NodeId: unique symbol }

export const BYTES = 20
export const BITS = 160

export interface InvalidId {
  readonly _tag: 'InvalidId'
  readonly reason: string
}

/** What a user may hand in as a key: hashed with SHA-1 as the Python library's `digest` does. */
export type KeyInput = Uint8Array | string | number | boolean

// constructors

/** Copies `bytes` into a new id; `Left` unless it is exactly 20 bytes. */
export const fromBytes = (bytes: Uint8Array): E.Either<InvalidId, NodeId> =>
  bytes.length === BYTES
    ? E.right(Uint8Array.from(bytes) as NodeId)
    : E.left({ _tag: 'InvalidId', reason: `expected ${BYTES} bytes, got ${bytes.length}` })

/**
 * Brands `bytes` without copying. The caller guarantees 20 bytes that nobody mutates afterwards
 * (decoded datagrams, ids made by a simulator). Use `fromBytes` for anything else.
 */
export const unsafeFromBytes = (bytes: Uint8Array): NodeId => bytes as NodeId

const HEX = /^[0-9a-fA-F]{40}$/

export const fromHex = (hex: string): E.Either<InvalidId, NodeId> => {
  if (!HEX.test(hex)) return E.left({ _tag: 'InvalidId', reason: 'expected 40 hexadecimal digits' })
  const out = new Uint8Array(BYTES)
  for (let i = 0; i < BYTES; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return E.right(out as NodeId)
}


/**
 * SHA-1 of a key, as the Python library's `digest`: bytes are hashed as they are, anything else
 * as the UTF-8 of its text (`true` -> "True" and `false` -> "False" as in Python, numbers as
 * JavaScript prints them).
 */
export const fromKey = (key: KeyInput): NodeId => {
  if (key instanceof Uint8Array) return sha1(key) as NodeId
  const text = typeof key === 'boolean' ? (key ? 'True' : 'False') : String(key)
  return sha1(utf8ToBytes(text)) as NodeId
}

/** A uniformly random id drawn from `prng`. */
export const random = (prng: Prng.Prng): readonly [NodeId, Prng.Prng] => {
  const [bytes, next] = Prng.bytes(prng, BYTES)
  return [bytes as NodeId, next]
}

// queries

export const isNodeId = (u: unknown): u is NodeId => u instanceof Uint8Array && u.length === BYTES

export const equals = (a: NodeId, b: NodeId): boolean => {
  if (a === b) return true
  for (let i = 0; i < BYTES; i++) if (a[i] !== b[i]) return false
  return true
}

/** Numeric (big-endian) order: negative when `a < b`. */
export const compare = (a: NodeId, b: NodeId): number => {
  for (let i = 0; i < BYTES; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return 0
}

/** Bit `index` counted from the most significant bit (0) to the least (159). */
export const bit = (id: NodeId, index: number): 0 | 1 =>
  (((id[index >>> 3] as number) >>> (7 - (index & 7))) & 1) as 0 | 1

const HEX_DIGITS = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

export const toHex = (id: Uint8Array): string => {
  let s = ''
  for (let i = 0; i < id.length; i++) s += HEX_DIGITS[id[i] as number]
  return s
}
