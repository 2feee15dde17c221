/**
 * `decode(encode(m))` is `m` for every message type, and the bytes on both sides are plain,
 * unshared `Uint8Array`s.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Wire, type Message } from '@kademlia-ts/core'
import { arbMessage, arbMessageOf } from '@kademlia-ts/core/testing'
import { byteFields, deepFreeze } from './helpers.js'

const tags = Object.keys(arbMessageOf) as Message.Tag[]

/** Elements of each datagram array: version, type, rpcId, sender and the fields (docs/wire.md). */
const ELEMENTS: Record<Message.Tag, number> = {
  Ping: 4, Pong: 4, Store: 7, Stored: 4, FindNode: 5, Nodes: 5, FindValue: 5, ValueFound: 6,
}

describe('Wire round trip', () => {
  it.each(tags)('decode(encode(m)) deep-equals m for every %s', (tag) => {
    fc.assert(
      fc.property(arbMessageOf[tag], (m) => {
        deepFreeze(m)
        const bytes = Wire.encode(m)
        expect(bytes.length).toBeLessThanOrEqual(Wire.MAX_DATAGRAM_BYTES)
        expect(Wire.decode(bytes)).toEqual({ _tag: 'Right', right: m })
      }),
      { numRuns: 300 },
    )
  })

  it('encodes to a plain Uint8Array whose length is encodedSize, and fits', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const bytes = Wire.encode(m)
        expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype)
        expect(Wire.encodedSize(m)).toBe(bytes.length)
        expect(Wire.fitsInDatagram(m)).toBe(true)
        expect(bytes[0]).toBe(0x80 + ELEMENTS[m._tag]) // an array head
        expect(bytes[1]).toBe(Wire.VERSION)
        expect(bytes[2]).toBe(Wire.TYPE_CODES[m._tag])
      }),
      { numRuns: 300 },
    )
  })

  it('decoded byte strings are plain Uint8Arrays that share no memory with the datagram', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const encoded = Wire.encode(m)
        // a Node Buffer, as a UDP socket delivers it, at an offset inside a larger allocation
        const datagram = Buffer.concat([Buffer.from([0xaa, 0xbb, 0xcc]), Buffer.from(encoded)]).subarray(3)
        const decoded = Wire.decode(datagram)
        if (decoded._tag === 'Left') throw new Error(`did not decode: ${JSON.stringify(decoded.left)}`)
        for (const field of byteFields(decoded.right)) {
          expect(Object.getPrototypeOf(field)).toBe(Uint8Array.prototype)
          expect(field.buffer).not.toBe(datagram.buffer)
        }
        datagram.fill(0)
        expect(decoded.right).toEqual(m)
      }),
      { numRuns: 200 },
    )
  })

  it('decode leaves its input untouched, even a non-extensible one', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const bytes = Uint8Array.from(Wire.encode(m))
        const copy = Uint8Array.from(bytes)
        Object.preventExtensions(bytes)
        expect(Wire.decode(bytes)).toEqual({ _tag: 'Right', right: m })
        expect(bytes).toEqual(copy)
        expect(Object.keys(bytes)).toHaveLength(bytes.length)
      }),
      { numRuns: 200 },
    )
  })

  it('an encoding stays intact while later messages are encoded', () => {
    fc.assert(
      fc.property(arbMessage, fc.array(arbMessage, { minLength: 1, maxLength: 40 }), (first, later) => {
        const bytes = Wire.encode(first)
        const copy = Uint8Array.from(bytes)
        for (const m of later) Wire.encode(m)
        expect(bytes).toEqual(copy)
      }),
      { numRuns: 100 },
    )
  })

  it('is deterministic: equal messages encode to equal bytes', () => {
    fc.assert(
      fc.property(arbMessage, (m) => {
        const again = structuredClone(m)
        expect(Wire.encode(again)).toEqual(Wire.encode(m))
      }),
      { numRuns: 200 },
    )
  })
})
