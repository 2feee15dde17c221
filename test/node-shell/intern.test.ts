import { describe, expect, it } from 'vitest'
import { Address } from '@kademlia-ts/core'
import type { Message , NodeId, RpcId } from '@kademlia-ts/core'
import { Intern, NetAddress } from '@kademlia-ts/node-shell'

const bytes = (first: number, last: number): Uint8Array => {
  const b = new Uint8Array(20)
  b[0] = first
  b[19] = last
  return b
}

describe('Intern', () => {
  it('shares equal ids: the first one alive is returned for every later copy', () => {
    const a = bytes(200, 1)
    const copy = new Uint8Array(a)
    expect(Intern.id(a)).toBe(a)
    expect(Intern.id(copy)).toBe(a)
  })

  it('never swaps an id for one with other bytes, even when their keys collide', () => {
    const a = bytes(201, 1)
    const b = bytes(201, 2) // same first bytes, so the same key
    expect(Intern.id(a)).toBe(a)
    const got = Intern.id(b)
    expect(got).toBe(b)
    expect([...got]).toEqual([...b])
  })

  it('gives a datagram source its canonical, shared address', () => {
    expect(Intern.remote('127.0.0.1', 4001, false)).toBe('127.0.0.1:4001')
    expect(Intern.remote('::1', 4001, true)).toBe('[::1]:4001')
    expect(Intern.remote('127.0.0.1', 4001, false)).toBe(Intern.address(['127.0.0.1', '4001'].join(':')))
    expect(NetAddress.fromRemote({ address: '::1', port: 4001, family: 'IPv6' })).toBe('[::1]:4001')
  })

  it('shares equal addresses and parses each address for sending once', () => {
    const text = `127.0.0.1:${40000 + 7}`
    const other = ['127.0.0.1', String(40007)].join(':')
    expect(Intern.address(text)).toBe(Intern.address(other))
    let parses = 0
    const parse = (a: Address.Address): ReturnType<typeof NetAddress.toEndpoint> => {
      parses++
      return NetAddress.toEndpoint(a)
    }
    const e1 = Intern.endpoint(Address.of('127.0.0.1:40011'), parse)
    const e2 = Intern.endpoint(Address.of('127.0.0.1:40011'), parse)
    expect(e1).toEqual({ host: '127.0.0.1', port: 40011, family: 4 })
    expect(e2).toBe(e1)
    expect(parses).toBe(1)
    expect(NetAddress.toEndpoint(Address.of('127.0.0.1:0'))).toBeUndefined()
    expect(NetAddress.toEndpoint(Address.of('not an address'))).toBeUndefined()
    expect(NetAddress.toEndpoint(Address.of('not an address'))).toBeUndefined()
  })

  it('a NODES reply keeps its contacts, in order, with shared ids and addresses', () => {
    const sender = bytes(202, 9) as NodeId.NodeId
    const ids = [bytes(203, 1), bytes(204, 2)] as NodeId.NodeId[]
    const rpcId = new Uint8Array(20) as RpcId.RpcId
    const m: Message.Message = {
      _tag: 'Nodes',
      rpcId,
      sender: new Uint8Array(sender) as NodeId.NodeId,
      contacts: ids.map((id, i) => ({ id: new Uint8Array(id) as NodeId.NodeId, address: Address.of(`127.0.0.1:${5000 + i}`) })),
    }
    Intern.id(sender)
    ids.forEach((id) => Intern.id(id))
    const before = structuredClone(m)
    const out = Intern.message(m)
    expect(out).toEqual(before)
    if (out._tag !== 'Nodes') throw new Error('not Nodes')
    expect(out.sender).toBe(sender)
    expect(out.contacts.map((c) => c.id)).toEqual(ids)
    out.contacts.forEach((c, i) => expect(c.id).toBe(ids[i]))
    expect(out.contacts[1]?.address).toBe(Intern.address('127.0.0.1:5001'))
    const ping: Message.Message = { _tag: 'Ping', rpcId, sender }
    expect(Intern.message(ping)).toBe(ping)
  })

  it('stays bounded however many distinct ids and addresses arrive', () => {
    const keep: Uint8Array[] = []
    for (let i = 0; i < Intern.MAX_IDS + 10; i++) {
      const b = new Uint8Array(20)
      new DataView(b.buffer).setUint32(0, i * 1031)
      keep.push(Intern.id(b))
    }
    for (let i = 0; i < Intern.MAX_ADDRESSES + 10; i++) Intern.address(`10.0.0.1:${i}`)
    for (let i = 0; i < Intern.MAX_ADDRESSES + 10; i++) Intern.remote(`10.0.${i >> 8}.${i & 255}`, 1 + (i % 60000), false)
    const { ids, addresses, remotes } = Intern.sizes()
    expect(ids).toBeLessThanOrEqual(Intern.MAX_IDS + 1)
    expect(addresses).toBeLessThanOrEqual(Intern.MAX_ADDRESSES)
    expect(remotes).toBeLessThanOrEqual(Intern.MAX_ADDRESSES)
    expect(keep.length).toBe(Intern.MAX_IDS + 10)
  })
})
