/**
 * The XOR metric (paper §2.1): d(x, y) = x ⊕ y read as a 160-bit unsigned integer. The hot paths
 * (`compareTo`, `commonPrefixLength`) compare byte by byte and allocate nothing.
 */
import * as NodeId from './node-id.js'
import * as Prng from '../prng.js'

// model

export type Distance = Uint8Array & { readonly Distance: unique symbol }

// constructors

export const between = (a: NodeId.NodeId, b: NodeId.NodeId): Distance => {
  const out = new Uint8Array(NodeId.BYTES)
  for (let i = 0; i < NodeId.BYTES; i++) out[i] = (a[i] as number) ^ (b[i] as number)
  return out as Distance
}

/**
 * The unique id at distance `d` from `x` (unidirectionality: x ⊕ d). The paper's property that
 * for each x and Δ exactly one y has d(x, y) = Δ.
 */
export const atDistance = (x: NodeId.NodeId, d: Distance): NodeId.NodeId =>
  between(x, d as Uint8Array as NodeId.NodeId) as Uint8Array as NodeId.NodeId

/**
 * A uniformly random id whose first `depth` bits equal those of `prefix`: a random id inside the
 * bucket whose range is that prefix (used for bucket refresh, paper §2.3).
 */
export const randomInPrefix = (
  prefix: NodeId.NodeId,
  depth: number,
  prng: Prng.Prng,
): readonly [NodeId.NodeId, Prng.Prng] => {
  const [bytes, next] = Prng.bytes(prng, NodeId.BYTES)
  const full = depth >>> 3
  for (let i = 0; i < full && i < NodeId.BYTES; i++) bytes[i] = prefix[i] as number
  const rest = depth & 7
  if (rest !== 0 && full < NodeId.BYTES) {
    const mask = (0xff << (8 - rest)) & 0xff
    bytes[full] = ((prefix[full] as number) & mask) | ((bytes[full] as number) & ~mask & 0xff)
  }
  return [bytes as NodeId.NodeId, next]
}

// queries

/** Order of two distances as unsigned integers: negative when `a < b`. */
export const compare = (a: Distance, b: Distance): number => {
  for (let i = 0; i < NodeId.BYTES; i++) {
    const d = (a[i] as number) - (b[i] as number)
    if (d !== 0) return d
  }
  return 0
}

/** Negative when `a` is closer to `target` than `b`, zero when a = b. Allocates nothing. */
export const compareTo = (target: NodeId.NodeId, a: NodeId.NodeId, b: NodeId.NodeId): number => {
  for (let i = 0; i < NodeId.BYTES; i++) {
    const t = target[i] as number
    const d = ((a[i] as number) ^ t) - ((b[i] as number) ^ t)
    if (d !== 0) return d
  }
  return 0
}

/** Number of leading bits `a` and `b` share (160 when equal). */
export const commonPrefixLength = (a: NodeId.NodeId, b: NodeId.NodeId): number => {
  for (let i = 0; i < NodeId.BYTES; i++) {
    const x = (a[i] as number) ^ (b[i] as number)
    if (x !== 0) return i * 8 + Math.clz32(x) - 24
  }
  return NodeId.BITS
}

export const isZero = (d: Distance): boolean => d.every((b) => b === 0)

/**
 * log2 of the distance, rounded down: the index of the highest set bit counted from the least
 * significant (159 for ids differing in the first bit), or -1 for distance zero.
 */
export const log2 = (a: NodeId.NodeId, b: NodeId.NodeId): number => NodeId.BITS - 1 - commonPrefixLength(a, b)
