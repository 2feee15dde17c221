/**
 * `Wire.decode` reads the common messages itself (packages/core/src/wire/fast-decode.ts); for every
 * byte string its answer must be exactly that of the cbor-x + codecs path, `Wire.decodeGeneric`:
 * the same message, or the same error. Checked on encoded messages, on the same bytes with
 * random bytes changed, cut or appended, and on the shapes the direct reader hands back to the
 * full path (non-minimal heads, non-ASCII and out-of-range addresses, too many contacts).
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Wire } from '@kademlia-ts/core'
import { arbMessage } from '@kademlia-ts/core/testing'
import { fromHex } from './helpers.js'

const agree = (bytes: Uint8Array): void => {
  const copy = new Uint8Array(bytes)
  const fast = Wire.decode(bytes)
  expect(fast).toEqual(Wire.decodeGeneric(bytes))
  expect(bytes).toEqual(copy)
  if (fast._tag === 'Right') {
    const m = fast.right
    const shared = [m.rpcId, m.sender, ...(m._tag === 'Nodes' ? m.contacts.map((c) => c.id) : [])]
    for (const b of shared) {
      expect(Object.getPrototypeOf(b)).toBe(Uint8Array.prototype)
      expect(b.buffer).not.toBe(bytes.buffer)
    }
  }
}

const mutation = fc.record({
  at: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
  kind: fc.constantFrom('set', 'cut', 'append'),
})

describe('Wire.decode (direct reader) = Wire.decodeGeneric (cbor-x + codecs)', () => {
  it('on every encoded message', () => {
    fc.assert(fc.property(arbMessage, (m) => {
      const bytes = new Uint8Array(Wire.encode(m))
      agree(bytes)
      expect(Wire.decode(bytes)).toEqual({ _tag: 'Right', right: m })
    }), { numRuns: 1000 })
  })

  it('on encoded messages with bytes changed, cut or appended', () => {
    fc.assert(fc.property(arbMessage, fc.array(mutation, { minLength: 1, maxLength: 3 }), (m, changes) => {
      let bytes = new Uint8Array(Wire.encode(m))
      for (const c of changes) {
        const at = c.at % Math.max(1, bytes.length)
        if (c.kind === 'set') bytes[at] = c.byte
        else if (c.kind === 'cut') bytes = bytes.slice(0, at)
        else bytes = Uint8Array.from([...bytes, c.byte])
      }
      agree(bytes)
    }), { numRuns: 3000 })
  })

  it('on the shapes it leaves to the full path', () => {
    const rpc = '54' + '00'.repeat(20)
    const sender = '54' + '11'.repeat(20)
    const contact = (addressHex: string): string => '82' + '54' + '22'.repeat(20) + addressHex
    const ascii = (s: string): string => [...s].map((ch) => ch.charCodeAt(0).toString(16).padStart(2, '0')).join('')
    const text = (s: string): string => (s.length < 24 ? (0x60 + s.length).toString(16) : '78' + s.length.toString(16).padStart(2, '0')) + ascii(s)
    const cases = [
      `8401${'00'}${rpc}${sender}`, // PING
      `84180100${rpc}${sender}`, // non-minimal version
      `840118 00${rpc}${sender}`.replace(' ', ''), // non-minimal type
      `8401 00 5814${'00'.repeat(20)}${sender}`.replace(/ /g, ''), // non-minimal id head
      `8401 04 ${rpc}${sender}`.replace(/ /g, ''), // FIND_NODE missing its target
      `8501 00 ${rpc}${sender}${rpc}`.replace(/ /g, ''), // PING with a field too many
      `8501 05 ${rpc}${sender} 81 ${contact(text('127.0.0.1:1'))}`.replace(/ /g, ''),
      `8501 05 ${rpc}${sender} 81 ${contact('60')}`.replace(/ /g, ''), // empty address
      `8501 05 ${rpc}${sender} 81 ${contact(text('a'.repeat(64)))}`.replace(/ /g, ''),
      `8501 05 ${rpc}${sender} 81 ${contact(text('a'.repeat(65)))}`.replace(/ /g, ''), // too long
      `8501 05 ${rpc}${sender} 81 ${contact('62c3a9')}`.replace(/ /g, ''), // non-ASCII
      `8501 05 ${rpc}${sender} 81 ${contact('7800')}`.replace(/ /g, ''), // non-minimal length
      `8501 05 ${rpc}${sender} 9818 ${contact(text('x')).repeat(24)}`.replace(/ /g, ''),
      `8501 05 ${rpc}${sender} 9817 ${contact(text('x')).repeat(23)}`.replace(/ /g, ''), // non-minimal count
      `8501 05 ${rpc}${sender} 9841 ${contact(text('x')).repeat(65)}`.replace(/ /g, ''), // 65 contacts
      `8501 05 ${rpc}${sender} 81 83 ${'54' + '22'.repeat(20)} ${text('x')} 00`.replace(/ /g, ''), // contact of 3
      `8502 05 ${rpc}${sender} 80`.replace(/ /g, ''), // unknown version
      `8501 09 ${rpc}${sender} 80`.replace(/ /g, ''), // unknown type
    ]
    for (const hex of cases) agree(fromHex(hex))
    expect(Wire.decode(fromHex(cases[6] as string))._tag).toBe('Right')
  })
})
