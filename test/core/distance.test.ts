/**
 * The XOR metric (paper §2.1): d(x, x) = 0, d(x, y) > 0 for x ≠ y, symmetry, the triangle
 * inequality, unidirectionality; and the byte-wise helpers agree with 160-bit integer arithmetic.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Distance, NodeId, Prng } from '@kademlia-ts/core'

const idArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(NodeId.unsafeFromBytes)
/** Ids that share a long prefix with each other often, so close pairs are exercised too. */
const pairArb = fc.tuple(idArb, idArb, fc.integer({ min: 0, max: 160 })).map(([a, b, shared]) => {
  const c = Uint8Array.from(b)
  for (let i = 0; i < shared; i++) {
    const byte = i >>> 3, mask = 0x80 >>> (i & 7)
    c[byte] = ((c[byte] as number) & ~mask) | ((a[byte] as number) & mask)
  }
  return [a, NodeId.unsafeFromBytes(c)] as const
})

const big = (u: Uint8Array): bigint => u.reduce((n, x) => (n << 8n) | BigInt(x), 0n)
const sign = (n: number | bigint): number => (n > 0 ? 1 : n < 0 ? -1 : 0)

describe('Distance: XOR metric laws (paper §2.1)', () => {
  it('identity: d(x, x) = 0 and d(x, y) > 0 for x ≠ y', () => {
    fc.assert(fc.property(pairArb, ([x, y]) => {
      expect(Distance.isZero(Distance.between(x, x))).toBe(true)
      expect(Distance.isZero(Distance.between(x, y))).toBe(NodeId.equals(x, y))
    }))
  })

  it('symmetry: d(x, y) = d(y, x)', () => {
    fc.assert(fc.property(pairArb, ([x, y]) => {
      expect(Distance.compare(Distance.between(x, y), Distance.between(y, x))).toBe(0)
    }))
  })

  it('triangle inequality: d(x, z) ≤ d(x, y) + d(y, z)', () => {
    fc.assert(fc.property(pairArb, idArb, ([x, y], z) => {
      const dxz = big(Distance.between(x, z))
      expect(dxz <= big(Distance.between(x, y)) + big(Distance.between(y, z))).toBe(true)
      // XOR is even stronger: d(x, z) = d(x, y) ⊕ d(y, z).
      expect(dxz).toBe(big(Distance.between(x, y)) ^ big(Distance.between(y, z)))
    }))
  })

  it('unidirectionality: for each x and Δ exactly one y has d(x, y) = Δ', () => {
    fc.assert(fc.property(idArb, idArb, idArb, (x, delta, other) => {
      const d = Distance.between(x, delta) // any 160-bit value is a distance
      const y = Distance.atDistance(x, d)
      expect(Distance.compare(Distance.between(x, y), d)).toBe(0)
      if (!NodeId.equals(other, y)) expect(Distance.compare(Distance.between(x, other), d)).not.toBe(0)
    }))
  })

  it('compare and compareTo order distances as 160-bit unsigned integers', () => {
    fc.assert(fc.property(idArb, pairArb, (t, [a, b]) => {
      const da = big(Distance.between(t, a)), db = big(Distance.between(t, b))
      expect(sign(Distance.compareTo(t, a, b))).toBe(sign(da - db))
      expect(sign(Distance.compare(Distance.between(t, a), Distance.between(t, b)))).toBe(sign(da - db))
    }))
  })

  it('commonPrefixLength and log2 agree with the integer distance', () => {
    fc.assert(fc.property(pairArb, ([a, b]) => {
      const d = big(Distance.between(a, b))
      const bits = d === 0n ? 0 : d.toString(2).length
      expect(Distance.commonPrefixLength(a, b)).toBe(160 - bits)
      expect(Distance.log2(a, b)).toBe(bits - 1)
    }))
  })

  it('randomInPrefix keeps the first `depth` bits of the prefix and draws the rest', () => {
    fc.assert(fc.property(idArb, fc.integer({ min: 0, max: 160 }), fc.integer(), (prefix, depth, seed) => {
      const [id, next] = Distance.randomInPrefix(prefix, depth, Prng.fromSeed(seed))
      expect(id).toHaveLength(20)
      expect(Distance.commonPrefixLength(prefix, id)).toBeGreaterThanOrEqual(depth)
      expect(next).not.toEqual(Prng.fromSeed(seed))
    }))
    // The free bits really vary: 64 draws below a 150-bit prefix give more than one id.
    let g = Prng.fromSeed(7)
    const seen = new Set<string>()
    for (let i = 0; i < 64; i++) {
      const [id, next] = Distance.randomInPrefix(NodeId.unsafeFromBytes(new Uint8Array(20)), 150, g)
      g = next
      seen.add(NodeId.toHex(id))
    }
    expect(seen.size).toBeGreaterThan(32)
  })
})
