/**
 * IPv6 on ::1 (skipped where the machine has no ::1), and one node with a socket per family
 * bridging an IPv4-only and an IPv6-only group.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createSocket } from 'node:dgram'
import { Server } from '@kademlia-ts/node-shell'
import { stopAll, within } from './helpers.js'

const hasLoopback6 = await new Promise<boolean>((resolve) => {
  const s = createSocket({ type: 'udp6', ipv6Only: true })
  s.once('error', () => {
    s.close()
    resolve(false)
  })
  s.bind(0, '::1', () => {
    s.close()
    resolve(true)
  })
})

const servers: Server[] = []
afterEach(() => stopAll(servers))

const start = async (host: string | ReadonlyArray<string>, seed: number): Promise<Server> => {
  const s = new Server({ seed })
  servers.push(s)
  await within(5_000, 'listen', s.listen(0, host))
  return s
}

describe.runIf(hasLoopback6)('IPv6', () => {
  it('runs a small network on ::1', async () => {
    const a = await start('::1', 1)
    const b = await start('::1', 2)
    const c = await start('::1', 3)
    expect(a.addresses).toEqual([{ host: '::1', port: a.port, family: 6 }])
    await within(10_000, 'bootstrap b', b.bootstrap([`[::1]:${a.port}`]))
    // A non-canonical spelling still works: replies come from "[::1]:port", and the core compares
    // addresses as strings, so the shell canonicalises what the user typed.
    await within(10_000, 'bootstrap c', c.bootstrap([['0:0:0:0:0:0:0:1', a.port as number]]))
    expect(c.contacts().map((p) => p.address).sort()).toEqual([`[::1]:${a.port}`, `[::1]:${b.port}`].sort())
    expect(await within(10_000, 'set', b.set('six', 'over IPv6'))).toBe(2)
    expect(await within(10_000, 'get', c.get('six'))).toBe('over IPv6')
  })

  it('bridges IPv4-only and IPv6-only nodes through a node with one socket per family', async () => {
    const bridge = await start(['127.0.0.1', '::1'], 10)
    expect(bridge.addresses.map((e) => e.family)).toEqual([4, 6])
    const v4 = [await start('127.0.0.1', 11), await start('127.0.0.1', 12)]
    const v6 = [await start('::1', 13), await start('::1', 14)]
    const [b4, b6] = bridge.addresses
    for (const s of v4) await within(10_000, 'join v4', s.bootstrap([`${b4?.host}:${b4?.port}`]))
    for (const s of v6) await within(10_000, 'join v6', s.bootstrap([`[${b6?.host}]:${b6?.port}`]))
    expect(bridge.metrics().routingTableSize).toBe(4)
    await within(10_000, 'set from IPv6', (v6[0] as Server).set('across families', 46))
    expect(await within(10_000, 'get from IPv4', (v4[1] as Server).get('across families'))).toBe(46)
  })
})
