/**
 * A network of 24 real UDP nodes on 127.0.0.1 (k = 6, so lookups take several hops): values set at
 * one node are found from every other, every value type round-trips with its type, the size
 * limit is enforced, and gets still succeed after a third of the nodes stopped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeId, RpcId, Time, Wire } from '@kademlia-ts/core'
import type { Message } from '@kademlia-ts/core'
import { LookupFailedError, Server, ValueTooLargeError } from '@kademlia-ts/node-shell'
import { eventually, startNetwork, startServer, stopAll, within } from './helpers.js'

const N = 24
const K = 6
const servers: Server[] = []
const nodeId = (i: number): Uint8Array => NodeId.fromKey(`network-test-node-${i}`)

beforeAll(async () => {
  // Fixed ids and seeds: which nodes hold which key is the same on every run.
  for (let i = 0; i < N; i++) {
    const s = await startServer({ ksize: K, alpha: 3, nodeId: nodeId(i), seed: i + 1 })
    servers.push(s)
    if (i > 0) await within(10_000, `bootstrap ${i}`, s.bootstrap([`127.0.0.1:${servers[0]?.port}`, `127.0.0.1:${servers[i - 1]?.port}`]))
  }
}, 60_000)
afterAll(() => stopAll(servers))

const at = (i: number): Server => servers[i] as Server

/** The largest byte string a STORE can carry, found with the core's own size check. */
const largestStorableBytes = (): number => {
  const store = (n: number): Message.Message => ({
    _tag: 'Store',
    rpcId: RpcId.unsafeFromBytes(new Uint8Array(20)),
    sender: NodeId.fromKey('x'),
    key: NodeId.fromKey('y'),
    value: new Uint8Array(n),
    ttl: Time.hours(24),
  })
  let lo = 0
  let hi = Wire.MAX_DATAGRAM_BYTES
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2)
    if (Wire.fitsInDatagram(store(mid))) lo = mid
    else hi = mid - 1
  }
  return lo
}

describe(`a network of ${N} nodes (k = ${K})`, () => {
  it('fills every routing table', () => {
    for (const s of servers) expect(s.metrics().routingTableSize).toBeGreaterThanOrEqual(K)
    expect(new Set(servers.map((s) => s.port)).size).toBe(N)
  })

  it('finds a value set at one node from every other node', async () => {
    const keys = Array.from({ length: 6 }, (_, i) => `key-${i}`)
    for (const [i, key] of keys.entries()) {
      const replicas = await within(10_000, `set ${key}`, at((i * 5) % N).set(key, `value of ${key}`))
      expect(replicas).toBeGreaterThanOrEqual(1)
      expect(replicas).toBeLessThanOrEqual(K)
    }
    for (const [i, key] of keys.entries())
      for (let j = 0; j < N; j++)
        if (j !== (i * 5) % N) expect(await within(10_000, `get ${key} at ${j}`, at(j).get(key))).toBe(`value of ${key}`)
  })

  it('returns every value type with its type, and undefined for a key nobody set', async () => {
    const values: ReadonlyArray<readonly [string, Uint8Array | string | number | boolean]> = [
      ['bytes', Uint8Array.from([0, 1, 2, 254, 255])],
      ['empty bytes', new Uint8Array(0)],
      ['string', 'hello'],
      ['empty string', ''],
      ['unicode', 'kadémlia ✓ 𝄞'],
      ['zero', 0],
      ['negative int', -123456789],
      ['max safe int', Number.MAX_SAFE_INTEGER],
      ['float', 3.141592653589793],
      ['tiny float', 5e-324],
      ['true', true],
      ['false', false],
    ]
    for (const [i, [name, value]] of values.entries()) await within(10_000, `set ${name}`, at(i % N).set(`typed ${name}`, value))
    for (const [i, [name, value]] of values.entries()) {
      const got = await within(10_000, `get ${name}`, at((i + 7) % N).get(`typed ${name}`))
      if (value instanceof Uint8Array) {
        expect(got).toBeInstanceOf(Uint8Array)
        expect([...(got as Uint8Array)]).toEqual([...value])
      } else {
        expect(got).toBe(value)
      }
    }
    // Python's digest: get(5) and get("5") are the same key.
    await within(10_000, 'set 5', at(3).set(5, 'five'))
    expect(await within(10_000, 'get "5"', at(9).get('5'))).toBe('five')
    // setDigest / getDigest use the 20 bytes as they are.
    const digest = NodeId.fromKey('by digest')
    await within(10_000, 'setDigest', at(2).setDigest(digest, 'digested'))
    expect(await within(10_000, 'get', at(11).get('by digest'))).toBe('digested')
    expect(await within(10_000, 'getDigest', at(12).getDigest(digest))).toBe('digested')
    expect(await within(10_000, 'get missing', at(4).get('nobody set this key'))).toBeUndefined()
  })

  it('stores the largest value that fits a datagram and refuses one byte more', async () => {
    const max = largestStorableBytes()
    expect(max).toBeGreaterThan(8000)
    const big = Uint8Array.from({ length: max }, (_, i) => i % 251)
    expect(await within(10_000, 'set max', at(5).set('largest', big))).toBeGreaterThanOrEqual(1)
    const got = await within(10_000, 'get max', at(17).get('largest'))
    expect(got).toBeInstanceOf(Uint8Array)
    expect((got as Uint8Array).length).toBe(max)
    expect(Buffer.from(got as Uint8Array).equals(Buffer.from(big))).toBe(true)
    await expect(at(5).set('too large', new Uint8Array(max + 1))).rejects.toBeInstanceOf(ValueTooLargeError)
    await expect(at(5).set('too large', 'x'.repeat(max + 1))).rejects.toMatchObject({ argument: 'value' })
  })

  it('runs many operations at once from one node, each settled by its own outcome', async () => {
    const node = at(6)
    // 12 at once: all 24 nodes share this process's one thread, so a larger burst delays replies
    // past the core's adaptive RPC timeout (its policy, measured in the report), not the shell's.
    const keys = Array.from({ length: 12 }, (_, i) => `concurrent-${i}`)
    const counts = await within(30_000, 'parallel sets', Promise.all(keys.map((k, i) => node.set(k, i))))
    expect(counts.every((n) => n >= 1)).toBe(true)
    const values = await within(30_000, 'parallel gets', Promise.all(keys.map((k) => at(19).get(k))))
    expect(values).toEqual(keys.map((_, i) => i))
    expect(node.pendingOperations).toBe(0)
    expect(at(19).pendingOperations).toBe(0)
  })

  it('finds nodes by id and answers pings', async () => {
    const target = at(13).nodeId
    const found = await within(10_000, 'findNode', at(1).findNode(target))
    expect(found.length).toBeGreaterThan(0)
    expect(NodeId.toHex(found[0]?.id ?? new Uint8Array(0))).toBe(NodeId.toHex(target))
    expect(found[0]?.port).toBe(at(13).port)
    const pong = await within(10_000, 'ping', at(1).ping(['127.0.0.1', at(20).port as number]))
    expect(NodeId.toHex(pong.id)).toBe(NodeId.toHex(at(20).nodeId))
    expect(pong.rttMs).toBeGreaterThanOrEqual(0)
  })

  it('still gets every value after a third of the nodes stopped', async () => {
    const keys = Array.from({ length: 8 }, (_, i) => `survivor-${i}`)
    for (const [i, key] of keys.entries()) await within(10_000, `set ${key}`, at(i).set(key, i))
    const stopped = servers.filter((_, i) => i % 3 === 2)
    // The stopped third held replicas of these keys: the gets below must route around them.
    const survivorKeys = new Set(keys.map((k) => NodeId.toHex(NodeId.fromKey(k))))
    const heldByStopped = stopped.flatMap((s) => s.records()).filter((r) => survivorKeys.has(NodeId.toHex(r.key))).length
    expect(heldByStopped).toBeGreaterThan(0)
    await Promise.all(stopped.map((s) => within(5_000, 'stop', s.stop())))
    const alive = servers.filter((_, i) => i % 3 !== 2)
    expect(alive.length).toBe(N - stopped.length)
    for (const [i, key] of keys.entries())
      for (const [j, s] of alive.entries())
        if (j % 4 === i % 4) expect(await within(20_000, `get ${key}`, s.get(key))).toBe(i)
    // Requests to the stopped nodes went unanswered and timed out in the core.
    await eventually(15_000, 'timeouts', () => alive.reduce((n, s) => n + s.metrics().core.rpcsTimedOut, 0) > 0)
  })
})

describe('a lone node', () => {
  it('has nobody to ask', async () => {
    const lone = await startServer()
    try {
      await expect(lone.get('k')).rejects.toBeInstanceOf(LookupFailedError)
      await expect(lone.set('k', 'v')).rejects.toBeInstanceOf(LookupFailedError)
      await expect(lone.bootstrap([`127.0.0.1:${lone.port}`])).rejects.toBeInstanceOf(LookupFailedError)
    } finally {
      await lone.stop()
    }
  })
})

describe('table refresh', () => {
  const small: Server[] = []
  afterAll(() => stopAll(small))

  it('runs on the one timer, and on demand reports one refresh lookup per stale bucket', async () => {
    const config = { refreshInterval: 150 }
    await startNetwork(4, { ksize: 4 }, small)
    const node = new Server({ ksize: 4, config, seed: 99 })
    small.push(node)
    const refreshes: number[] = []
    node.on('lookupFinished', (n) => {
      if (n.kind === 'Refresh') refreshes.push(n.rpcs)
    })
    await within(5_000, 'listen', node.listen(0, '127.0.0.1'))
    await within(10_000, 'bootstrap', node.bootstrap([`127.0.0.1:${small[0]?.port}`]))
    // The core's refresh deadline fires on the shell's one timer: refresh lookups happen unasked.
    await eventually(10_000, 'an automatic refresh', () => refreshes.length > 0)
    const before = refreshes.length
    const buckets = await within(10_000, 'refreshTable', node.refreshTable())
    expect(Number.isInteger(buckets) && buckets >= 0).toBe(true)
    expect(refreshes.length - before).toBeGreaterThanOrEqual(buckets)
  })
})
