/**
 * `Wire.encode` writes most messages itself (packages/core/src/wire/fast-encode.ts); its bytes must
 * be exactly those of the cbor-x path, `Wire.encodeGeneric`, for every message, including the
 * edges of CBOR's head sizes (23/24 contacts, strings of 23/24 and 255/256 bytes of UTF-8,
 * non-ASCII and unpaired surrogates in text, ttl at 2^32 - 1 and above, number values).
 */
import * as fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Address, Wire } from '@kademlia-ts/core'
import type { Message, NodeId, RpcId, Time } from '@kademlia-ts/core'
import { arbMessage, arbNodeId, arbRpcId } from '@kademlia-ts/core/testing'
import { toHex } from './helpers.js'

const same = (m: Message.Message): void => {
  const fast = Wire.encode(m)
  const generic = Wire.encodeGeneric(m)
  expect(toHex(fast)).toBe(toHex(generic))
  expect(Object.getPrototypeOf(fast)).toBe(Uint8Array.prototype)
}

const ids = fc.sample(arbNodeId, { numRuns: 70, seed: 7 }) as NodeId.NodeId[]
const rpcId = fc.sample(arbRpcId, { numRuns: 1, seed: 8 })[0] as RpcId.RpcId
const sender = ids[0] as NodeId.NodeId

describe('Wire.encode (direct writer) = Wire.encodeGeneric (cbor-x)', () => {
  it('for arbitrary messages of every type', () => {
    fc.assert(fc.property(arbMessage, (m) => same(m)), { numRuns: 2000 })
  })

  it('for NODES replies of 0 to 64 contacts with addresses of every length and script', () => {
    const texts = ['1', '127.0.0.1:1', 'x'.repeat(23), 'y'.repeat(24), 'é'.repeat(12), 'é'.repeat(11) + 'a', '€'.repeat(8), '😀'.repeat(16), 'a\uD800b', '\uDC00', 'z'.repeat(64)]
    for (let n = 0; n <= 64; n++) {
      const contacts = ids.slice(0, n).map((id, i) => ({ id, address: Address.of(texts[i % texts.length] as string) }))
      same({ _tag: 'Nodes', rpcId, sender, contacts })
    }
  })

  it('for values and ttls at the edges of the head sizes, and values written by cbor-x', () => {
    const values = [
      new Uint8Array(0), new Uint8Array(23), new Uint8Array(24), new Uint8Array(255), new Uint8Array(256), new Uint8Array(8000), new Uint8Array(70000),
      '', 'a'.repeat(23), 'a'.repeat(24), 'é'.repeat(128), '€'.repeat(100), 'x\uDFFFy', true, false,
      0, -0, 1, -1, 23, 24, 2 ** 32 - 1, 2 ** 32, -(2 ** 32), 1.5, Number.MAX_SAFE_INTEGER, -1e300,
    ]
    const ttls = [0, 23, 24, 255, 256, 65535, 65536, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1] as Time.Duration[]
    for (const value of values) {
      for (const ttl of ttls) {
        same({ _tag: 'Store', rpcId, sender, key: ids[1] as NodeId.NodeId, value, ttl })
        same({ _tag: 'ValueFound', rpcId, sender, value, ttl })
      }
    }
  })

  it('never overwrites an earlier result', () => {
    const first = fc.sample(arbMessage, { numRuns: 300, seed: 3 })
    const encoded = first.map((m) => Wire.encode(m))
    const copies = encoded.map((b) => toHex(b))
    for (let i = 0; i < 200; i++) Wire.encode({ _tag: 'Nodes', rpcId, sender, contacts: ids.slice(0, 20).map((id) => ({ id, address: Address.of('127.0.0.1:65535') })) })
    expect(encoded.map((b) => toHex(b))).toEqual(copies)
  })
})
