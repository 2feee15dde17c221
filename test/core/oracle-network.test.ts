/**
 * The oracle network itself: its sorted universe and converged tables against brute force, its
 * agenda's order, determinism, purity (networks are deep-frozen before use), loss, dead nodes,
 * unroutable addresses, timers and the event log.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Address, Distance, NodeId, Node, Prng, RoutingTable, Time } from '@kademlia-ts/core'
import type { Outcome } from '@kademlia-ts/core'
import { OracleNetwork, Universe, nodeIdArb } from '@kademlia-ts/core/testing'

const hex = (ids: ReadonlyArray<{ readonly id: NodeId.NodeId }>): string[] => ids.map((p) => NodeId.toHex(p.id))

const deepFreeze = <A>(x: A): A => {
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && !Object.isFrozen(x)) {
    Object.freeze(x)
    for (const v of Object.values(x as object)) deepFreeze(v)
  }
  return x
}

/** Ids that often share long prefixes, so deep levels and equal-prefix runs occur. */
const idsArb = (max: number): fc.Arbitrary<NodeId.NodeId[]> =>
  fc
    .uniqueArray(
      fc.tuple(fc.nat({ max: 40 }), nodeIdArb).map(([shared, noise]) => {
        const out = Uint8Array.from(noise)
        for (let bit = 0; bit < shared; bit++) out[bit >>> 3] = (out[bit >>> 3] as number) & ~(0x80 >>> (bit & 7))
        return NodeId.unsafeFromBytes(out)
      }),
      { minLength: 1, maxLength: max, selector: (id) => NodeId.toHex(id) },
    )

describe('Universe', () => {
  it('prefixRange holds exactly the ids sharing the prefix', () => {
    fc.assert(
      fc.property(idsArb(60), nodeIdArb, fc.integer({ min: 0, max: 160 }), (ids, p, bits) => {
        const u = Universe.of(ids)
        const [from, to] = Universe.prefixRange(u, p, bits)
        const inRange = new Set(u.sorted.slice(from, to))
        ids.forEach((id, i) => expect(inRange.has(i)).toBe(Math.min(Distance.commonPrefixLength(id, p), 160) >= bits))
      }),
    )
  })

  it('converged tables: no self, no duplicate, ≤ k per bucket, whole small buckets, the true k closest', () => {
    fc.assert(
      fc.property(idsArb(120), fc.integer({ min: 1, max: 8 }), fc.integer(), (ids, k, seed) => {
        const u = Universe.of(ids)
        let prng = Prng.fromSeed(seed)
        for (let self = 0; self < ids.length; self++) {
          const [contacts, next] = Universe.converged(u, self, k, prng)
          prng = next
          const me = ids[self] as NodeId.NodeId
          expect(contacts).not.toContain(self)
          expect(new Set(contacts).size).toBe(contacts.length)
          const perLevel = new Map<number, number>()
          for (const c of contacts) {
            const level = Distance.commonPrefixLength(me, ids[c] as NodeId.NodeId)
            perLevel.set(level, (perLevel.get(level) ?? 0) + 1)
          }
          const sizes = new Map<number, number>()
          ids.forEach((id, i) => {
            if (i !== self) sizes.set(Distance.commonPrefixLength(me, id), (sizes.get(Distance.commonPrefixLength(me, id)) ?? 0) + 1)
          })
          for (const [level, size] of sizes) expect(perLevel.get(level) ?? 0).toBe(Math.min(size, k))
          const others = ids.map((_, i) => i).filter((i) => i !== self)
          const truth = Universe.closestAmong(u, others, me, k)
          for (const t of truth) expect(contacts).toContain(t)
        }
      }),
      { numRuns: 40 },
    )
  })
})

describe('OracleNetwork', () => {
  const target = NodeId.fromKey('oracle target')

  it('is deterministic: same options, same ids, same tables, same lookup', () => {
    const run = (): readonly [OracleNetwork.OracleNetwork, Outcome | undefined] => {
      const net = OracleNetwork.create({ size: 80, seed: 7, loss: 0.1, dead: 0.1 })
      const from = OracleNetwork.liveIndices(net)[3] as number
      const r = OracleNetwork.execute(net, from, { _tag: 'FindNodeRequested', target })
      return [r.net, r.outcome]
    }
    const [a, outcomeA] = run()
    const [b, outcomeB] = run()
    expect(hex(a.nodes)).toEqual(hex(b.nodes))
    for (let i = 0; i < a.nodes.length; i++)
      expect(hex(RoutingTable.contacts(Node.routingTable(a.nodes[i]!.state)))).toEqual(hex(RoutingTable.contacts(Node.routingTable(b.nodes[i]!.state))))
    expect(outcomeA).toEqual(outcomeB)
    expect(a.stats).toEqual(b.stats)
    expect(a.now).toBe(b.now)
    const other = OracleNetwork.create({ size: 80, seed: 8 })
    expect(hex(other.nodes)).not.toEqual(hex(a.nodes))
  })

  it('never mutates a network: every call works on a deep-frozen one and leaves it as it was', () => {
    const net = deepFreeze(OracleNetwork.create({ size: 40, seed: 3, dead: [5] }))
    const before = { now: net.now, stats: { ...net.stats }, agenda: net.agenda.length, states: net.nodes.map((n) => n.state) }
    const r = OracleNetwork.execute(net, 0, { _tag: 'FindNodeRequested', target })
    expect(r.outcome?._tag).toBe('NodesFound')
    const later = OracleNetwork.run(deepFreeze(r.net), { until: Time.instant(Time.hours(2)), maxEvents: 200_000 })
    expect(later.now).toBe(Time.hours(2))
    OracleNetwork.kill(net, [1])
    OracleNetwork.revive(net, [5])
    OracleNetwork.inject(net, 2, { _tag: 'Ticked' })
    expect(net.now).toBe(before.now)
    expect(net.stats).toEqual(before.stats)
    expect(net.agenda.length).toBe(before.agenda)
    net.nodes.forEach((n, i) => expect(n.state).toBe(before.states[i]))
  })

  it('trueClosest is the brute-force order over live nodes, minus the excluded', () => {
    const net = OracleNetwork.create({ size: 60, seed: 11, dead: 0.25 })
    const live = OracleNetwork.liveIndices(net)
    expect(live.length).toBe(45)
    const truth = OracleNetwork.trueClosest(net, target, 10, [live[0] as number])
    expect(truth).toHaveLength(10)
    const all = live
      .filter((i) => i !== live[0])
      .map((i) => net.nodes[i]!)
      .sort((a, b) => Distance.compare(Distance.between(a.id, target), Distance.between(b.id, target)))
    expect(truth.map((p) => p.index)).toEqual(all.slice(0, 10).map((n) => n.index))
    expect(truth.every((p) => OracleNetwork.isAlive(net, p.index) && p.address === OracleNetwork.address(p.index))).toBe(true)
  })

  it('loses every message when loss = 1, and the lookup still completes (with a failure)', () => {
    const net = OracleNetwork.create({ size: 30, seed: 5, loss: 1 })
    const r = OracleNetwork.execute(net, 0, { _tag: 'FindNodeRequested', target }, { maxEvents: 100_000 })
    expect(r.outcome?._tag).toBe('Failed')
    expect(r.net.stats.delivered).toBe(0)
    expect(r.net.stats.dropped).toBeGreaterThan(0)
    expect(r.net.stats.ticks).toBeGreaterThan(0)
  })

  it('counts messages that reach dead nodes, which never answer', () => {
    const net = OracleNetwork.create({ size: 100, seed: 9, dead: 0.3 })
    expect(OracleNetwork.liveIndices(net)).toHaveLength(70)
    const from = OracleNetwork.liveIndices(net)[0] as number
    const r = OracleNetwork.execute(net, from, { _tag: 'FindNodeRequested', target })
    expect(r.net.stats.toDead).toBeGreaterThan(0)
    expect(r.net.stats.ticks).toBeGreaterThan(0)
    if (r.outcome?._tag !== 'NodesFound') throw new Error(`expected NodesFound, got ${r.outcome?._tag}`)
    for (const p of r.outcome.closest) expect(OracleNetwork.isAlive(r.net, OracleNetwork.indexOf(r.net, p.address) as number)).toBe(true)
  })

  it('drops messages to addresses no node has; the ping times out', () => {
    const net = OracleNetwork.create({ size: 10, seed: 1 })
    const r = OracleNetwork.execute(net, 4, { _tag: 'PingRequested', address: Address.of('10.0.0.1:4000') })
    expect(r.outcome).toEqual({ _tag: 'Failed', reason: 'Timeout' })
    expect(r.net.stats.unroutable).toBe(1)
  })

  it('stops at maxEvents and at until', () => {
    const net = OracleNetwork.create({ size: 50, seed: 2 })
    const issued = OracleNetwork.command(net, 1, { _tag: 'FindNodeRequested', target })
    const cut = OracleNetwork.runUntilComplete(issued.net, issued.opId, { maxEvents: 2 })
    expect(cut.outcome).toBeUndefined()
    expect(cut.net.stats.events - issued.net.stats.events).toBeLessThanOrEqual(2)
    const done = OracleNetwork.runUntilComplete(cut.net, issued.opId)
    expect(done.outcome?._tag).toBe('NodesFound')
    const quiet = OracleNetwork.run(done.net, { until: Time.instant(1000) })
    expect(quiet.now).toBe(1000)
    expect(quiet.agenda.every((e) => e.at > 1000)).toBe(true)
  })

  it('runs several operations at once and returns each outcome', () => {
    const net = OracleNetwork.create({ size: 60, seed: 4 })
    const targets = [1, 2, 3, 4].map((i) => NodeId.fromKey(`t${i}`))
    const issued = OracleNetwork.commands(net, targets.map((t, i) => [i * 10, { _tag: 'FindNodeRequested', target: t }] as const))
    expect(new Set(issued.opIds).size).toBe(4)
    const r = OracleNetwork.runUntilAllComplete(issued.net, issued.opIds)
    expect(r.outcomes.map((o) => o?._tag)).toEqual(['NodesFound', 'NodesFound', 'NodesFound', 'NodesFound'])
    expect(r.net.completed).toHaveLength(0)
  })

  it('logs the events of recorded nodes, and they replay to the same state', () => {
    const net = OracleNetwork.create({ size: 40, seed: 6, record: [0] })
    const r = OracleNetwork.execute(net, 0, { _tag: 'FindNodeRequested', target })
    const events = OracleNetwork.recorded(r.net, 0)
    expect(events[0]?._tag).toBe('FindNodeRequested')
    expect(events.some((e) => e._tag === 'MessageReceived' && e.message._tag === 'Nodes')).toBe(true)
    expect(OracleNetwork.log(r.net).every((e) => e.node === 0)).toBe(true)
    for (let i = 1; i < events.length; i++) expect(events[i]!.at).toBeGreaterThanOrEqual(events[i - 1]!.at)
    const replayed = events.reduce((s, e) => Node.step(s, e).state, net.nodes[0]!.state)
    expect(replayed).toEqual(r.net.nodes[0]!.state)
  })

  it('with wire: true, messages travel as datagrams and everything happens as without', () => {
    const go = (wire: boolean): readonly [Outcome | undefined, Outcome | undefined, OracleNetwork.OracleNetwork] => {
      const net = OracleNetwork.create({ size: 60, seed: 12, wire })
      const key = NodeId.fromKey('k')
      const put = OracleNetwork.execute(net, 3, { _tag: 'PutRequested', key, value: new Uint8Array([1, 2, 3]) })
      const get = OracleNetwork.execute(put.net, 40, { _tag: 'GetRequested', key })
      return [put.outcome, get.outcome, get.net]
    }
    const [putA, getA, a] = go(true)
    const [putB, getB, b] = go(false)
    expect(putA?._tag).toBe('Stored')
    expect(getA?._tag).toBe('Found')
    expect([putA, getA]).toEqual([putB, getB])
    expect(a.stats).toEqual(b.stats)
    expect(a.stats.oversized + a.stats.undecodable).toBe(0)
  })

  it('rejects options that make no network', () => {
    expect(() => OracleNetwork.create({ size: 0, seed: 1 })).toThrow(RangeError)
    expect(() => OracleNetwork.create({ size: 5, seed: 1, loss: 2 })).toThrow(RangeError)
    expect(() => OracleNetwork.create({ size: 5, seed: 1, latency: { min: 9, max: 3 } })).toThrow(RangeError)
    expect(() => OracleNetwork.create({ size: 5, seed: 1, dead: [7] })).toThrow(RangeError)
    const net = OracleNetwork.create({ size: 5, seed: 1, dead: [2] })
    expect(() => OracleNetwork.command(net, 2, { _tag: 'RefreshRequested' })).toThrow(RangeError)
  })
})
