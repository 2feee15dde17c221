/**
 * Each kind of bad datagram gives its own typed error, and the limits sit exactly where
 * docs/wire.md says.
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Address, NodeId, RpcId, Time, Wire, type Message } from '@kademlia-ts/core'
import { arbMessage, arbNodeId, arbPeerInfo, arbRpcId } from '@kademlia-ts/core/testing'
import { writeCbor, type Item } from './helpers.js'

const rpcId = RpcId.unsafeFromBytes(Uint8Array.from({ length: 20 }, (_, i) => i))
const sender = NodeId.fromKey('probe-node')
const key = NodeId.fromKey('my-key')
const DAY = Time.hours(24)

const store = (value: Message.Store['value'], ttl = DAY): Message.Store => ({ _tag: 'Store', rpcId, sender, key, value, ttl })
const nodes = (contacts: ReadonlyArray<Message.PeerInfo>): Message.Nodes => ({ _tag: 'Nodes', rpcId, sender, contacts })
const contact = (i: number, address = `127.0.0.1:${4000 + i}`): Message.PeerInfo => ({
  id: NodeId.fromKey(`peer-${i}`),
  address: Address.of(address),
})

const left = (bytes: Uint8Array): unknown => {
  const result = Wire.decode(bytes)
  if (result._tag === 'Right') throw new Error(`decoded unexpectedly: ${JSON.stringify(result.right)}`)
  return result.left
}

describe('Wire.decode errors', () => {
  it('Empty for zero bytes', () => {
    expect(left(new Uint8Array(0))).toEqual({ _tag: 'Empty' })
  })

  describe('the datagram size limit', () => {
    /** The longest byte-string value a STORE with a one-day TTL can carry. */
    const largestValue = (): number => {
      let n = Wire.MAX_DATAGRAM_BYTES
      while (!Wire.fitsInDatagram(store(new Uint8Array(n)))) n--
      return n
    }

    it('is 8 KiB, and a STORE with a one-day TTL carries up to 8118 bytes of value', () => {
      expect(Wire.MAX_DATAGRAM_BYTES).toBe(8192)
      // 8192 - 45 (header) - 21 (key) - 3 (byte string head) - 5 (ttl 86 400 000)
      expect(largestValue()).toBe(8118)
      expect(Wire.encodedSize(store(new Uint8Array(8118)))).toBe(8192)
    })

    it('admits a datagram of exactly the limit', () => {
      const m = store(new Uint8Array(8118).fill(7))
      const bytes = Wire.encode(m)
      expect(bytes.length).toBe(Wire.MAX_DATAGRAM_BYTES)
      expect(Wire.decode(bytes)).toEqual({ _tag: 'Right', right: m })
    })

    it('rejects one byte more as Oversized before parsing', () => {
      const m = store(new Uint8Array(8119))
      expect(Wire.fitsInDatagram(m)).toBe(false)
      expect(Wire.encodedSize(m)).toBe(8193)
      expect(left(Wire.encode(m))).toEqual({ _tag: 'Oversized', size: 8193, limit: 8192 })
    })

    it('rejects any longer byte string as Oversized, whatever it holds', () => {
      fc.assert(
        fc.property(fc.integer({ min: 8193, max: 70000 }), fc.integer({ min: 0, max: 255 }), (size, fill) => {
          expect(left(new Uint8Array(size).fill(fill))).toEqual({ _tag: 'Oversized', size, limit: 8192 })
        }),
        { numRuns: 50 },
      )
    })
  })

  it('the sizes docs/wire.md gives', () => {
    const id = NodeId.fromKey('peer')
    const many = (n: number, address: (i: number) => string): Message.Nodes =>
      nodes(Array.from({ length: n }, (_, i) => ({ id, address: Address.of(address(i)) })))
    expect(Wire.encodedSize({ _tag: 'Ping', rpcId, sender })).toBe(45)
    expect(Wire.encodedSize({ _tag: 'FindValue', rpcId, sender, key })).toBe(66)
    expect(Wire.encodedSize(nodes([]))).toBe(46)
    expect(Wire.encodedSize(many(20, (i) => `192.168.1.${i}:${4000 + i}`))).toBe(836)
    expect(Wire.encodedSize(many(64, () => 'a'.repeat(64)))).toBe(5679)
    // 46 + per contact 23 + the address (+1 from 24 bytes), +1 past 23 contacts
    expect(Wire.encodedSize(many(1, () => 'a'.repeat(23)))).toBe(46 + 23 + 23)
    expect(Wire.encodedSize(many(1, () => 'a'.repeat(24)))).toBe(46 + 23 + 24 + 1)
    expect(Wire.encodedSize(many(24, () => 'a:1'))).toBe(46 + 24 * 26 + 1)
  })

  it('UnknownVersion for any version but 1, whatever follows', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.nat(), fc.constant(2 ** 32), fc.bigInt({ min: 2n, max: 2n ** 64n - 1n })).filter((v) => v !== 1 && v !== 1n),
        fc.array(fc.oneof(fc.nat(), arbNodeId), { maxLength: 6 }),
        (version, rest) => {
          expect(left(writeCbor([version, ...rest]))).toEqual({ _tag: 'UnknownVersion', version: Number(version) })
        },
      ),
      { numRuns: 200 },
    )
  })

  it('UnknownType for any type code past 7', () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 2 ** 32 - 1 }), arbRpcId, arbNodeId, (code, r, s) => {
        expect(left(writeCbor([1, code, r, s]))).toEqual({ _tag: 'UnknownType', code })
      }),
      { numRuns: 200 },
    )
  })

  describe('InvalidField', () => {
    const at = (path: string): unknown => expect.objectContaining({ _tag: 'InvalidField', path })
    const short = NodeId.fromKey('x').subarray(0, 19)
    const long = Uint8Array.from([...NodeId.fromKey('x'), 0])

    it.each([
      ['rpcId', [1, 0, short, sender], '$.rpcId'],
      ['sender', [1, 1, rpcId, short], '$.sender'],
      ['store key', [1, 2, rpcId, sender, short, 'v', 1], '$.key'],
      ['find-node target', [1, 4, rpcId, sender, long], '$.target'],
      ['find-value key', [1, 6, rpcId, sender, short], '$.key'],
      ['contact id', [1, 5, rpcId, sender, [[key, 'a:1'], [short, 'b:2']]], '$.contacts[1].id'],
    ] satisfies ReadonlyArray<readonly [string, Item, string]>)('for a 19- or 21-byte %s', (_, item, path) => {
      expect(left(writeCbor(item))).toEqual(at(path))
    })

    it.each([
      ['an id as text', [1, 3, rpcId, 'a'.repeat(20)], '$.sender'],
      ['an id as an integer', [1, 3, 7, sender], '$.rpcId'],
      ['a ttl as bytes', [1, 7, rpcId, sender, 'v', new Uint8Array(4)], '$.ttl'],
      ['a ttl as text', [1, 2, rpcId, sender, key, 'v', '1'], '$.ttl'],
      ['a value as null', [1, 7, rpcId, sender, null, 1], '$.value'],
      ['a value as an array', [1, 2, rpcId, sender, key, [1, 2], 1], '$.value'],
      ['a value as a map', [1, 2, rpcId, sender, key, { map: [['a', 1]] }, 1], '$.value'],
      ['contacts as a map', [1, 5, rpcId, sender, { map: [] }], '$.contacts'],
      ['a contact as bytes', [1, 5, rpcId, sender, [key]], '$.contacts[0]'],
      ['an address as bytes', [1, 5, rpcId, sender, [[key, new Uint8Array(3)]]], '$.contacts[0].address'],
      ['a version as text', ['1', 0, rpcId, sender], '$.version'],
      ['a type as a float', [1, 0.5, rpcId, sender], '$.type'],
      ['a datagram that is not an array', 'ping', '$'],
      ['a datagram that is an empty array', [], '$'],
      ['a datagram of the version alone', [1], '$'],
      ['a PING with a field too many', [1, 0, rpcId, sender, 1], '$'],
      ['a STORE with a field too few', [1, 2, rpcId, sender, key, 'v'], '$'],
    ] satisfies ReadonlyArray<readonly [string, Item, string]>)('for %s', (_, item, path) => {
      expect(left(writeCbor(item))).toEqual(at(path))
    })

    it.each([NaN, Infinity, -Infinity])('for a value of %s', (n) => {
      expect(left(writeCbor([1, 2, rpcId, sender, key, n, 1]))).toEqual(at('$.value'))
      expect(left(writeCbor([1, 7, rpcId, sender, n, 1]))).toEqual(at('$.value'))
    })

    it.each([-1, 0.5, 2 ** 53, NaN, Infinity])('for a ttl of %s', (ttl) => {
      expect(left(writeCbor([1, 7, rpcId, sender, 'v', ttl]))).toEqual(at('$.ttl'))
    })

    it('for an integer value a number cannot hold exactly', () => {
      expect(left(writeCbor([1, 7, rpcId, sender, 2n ** 53n + 1n, 1]))).toEqual(at('$.value'))
      expect(left(writeCbor([1, 7, rpcId, sender, 1n - 2n ** 64n, 1]))).toEqual(at('$.value'))
    })

    it('but reads a 64-bit integer a number holds exactly', () => {
      expect(Wire.decode(writeCbor([1, 7, rpcId, sender, -(2n ** 64n), 1]))).toEqual({
        _tag: 'Right',
        right: { _tag: 'ValueFound', rpcId, sender, value: -(2 ** 64), ttl: 1 },
      })
    })

    it('for more than 64 contacts, and accepts 64', () => {
      const all = Array.from({ length: 65 }, (_, i) => contact(i))
      expect(Wire.MAX_CONTACTS).toBe(64)
      expect(Wire.decode(Wire.encode(nodes(all.slice(0, 64))))).toEqual({ _tag: 'Right', right: nodes(all.slice(0, 64)) })
      expect(left(Wire.encode(nodes(all)))).toEqual({
        _tag: 'InvalidField',
        path: '$.contacts',
        detail: 'expected at most 64 contacts, got 65',
      })
    })

    it('for an address longer than 64 UTF-16 code units or empty, and accepts 64', () => {
      expect(Address.MAX_LENGTH).toBe(64)
      for (const ok of ['a'.repeat(64), '😀'.repeat(32), 'x']) {
        expect(Wire.decode(Wire.encode(nodes([contact(1, ok)])))).toEqual({ _tag: 'Right', right: nodes([contact(1, ok)]) })
      }
      for (const bad of ['a'.repeat(65), '😀'.repeat(32) + 'a', '']) {
        expect(left(Wire.encode(nodes([contact(0, 'a:1'), contact(1, bad)])))).toEqual(at('$.contacts[1].address'))
      }
    })

    it('reports the first error and counts the others', () => {
      expect(left(writeCbor([1, 2, short, short, short, null, -1]))).toEqual({
        _tag: 'InvalidField',
        path: '$.rpcId',
        detail: 'expected a 20-byte byte string, got a 19-byte byte string (and 4 more)',
      })
    })
  })

  describe('Malformed', () => {
    const ping = (): Uint8Array => Wire.encode({ _tag: 'Ping', rpcId, sender })
    const malformed = expect.objectContaining({ _tag: 'Malformed' })

    it('for trailing bytes, even another whole datagram', () => {
      expect(left(Uint8Array.from([...ping(), 0]))).toEqual({
        _tag: 'Malformed',
        detail: 'trailing bytes: the item ends at offset 45 of 46',
      })
      expect(left(Uint8Array.from([...ping(), ...ping()]))).toEqual(malformed)
    })

    it('for tags, indefinite lengths, undefined-length breaks and unsupported simple values', () => {
      const body = [...ping()].slice(1)
      expect(left(Uint8Array.from([0xc1, ...ping()]))).toEqual(malformed) // tag 1 (a date) around the datagram
      expect(left(Uint8Array.from([0x9f, ...body, 0xff]))).toEqual(malformed) // indefinite array
      expect(left(Uint8Array.from([0xff]))).toEqual(malformed)
      expect(left(Uint8Array.from([0x84, 0x01, 0x00, 0xf8, 0x20, ...body.slice(2, 23)]))).toEqual(malformed)
      expect(left(Uint8Array.from([0x84, 0x01, 0x1c, ...body.slice(2)]))).toEqual(malformed) // reserved head
    })

    it('for text that is not valid UTF-8', () => {
      for (const text of [[0xc3], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]]) {
        const bytes = Uint8Array.from([0x86, 0x01, 0x07, ...writeCbor(rpcId), ...writeCbor(sender), 0x60 + text.length, ...text, 0x01])
        expect(left(bytes)).toEqual(malformed)
      }
    })
  })

  describe('what the encoder normalises', () => {
    it('sends -0 as the integer 0', () => {
      const bytes = Wire.encode(store(-0))
      expect(bytes).toEqual(Wire.encode(store(0)))
      const decoded = Wire.decode(bytes)
      expect(decoded._tag === 'Right' && decoded.right._tag === 'Store' && Object.is(decoded.right.value, 0)).toBe(true)
    })

    it('reads a float -0 from another encoder as 0', () => {
      const decoded = Wire.decode(writeCbor([1, 7, rpcId, sender, -0, 5]))
      expect(decoded._tag === 'Right' && decoded.right._tag === 'ValueFound' && Object.is(decoded.right.value, 0)).toBe(true)
    })

    it('replaces unpaired surrogates with U+FFFD in values and addresses', () => {
      expect(Wire.decode(Wire.encode(store('a\ud800b\udc00')))).toEqual({ _tag: 'Right', right: store('a\ufffdb\ufffd') })
      expect(Wire.decode(Wire.encode(store('\ud83d\ude00')))).toEqual({ _tag: 'Right', right: store('😀') })
      expect(Wire.decode(Wire.encode(nodes([contact(1, 'host\udfff')])))).toEqual({
        _tag: 'Right',
        right: nodes([contact(1, 'host\ufffd')]),
      })
    })
  })

  describe('what the decoder accepts from other encoders', () => {
    it('integers in any head size and numbers in any float width', () => {
      const header = [0x86, 0x01, 0x07, ...writeCbor(rpcId), ...writeCbor(sender)]
      const cases: ReadonlyArray<readonly [ReadonlyArray<number>, number]> = [
        [[0x1b, 0, 0, 0, 0, 0, 0, 0, 5], 5], // uint64 form
        [[0x1b, 0, 0, 1, 0, 0, 0, 0, 0], 2 ** 40],
        [[0x3b, 0, 0, 1, 0, 0, 0, 0, 0], -(2 ** 40) - 1],
        [[0x18, 0x05], 5], // non-shortest
        [[0xf9, 0x3e, 0x00], 1.5], // float16
        [[0xfa, 0x3f, 0xc0, 0x00, 0x00], 1.5], // float32
      ]
      for (const [value, expected] of cases) {
        expect(Wire.decode(Uint8Array.from([...header, ...value, 0xf9, 0x3c, 0x00]))).toEqual({
          _tag: 'Right',
          right: { _tag: 'ValueFound', rpcId, sender, value: expected, ttl: 1 },
        })
      }
    })
  })

  it('encoding an invalid message gives a datagram that does not decode', () => {
    fc.assert(
      fc.property(arbMessage, fc.array(arbPeerInfo, { minLength: 65, maxLength: 70 }), (m, many) => {
        const bad: ReadonlyArray<Message.Message> = [
          { ...m, sender: NodeId.unsafeFromBytes(m.sender.subarray(0, 19)) },
          { _tag: 'Nodes', rpcId: m.rpcId, sender: m.sender, contacts: many },
          { _tag: 'ValueFound', rpcId: m.rpcId, sender: m.sender, value: NaN, ttl: Time.millis(1) },
        ]
        for (const b of bad) expect(Wire.decode(Wire.encode(b))._tag).toBe('Left')
      }),
      { numRuns: 50 },
    )
  })
})
