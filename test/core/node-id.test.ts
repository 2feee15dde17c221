/** NodeId: construction, hex, SHA-1 keys as the Python library's `digest`, order and bits. */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { NodeId, Prng } from '@kademlia-ts/core'

const idArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(NodeId.unsafeFromBytes)
const big = (u: Uint8Array): bigint => u.reduce((n, x) => (n << 8n) | BigInt(x), 0n)
const sign = (n: number | bigint): number => (n > 0 ? 1 : n < 0 ? -1 : 0)

describe('NodeId', () => {
  it('fromBytes accepts exactly 20 bytes, and copies them', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
      const r = NodeId.fromBytes(bytes)
      expect(r._tag === 'Right').toBe(bytes.length === 20)
      if (r._tag === 'Right') {
        expect(r.right).toEqual(bytes)
        expect(r.right.buffer).not.toBe(bytes.buffer)
      }
    }))
  })

  it('hex round-trips, and fromHex rejects anything but 40 hexadecimal digits', () => {
    fc.assert(fc.property(idArb, (id) => {
      const hex = NodeId.toHex(id)
      expect(hex).toMatch(/^[0-9a-f]{40}$/)
      expect(NodeId.fromHex(hex)).toEqual({ _tag: 'Right', right: id })
      expect(NodeId.fromHex(hex.toUpperCase())).toEqual({ _tag: 'Right', right: id })
    }))
    for (const bad of ['', 'ab', '0'.repeat(39), '0'.repeat(41), 'g'.repeat(40), ` ${'0'.repeat(39)}`]) {
      expect(NodeId.fromHex(bad)._tag === 'Left').toBe(true)
    }
  })

  it("fromKey is SHA-1 like Python's digest: bytes as they are, other keys as the UTF-8 of str()", () => {
    const hex = (k: NodeId.KeyInput): string => NodeId.toHex(NodeId.fromKey(k))
    expect(hex('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(hex(new TextEncoder().encode('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d')
    expect(hex('')).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709')
    expect(hex(true)).toBe('88b33e4e12f75ac8bf792aebde41f1a090f3a612') // sha1("True")
    expect(hex(5)).toBe('ac3478d69a3c81fa62e60f5c3696165a4e5e6ac4') // sha1("5"): get(5) == get("5")
    expect(hex(5)).toBe(hex('5'))
    expect(hex('my-key')).toBe('61ba747fe2f5b3d513c40550084c6284fbbc1094')
  })

  it('compare is the numeric order, equals is byte equality, bit reads big-endian bits', () => {
    fc.assert(fc.property(idArb, idArb, fc.integer({ min: 0, max: 159 }), (a, b, i) => {
      expect(sign(NodeId.compare(a, b))).toBe(sign(big(a) - big(b)))
      expect(NodeId.equals(a, b)).toBe(big(a) === big(b))
      expect(NodeId.equals(a, NodeId.unsafeFromBytes(Uint8Array.from(a)))).toBe(true)
      expect(NodeId.bit(a, i)).toBe(Number((big(a) >> BigInt(159 - i)) & 1n))
    }))
  })

  it('isNodeId recognises 20-byte arrays only', () => {
    expect(NodeId.isNodeId(new Uint8Array(20))).toBe(true)
    expect(NodeId.isNodeId(new Uint8Array(19))).toBe(false)
    expect(NodeId.isNodeId('00'.repeat(20))).toBe(false)
    expect(NodeId.isNodeId(Array.from({ length: 20 }, () => 0))).toBe(false)
  })

  it('random draws 20 bytes deterministically from the PRNG', () => {
    fc.assert(fc.property(fc.integer(), (seed) => {
      const [a, g1] = NodeId.random(Prng.fromSeed(seed))
      const [b] = NodeId.random(Prng.fromSeed(seed))
      const [c] = NodeId.random(g1)
      expect(a).toHaveLength(20)
      expect(a).toEqual(b)
      expect(NodeId.equals(a, c)).toBe(false)
    }))
  })
})
