/**
 * The 160-bit random RPC id every request carries and every reply echoes (paper §2.3). It gives
 * some resistance to address forgery: a reply counts only if its id is in flight.
 */
import * as Prng from '../prng.js'
import * as NodeId from '../id/node-id.js'

// model

export type RpcId = Uint8Array & { readonly RpcId: unique symbol }

export const BYTES = 20

// constructors

export const random = (prng: Prng.Prng): readonly [RpcId, Prng.Prng] => {
  const [bytes, next] = Prng.bytes(prng, BYTES)
  return [bytes as RpcId, next]
}

/** Brands 20 bytes without copying; the caller guarantees length and immutability. */
export const unsafeFromBytes = (bytes: Uint8Array): RpcId => bytes as RpcId

// queries

export const isRpcId = (u: unknown): u is RpcId => u instanceof Uint8Array && u.length === BYTES

/** A string usable as a map key (hex). */
export const toKey = (id: RpcId): string => NodeId.toHex(id)

export const equals = (a: RpcId, b: RpcId): boolean => {
  for (let i = 0; i < BYTES; i++) if (a[i] !== b[i]) return false
  return true
}
