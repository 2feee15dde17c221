/**
 * Timelines with explicit time (no clock, no timers): what a node does as hours pass.
 * Replication at 1 h and its skip rule (§2.5), republish at 24 h by the original publisher
 * (§2.3), expiry, cache lifetime shrinking with distance (§2.3 fn. 2), hand-off to a joiner
 * (§2.5), ping-before-evict and 5-strike stale-contact replacement (§2.2, §4.1).
 */
import { describe, expect, it } from 'vitest'
import { Address, Bucket, Config, Node, NodeId, RoutingTable, RpcId, Time } from '@kademlia-ts/core'
import type { Effect, Event, Message, NodeState, Notification, OpId } from '@kademlia-ts/core'
import * as H from './node-harness.js'

const HOUR = 3_600_000
const id = (first: number, last: number): NodeId.NodeId => {
  const b = new Uint8Array(20)
  b[0] = first
  b[19] = last
  return NodeId.unsafeFromBytes(b)
}
const rpc = (n: number): RpcId.RpcId => RpcId.unsafeFromBytes(new Uint8Array(20).fill(n))
const at = Time.instant

interface One {
  s: NodeState
  effects: Effect[]
}
const one = (self: NodeId.NodeId, config: Partial<Config.Config> = {}): One => ({
  s: Node.init({ ...Config.defaults, ...config }, { id: self, seed: 3, at: at(0) }),
  effects: [],
})
const feed = (n: One, e: Event): ReadonlyArray<Effect> => {
  const r = Node.step(H.deepFreeze(n.s), H.deepFreeze(e))
  n.s = r.state
  n.effects.push(...r.effects)
  return r.effects
}
const msg = (n: One, from: string, message: Message.Message, ms: number) =>
  feed(n, { _tag: 'MessageReceived', at: at(ms), from: Address.of(from), message })
/** Ticks at every deadline up to `until`, the way a driver's one timer would. */
const tickUntil = (n: One, until: number, answer?: (e: Effect, ms: number) => void): void => {
  for (let i = 0; i < 10_000; i++) {
    const d = Node.nextDeadline(n.s)
    if (d === undefined || d > until) break
    const fx = feed(n, { _tag: 'Ticked', at: d })
    if (answer) for (const e of fx) answer(e, d)
  }
  n.s = Node.step(n.s, { _tag: 'Ticked', at: at(until) }).state
}
const storesIn = (fx: ReadonlyArray<Effect>) =>
  fx.flatMap((e) => (e._tag === 'Send' && e.message._tag === 'Store' ? [{ to: e.to, message: e.message }] : []))
const notified = (fx: ReadonlyArray<Effect>): Notification[] => fx.flatMap((e) => (e._tag === 'Notify' ? [e.notification] : []))

describe('replication (§2.5)', () => {
  // we are the closest to the key (distance 1); our contacts are at distances 10..12
  const SELF = id(0x80, 0)
  const KEY = id(0x80, 1)
  const setup = () => {
    const n = one(SELF, { bucketSize: 3 })
    // exactly k contacts, so no probe or promotion (and its hand-off) happens on the way
    for (let i = 1; i <= 3; i++) msg(n, `p${i}`, { _tag: 'Ping', rpcId: rpc(i), sender: id(0x80, 10 + i) }, 0)
    msg(n, 'p1', { _tag: 'Store', rpcId: rpc(20), sender: id(0x80, 11), key: KEY, value: 'v', ttl: Time.hours(24) }, 0)
    n.effects = []
    return n
  }

  it('a replica is pushed to the k closest contacts after 1 h, with its remaining lifetime', () => {
    const n = setup()
    tickUntil(n, HOUR - 1)
    expect(storesIn(n.effects)).toEqual([])
    tickUntil(n, HOUR)
    const stores = storesIn(n.effects)
    expect(stores.map((s) => s.to).sort()).toEqual(Node.closest(n.s, KEY, 3).map((c) => c.address).sort())
    for (const s of stores) expect(s.message).toMatchObject({ key: KEY, value: 'v', ttl: 23 * HOUR })
  })

  it('a replica received again within the hour skips that hour', () => {
    const n = setup()
    msg(n, 'p2', { _tag: 'Store', rpcId: rpc(21), sender: id(0x80, 12), key: KEY, value: 'v', ttl: Time.hours(24) }, HOUR / 2)
    n.effects = []
    tickUntil(n, HOUR + HOUR / 2 - 1)
    expect(storesIn(n.effects)).toEqual([])
    tickUntil(n, HOUR + HOUR / 2)
    expect(storesIn(n.effects).length).toBe(3)
  })
})

describe('expiry', () => {
  it('a record expires when its lifetime ends: RecordExpired, then FIND_VALUE answers with contacts', () => {
    const n = one(id(0x80, 0))
    const key = id(0x80, 9)
    msg(n, 'p', { _tag: 'Store', rpcId: rpc(1), sender: id(0x81, 1), key, value: 7, ttl: Time.minutes(10) }, 1000)
    tickUntil(n, 1000 + 10 * 60_000 - 1)
    expect(Node.records(n.s).length).toBe(1)
    n.effects = []
    tickUntil(n, 1000 + 10 * 60_000)
    expect(notified(n.effects)).toContainEqual({ _tag: 'RecordExpired', key })
    expect(Node.records(n.s)).toEqual([])
    const fx = msg(n, 'p', { _tag: 'FindValue', rpcId: rpc(2), sender: id(0x81, 1), key }, 1000 + 10 * 60_000 + 1)
    expect(fx.find((e) => e._tag === 'Send')).toMatchObject({ message: { _tag: 'Nodes' } })
  })
})

describe('caching found values (§2.3, fn. 2)', () => {
  /** A get at SELF where `near` and `far` answer without the value and `holder` returns it. */
  const cachedTtl = (nonHolder: NodeId.NodeId): number | undefined => {
    const SELF = id(0x00, 0)
    const KEY = id(0xf0, 0)
    const n = one(SELF, { bucketSize: 4, parallelism: 2 })
    // our neighbourhood: our 4 closest contacts lie within 2^151 of us, the width of "k nodes"
    for (let i = 1; i <= 4; i++) {
      const b = new Uint8Array(20)
      b[1] = i << 4
      msg(n, `n${i}`, { _tag: 'Ping', rpcId: rpc(i), sender: NodeId.unsafeFromBytes(b) }, 0)
    }
    const holder = id(0xf0, 1)
    msg(n, 'holder', { _tag: 'Ping', rpcId: rpc(10), sender: holder }, 0)
    msg(n, 'other', { _tag: 'Ping', rpcId: rpc(11), sender: nonHolder }, 0)
    const fx = feed(n, { _tag: 'GetRequested', at: at(1), opId: 1 as OpId, key: KEY })
    const queries = fx.flatMap((e) => (e._tag === 'Send' ? [e] : []))
    expect(queries.map((q) => q.to).sort()).toEqual(['holder', 'other'])
    const q = (to: string) => queries.find((e) => e.to === to)?.message.rpcId as RpcId.RpcId
    msg(n, 'other', { _tag: 'Nodes', rpcId: q('other'), sender: nonHolder, contacts: [] }, 5)
    const done = msg(n, 'holder', { _tag: 'ValueFound', rpcId: q('holder'), sender: holder, value: 'x', ttl: Time.hours(20) }, 6)
    expect(done.find((e) => e._tag === 'Complete')).toMatchObject({ outcome: { _tag: 'Found', value: 'x', hops: 1 } })
    const cache = storesIn(done)
    if (cache.length === 0) return undefined
    expect(cache.map((c) => c.to)).toEqual(['other'])
    return cache[0]?.message.ttl
  }

  it('a copy cached next to the key keeps the remaining lifetime; a farther one gets exponentially less', () => {
    const near = cachedTtl(id(0xf0, 2)) // shares 159 bits with the key
    const mid = cachedTtl(id(0xf1, 0)) // 7 leading bits shared: 2^152 from the key, 2 doublings past 2^150
    const far = cachedTtl(id(0xc0, 0)) // 2 leading bits shared: 2^157, 7 doublings past
    expect(near).toBe(20 * HOUR)
    expect(mid).toBe(5 * HOUR)
    expect(far).toBe(Math.floor((20 * HOUR) / 128))
    expect(mid).toBeDefined()
    expect(far).toBeDefined()
    expect(mid as number).toBeLessThan(near as number)
    expect(far as number).toBeLessThan(mid as number)
    expect((mid as number) / (far as number)).toBeGreaterThanOrEqual(16)
  })

  it('the cached copy expires at its holder with that shorter lifetime', () => {
    const holder = one(id(0xc0, 0))
    msg(holder, 'g', { _tag: 'Store', rpcId: rpc(1), sender: id(0x00, 0), key: id(0xf0, 0), value: 'x', ttl: Time.minutes(5) }, 0)
    expect(Node.records(holder.s).length).toBe(1)
    tickUntil(holder, 5 * 60_000)
    expect(Node.records(holder.s)).toEqual([])
  })
})

describe('republish (§2.3) and hand-off (§2.5) in a network', () => {
  it('the publisher republishes at 24 h and the copies live on; without it they expire', () => {
    const h = H.create({ size: 25, seed: 11, config: { bucketSize: 5 } })
    H.join(h)
    const key = NodeId.fromKey('republished')
    const gone = NodeId.fromKey('orphan')
    expect(H.await_(h, H.command(h, 2, { _tag: 'PutRequested', key, value: 'kept' }))?._tag).toBe('Stored')
    expect(H.await_(h, H.command(h, 3, { _tag: 'PutRequested', key: gone, value: 'lost' }))?._tag).toBe('Stored')
    const published = h.now
    H.kill(h, 3) // the second publisher leaves: nobody republishes `orphan`
    const holders = (k: NodeId.NodeId) =>
      h.nodes.filter((n, i) => !h.dead.has(i) && Node.records(n).some((r) => NodeId.equals(r.key, k) && r.expiresAt > h.now)).length
    expect(holders(key)).toBeGreaterThanOrEqual(5)
    const republishes = () =>
      h.log.filter((l) => l.node === 2 && l.effect._tag === 'Send' && l.effect.message._tag === 'Store' && NodeId.equals(l.effect.message.key, key)).length
    const before = republishes()
    H.run(h, { until: published + 24 * HOUR - 1000 })
    expect(republishes()).toBe(before)
    H.run(h, { until: published + 24 * HOUR + 60_000 })
    expect(republishes()).toBeGreaterThan(before)
    H.run(h, { until: published + 30 * HOUR })
    expect(holders(key)).toBeGreaterThanOrEqual(5)
    expect(holders(gone)).toBe(0)
    const get = H.await_(h, H.command(h, 20, { _tag: 'GetRequested', key }))
    expect(get).toMatchObject({ _tag: 'Found', value: 'kept' })
  }, 60_000)

  it('a node that joins next to a key is handed the record by the closest holder, at once', () => {
    const size = 30
    const key = NodeId.fromKey('handed-off')
    const idList = H.ids(size, 5)
    // the last node's id is the key with its last bit flipped: it will be the closest to the key
    const joiner = Uint8Array.from(key)
    joiner[19] = (joiner[19] as number) ^ 1
    idList[size - 1] = NodeId.unsafeFromBytes(joiner)
    const h = H.create({ size, seed: 5, ids: idList, config: { bucketSize: 5 } })
    H.join(h, size - 1)
    expect(H.await_(h, H.command(h, 0, { _tag: 'PutRequested', key, value: 'here' }))?._tag).toBe('Stored')
    const holds = (i: number) => Node.records(h.nodes[i] as NodeState).some((r) => NodeId.equals(r.key, key))
    expect(holds(size - 1)).toBe(false)
    const op = H.command(h, size - 1, { _tag: 'BootstrapRequested', contacts: [H.address(0)] })
    expect(H.await_(h, op)?._tag).toBe('Bootstrapped')
    H.run(h, { until: h.now + 5_000 })
    expect(holds(size - 1)).toBe(true)
    const handOffs = h.log.filter(
      (l) => l.effect._tag === 'Send' && l.effect.to === H.address(size - 1) && l.effect.message._tag === 'Store',
    )
    // only the closest holder(s) hand the key over, not all k
    expect(handOffs.length).toBeGreaterThanOrEqual(1)
    expect(handOffs.length).toBeLessThan(5)
  })
})

describe('table upkeep: ping-before-evict and stale contacts (§2.2, §4.1)', () => {
  // self in the upper half; A, B, C in the lower half, farther from us in that order
  const SELF = id(0x80, 0)
  const [A, B, C] = [id(0x00, 1), id(0x00, 2), id(0x00, 3)]
  const full = () => {
    const n = one(SELF, { bucketSize: 2 })
    msg(n, 'a', { _tag: 'Ping', rpcId: rpc(1), sender: A }, 0)
    msg(n, 'b', { _tag: 'Ping', rpcId: rpc(2), sender: B }, 10)
    n.effects = []
    return n
  }
  const probeOf = (fx: ReadonlyArray<Effect>) => fx.find((e) => e._tag === 'Send' && e.message._tag === 'Ping')

  const lookupFromC = (n: One, ms: number) => msg(n, 'c', { _tag: 'FindNode', rpcId: rpc(3), sender: C, target: C }, ms)

  it('a newcomer to a full bucket makes us ping the least-recently seen; silence evicts it', () => {
    const n = full()
    const fx = lookupFromC(n, 100)
    const probe = probeOf(fx)
    expect(probe).toMatchObject({ to: 'a' })
    expect(RoutingTable.find(Node.routingTable(n.s), C)).toBeUndefined()
    tickUntil(n, 100 + Config.defaults.maxRpcTimeout)
    expect(notified(n.effects)).toContainEqual({
      _tag: 'ContactEvicted',
      contact: { id: A, address: 'a' },
      replacedBy: { id: C, address: 'c' },
    })
    expect(RoutingTable.find(Node.routingTable(n.s), A)).toBeUndefined()
    expect(RoutingTable.find(Node.routingTable(n.s), C)?.address).toBe('c')
  })

  it('a live contact answers the probe and stays; the newcomer waits in the replacement cache', () => {
    const n = full()
    const probe = probeOf(lookupFromC(n, 100))
    if (probe?._tag !== 'Send') throw new Error('no probe')
    msg(n, 'a', { _tag: 'Pong', rpcId: probe.message.rpcId, sender: A }, 130)
    tickUntil(n, 100 + 2 * Config.defaults.maxRpcTimeout)
    expect(notified(n.effects).some((x) => x._tag === 'ContactEvicted')).toBe(false)
    expect(RoutingTable.find(Node.routingTable(n.s), A)).toBeDefined()
    expect(RoutingTable.find(Node.routingTable(n.s), C)).toBeUndefined()
  })

  it('a PING from a stranger sends no probe (no probe chains); the probe is settled lazily (§4.1)', () => {
    const n = full()
    const fx = msg(n, 'c', { _tag: 'Ping', rpcId: rpc(3), sender: C }, 100)
    expect(fx.filter((e) => e._tag === 'Send').map((e) => e._tag === 'Send' && e.message._tag)).toEqual(['Pong'])
    expect(Bucket.replacements(RoutingTable.bucketOf(Node.routingTable(n.s), C)).map((c) => c.address)).toEqual(['c'])
    // the deferred probe keeps later newcomers to that bucket cached, without pinging either
    expect(probeOf(lookupFromC(n, 200))).toBeUndefined()
    // hearing from the least-recently seen contact settles it: alive, so the next newcomer probes again
    msg(n, 'a', { _tag: 'FindNode', rpcId: rpc(4), sender: A, target: A }, 300)
    expect(probeOf(lookupFromC(n, 400))).toMatchObject({ to: 'b' })
  })

  it('a contact that failed 5 RPCs in a row is stale: the next newcomer takes its place at once', () => {
    const n = full()
    // five lookups whose RPC to B times out (A answers nothing either: both are flagged)
    for (let i = 0; i < 5; i++) {
      feed(n, { _tag: 'FindNodeRequested', at: at(n.s.now + 1), opId: (10 + i) as OpId, target: B })
      tickUntil(n, n.s.now + Config.defaults.maxRpcTimeout + 1)
    }
    expect(RoutingTable.find(Node.routingTable(n.s), B)?.failures).toBeGreaterThanOrEqual(5)
    n.effects = []
    msg(n, 'c', { _tag: 'Ping', rpcId: rpc(3), sender: C }, n.s.now + 1)
    const evicted = notified(n.effects).find((x) => x._tag === 'ContactEvicted')
    expect(evicted).toBeDefined()
    expect(probeOf(n.effects.filter((e) => e._tag === 'Send' && e.to !== 'c'))).toBeUndefined()
    expect(RoutingTable.find(Node.routingTable(n.s), C)?.address).toBe('c')
  })
})
