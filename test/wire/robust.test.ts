/**
 * `decode` is total: arbitrary bytes, random CBOR of the wrong shape, and valid datagrams that
 * were truncated, extended or mutated all give a `Right` or a typed `Left`, never an exception.
 * Whatever it accepts is a valid message that encodes and decodes to itself.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Value, Wire, type DecodeError, type Message } from '@kademlia-ts/core'
import { arbMessage, arbNodeId } from '@kademlia-ts/core/testing'
import { writeCbor, type Item } from './helpers.js'

const TAGS: ReadonlyArray<DecodeError['_tag']> = ['Empty', 'Oversized', 'Malformed', 'UnknownVersion', 'UnknownType', 'InvalidField']

/** The result is a typed error, or a valid message that survives another round trip. */
const checkTotal = (bytes: Uint8Array): void => {
  const result = Wire.decode(bytes)
  if (result._tag === 'Left') {
    expect(TAGS).toContain(result.left._tag)
    expect(Wire.describeError(result.left)).toEqual(expect.any(String))
    return
  }
  const m: Message.Message = result.right
  if (m._tag === 'Store' || m._tag === 'ValueFound') expect(Value.isValue(m.value)).toBe(true)
  expect(Wire.decode(Wire.encode(m))).toEqual({ _tag: 'Right', right: m })
}

/** Random CBOR items: the right ingredients (20-byte strings, small type codes) in any shape. */
const arbItem: fc.Arbitrary<Item> = fc.letrec<{ item: Item }>((tie) => ({
  item: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer({ min: -2, max: 9 }),
    fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 70 }),
    fc.boolean(),
    fc.constant(null),
    arbNodeId,
    fc.uint8Array({ maxLength: 24 }),
    fc.array(tie('item'), { maxLength: 8 }),
    fc.array(fc.tuple(tie('item'), tie('item')), { maxLength: 3 }).map((map) => ({ map })),
  ),
})).item

/** A datagram array: a plausible version and type code, then anything. */
const arbDatagramItem: fc.Arbitrary<Item> = fc
  .tuple(fc.constantFrom<Item>(1, 1, 1, 0, 2), fc.integer({ min: -1, max: 9 }), fc.array(arbItem, { maxLength: 6 }))
  .map(([version, code, rest]) => [version, code, ...rest])

describe('Wire.decode is total', () => {
  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => checkTotal(bytes)), { numRuns: 1000 })
  })

  it('on arbitrary bytes behind a valid-looking array head', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0x80, max: 0x9f }), fc.uint8Array({ maxLength: 200 }), (head, rest) =>
        checkTotal(Uint8Array.from([head, 1, ...rest])),
      ),
      { numRuns: 500 },
    )
  })

  it('on random well-formed CBOR of the wrong shape', () => {
    fc.assert(fc.property(arbItem, (item) => checkTotal(writeCbor(item))), { numRuns: 500 })
    fc.assert(fc.property(arbDatagramItem, (item) => checkTotal(writeCbor(item))), { numRuns: 1000 })
  })

  it('on truncated valid datagrams: every proper prefix is Malformed (or Empty)', () => {
    fc.assert(
      fc.property(arbMessage, fc.nat(), (m, cut) => {
        const bytes = Wire.encode(m)
        const prefix = bytes.subarray(0, cut % bytes.length)
        const result = Wire.decode(prefix)
        expect(result._tag).toBe('Left')
        if (result._tag === 'Left') expect(result.left._tag).toBe(prefix.length === 0 ? 'Empty' : 'Malformed')
      }),
      { numRuns: 500 },
    )
  })

  it('on valid datagrams with bytes appended: Malformed (trailing bytes)', () => {
    fc.assert(
      fc.property(arbMessage, fc.uint8Array({ minLength: 1, maxLength: 10 }), (m, extra) => {
        const bytes = Uint8Array.from([...Wire.encode(m), ...extra])
        expect(Wire.decode(bytes)).toMatchObject({ _tag: 'Left', left: { _tag: 'Malformed' } })
      }),
      { numRuns: 300 },
    )
  })

  it('on valid datagrams with random bytes overwritten, inserted or deleted', () => {
    const arbEdit = fc.record({
      kind: fc.constantFrom('set', 'insert', 'delete', 'flip'),
      at: fc.nat(),
      byte: fc.integer({ min: 0, max: 255 }),
    })
    fc.assert(
      fc.property(arbMessage, fc.array(arbEdit, { minLength: 1, maxLength: 6 }), (m, edits) => {
        const bytes = [...Wire.encode(m)]
        for (const { kind, at, byte } of edits) {
          const i = at % (bytes.length + 1)
          if (kind === 'insert') bytes.splice(i, 0, byte)
          else if (i < bytes.length) {
            if (kind === 'delete') bytes.splice(i, 1)
            else if (kind === 'set') bytes[i] = byte
            else bytes[i] = (bytes[i] as number) ^ (1 << (byte & 7))
          }
        }
        checkTotal(Uint8Array.from(bytes))
      }),
      { numRuns: 1000 },
    )
  })

  it('on deeply nested and huge-length headers', () => {
    checkTotal(new Uint8Array(Wire.MAX_DATAGRAM_BYTES).fill(0x81))
    checkTotal(new Uint8Array(Wire.MAX_DATAGRAM_BYTES).fill(0x9f))
    checkTotal(new Uint8Array(Wire.MAX_DATAGRAM_BYTES).fill(0xd8))
    checkTotal(Uint8Array.from([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    checkTotal(Uint8Array.from([0x5b, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]))
    checkTotal(Uint8Array.from([0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))
    // tag 28 / 29 (shared references), which cbor-x would follow
    checkTotal(Uint8Array.from([0xd8, 0x1c, 0x81, 0xd8, 0x1d, 0x00]))
  })
})
