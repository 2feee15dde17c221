/**
 * Golden vectors pin the format byte for byte, in both directions. `vectors.json` was written by
 * `make-vectors.py`, an encoder independent of cbor-x, from RFC 8949 and docs/wire.md; ids as in the Python
 * reference's vectors (msg id 000102…13, sender sha1("probe-node"), key sha1("my-key")).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Address, NodeId, RpcId, Time, Wire, type Message, type Value } from '@kademlia-ts/core'
import { fromHex, toHex } from './helpers.js'

interface JsonValue { readonly bytes?: string; readonly text?: string; readonly number?: number; readonly boolean?: boolean }
interface JsonMessage {
  readonly _tag: Message.Tag
  readonly rpcId: string
  readonly sender: string
  readonly key?: string
  readonly target?: string
  readonly value?: JsonValue
  readonly ttl?: number
  readonly contacts?: ReadonlyArray<{ readonly id: string; readonly address: string }>
}
interface Vectors {
  readonly vectors: ReadonlyArray<{ readonly name: string; readonly message: JsonMessage; readonly hex: string }>
  readonly rejects: ReadonlyArray<{ readonly name: string; readonly hex: string; readonly error: Record<string, unknown> }>
}

const file = JSON.parse(readFileSync(new URL('./vectors.json', import.meta.url), 'utf8')) as Vectors

const id = (hex: string | undefined): NodeId.NodeId => {
  if (hex === undefined || hex.length !== 40) throw new Error(`bad id in vectors.json: ${hex}`)
  return NodeId.unsafeFromBytes(fromHex(hex))
}

const value = (v: JsonValue | undefined): Value.Value => {
  if (v?.bytes !== undefined) return fromHex(v.bytes)
  if (v?.text !== undefined) return v.text
  if (v?.number !== undefined) return v.number
  if (v?.boolean !== undefined) return v.boolean
  throw new Error('bad value in vectors.json')
}

const message = (j: JsonMessage): Message.Message => {
  const header = { rpcId: RpcId.unsafeFromBytes(fromHex(j.rpcId)), sender: id(j.sender) }
  switch (j._tag) {
    case 'Ping':
    case 'Pong':
    case 'Stored':
      return { _tag: j._tag, ...header }
    case 'Store':
      return { _tag: 'Store', ...header, key: id(j.key), value: value(j.value), ttl: Time.millis(j.ttl ?? NaN) }
    case 'FindNode':
      return { _tag: 'FindNode', ...header, target: id(j.target) }
    case 'FindValue':
      return { _tag: 'FindValue', ...header, key: id(j.key) }
    case 'Nodes':
      return { _tag: 'Nodes', ...header, contacts: (j.contacts ?? []).map((c) => ({ id: id(c.id), address: Address.of(c.address) })) }
    case 'ValueFound':
      return { _tag: 'ValueFound', ...header, value: value(j.value), ttl: Time.millis(j.ttl ?? NaN) }
  }
}

describe('golden vectors', () => {
  it('cover every message type', () => {
    expect(new Set(file.vectors.map((v) => v.message._tag))).toEqual(new Set(Object.keys(Wire.TYPE_CODES)))
  })

  it('start from the ids of the Python reference vectors', () => {
    const ping = file.vectors.find((v) => v.name === 'ping')
    expect(ping?.message.rpcId).toBe('000102030405060708090a0b0c0d0e0f10111213')
    expect(ping?.message.sender).toBe(NodeId.toHex(NodeId.fromKey('probe-node')))
    expect(file.vectors.find((v) => v.name === 'find-value')?.message.key).toBe(NodeId.toHex(NodeId.fromKey('my-key')))
  })

  describe.each(file.vectors)('$name', ({ message: json, hex }) => {
    it('encodes to the vector', () => {
      expect(toHex(Wire.encode(message(json)))).toBe(hex)
    })
    it('decodes from the vector', () => {
      expect(Wire.decode(fromHex(hex))).toEqual({ _tag: 'Right', right: message(json) })
    })
  })

  describe.each(file.rejects)('reject $name', ({ hex, error }) => {
    it('decodes to the expected error', () => {
      const result = Wire.decode(fromHex(hex))
      expect(result._tag).toBe('Left')
      if (result._tag === 'Left') expect(result.left).toMatchObject(error)
    })
  })
})
