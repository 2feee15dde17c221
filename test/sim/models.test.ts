import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Distance, NodeId, Wire, RpcId, Address, Time } from '@kademlia-ts/core'
import type { Message } from '@kademlia-ts/core'
import { Churn, Duration, Engine, EventQueue, IdIndex, MessageSize, Network, Random, Scenario, Workload } from '@kademlia-ts/sim'

const errorsOf = (input: unknown): ReadonlyArray<string> => {
  const r = Scenario.decode(input)
  return r._tag === 'Left' ? r.left.errors.map((e) => `${e.path}: ${e.message}`) : []
}

describe('Duration', () => {
  it('parses the forms scenarios use', () => {
    expect(Duration.parse('500ms')).toBe(500)
    expect(Duration.parse('30s')).toBe(30_000)
    expect(Duration.parse('5m')).toBe(300_000)
    expect(Duration.parse('2h')).toBe(7_200_000)
    expect(Duration.parse('1h30m')).toBe(5_400_000)
    expect(Duration.parse('1.5s')).toBe(1500)
    expect(Duration.parse('250')).toBe(250)
    expect(Duration.parse('2x')).toBeUndefined()
    expect(Duration.parse('')).toBeUndefined()
    expect(Duration.format(5_400_000)).toBe('1h30m')
  })
})

describe('Scenario decoding', () => {
  it('fills defaults for a minimal scenario', () => {
    const r = Scenario.decode({ nodes: 100, duration: '10m' })
    expect(r._tag === 'Right').toBe(true)
    if (r._tag === 'Left') return
    expect(r.right.duration).toBe(600_000)
    expect(r.right.join.mode).toBe('prefill')
    expect(r.right.network.loss).toBe(0)
    expect(r.right.churn).toBeUndefined()
  })

  it('names the bad field', () => {
    expect(errorsOf({ nodes: 0, duration: '1h' })).toEqual([expect.stringMatching(/^nodes: expected an integer ≥ 1/)])
    expect(errorsOf({ nodes: 10, duration: 'soon' })).toEqual([expect.stringMatching(/^duration: expected a duration/)])
    expect(errorsOf({ nodes: 10, duration: '1h', network: { latency: { kind: 'lognormal', median: 50, sigma: 'x' } } })).toEqual([
      expect.stringMatching(/^network\.latency\.sigma: expected a number ≥ 0, got "x"/),
    ])
    expect(errorsOf({ nodes: 10, duration: '1h', network: { latency: { kind: 'gaussian' } } })).toEqual([
      expect.stringMatching(/^network\.latency\.kind: expected one of: "constant", "uniform", "lognormal", "matrix"/),
    ])
    expect(errorsOf({ nodes: 10, duration: '1h', churn: { session: { kind: 'weibull', shape: -1, scale: '1h' } } })).toEqual([
      expect.stringMatching(/^churn\.session\.shape: expected a number > 0/),
    ])
    expect(errorsOf({ nodes: 10, duration: '1h', workload: { gest: 3 } })).toEqual([expect.stringMatching(/^workload\.gest: unknown field/)])
    expect(errorsOf({ nodes: 10, duration: '1h', network: { partitions: [{ at: '10m', heal: '5m', fraction: 0.5 }] } })).toEqual([
      expect.stringMatching(/^network\.partitions\.0\.heal: must be ≥ at/),
    ])
    expect(errorsOf({ nodes: 10, duration: '1h', network: { latency: { kind: 'matrix', regions: [1, 1], ms: [[1, 2], [3]] } } })).toEqual([
      expect.stringMatching(/^network\.latency\.ms\.1: expected 2 columns, got 1/),
    ])
  })

  it('reports every bad field at once', () => {
    const errs = errorsOf({ nodes: -1, duration: '1h', seed: 'x', workload: { gets: -2 } })
    expect(errs.map((e) => e.split(':')[0]).sort()).toEqual(['nodes', 'seed', 'workload.gets'])
  })

  it('parses YAML and JSON text', () => {
    const y = Scenario.parse('nodes: 50\nduration: 5m\nchurn:\n  session: { kind: exponential, mean: 30m }\n')
    expect(y._tag === 'Right' && y.right.churn?.session).toEqual({ kind: 'exponential', mean: 1_800_000 })
    const j = Scenario.parse('{"nodes": 50, "duration": 1000}')
    expect(j._tag === 'Right' && j.right.duration).toBe(1000)
    const bad = Scenario.parse('nodes: [1,')
    expect(bad._tag === 'Left' && bad.left.errors[0]?.path).toBe('(file)')
  })
})

describe('Random', () => {
  it('is fixed by its seed, and different seeds differ', () => {
    const a = Random.fromSeed(7)
    const b = Random.fromSeed(7)
    const c = Random.fromSeed(8)
    const xs = Array.from({ length: 5 }, () => a.uint32())
    expect(Array.from({ length: 5 }, () => b.uint32())).toEqual(xs)
    expect(Array.from({ length: 5 }, () => c.uint32())).not.toEqual(xs)
  })

  it('draws the session laws with the right means (seeded, 20 000 draws, within 5 %)', () => {
    const laws: ReadonlyArray<Scenario.Session> = [
      { kind: 'exponential', mean: 3_600_000 },
      { kind: 'weibull', shape: 0.7, scale: 3_600_000 },
      { kind: 'pareto', shape: 3, min: 600_000 },
    ]
    for (const law of laws) {
      const r = Random.fromSeed(42)
      let sum = 0
      const n = 20_000
      for (let i = 0; i < n; i++) sum += Churn.draw(r, law)
      expect(Math.abs(sum / n / Churn.mean(law) - 1)).toBeLessThan(0.05)
    }
  })

  it('draws log-normal latencies around their median', () => {
    const r = Random.fromSeed(3)
    const xs = Array.from({ length: 10_001 }, () => Random.logNormal(r, 50, 0.5)).sort((a, b) => a - b)
    expect(Math.abs((xs[5000] as number) / 50 - 1)).toBeLessThan(0.05)
  })
})

describe('EventQueue', () => {
  // Times with many ties, spread over several of the near heap's windows, some just before a window boundary.
  const time = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 12 }).map((w) => w * (EventQueue.WINDOW / 4)), fc.integer({ min: 1, max: 12 }).map((w) => w * (EventQueue.WINDOW / 4) - 1), fc.integer({ min: 0, max: 20 * EventQueue.WINDOW }))
  it('pops in time order, ties in insertion order', () => {
    fc.assert(
      fc.property(fc.array(time, { maxLength: 200, size: 'max' }), (times) => {
        const q = EventQueue.make<string>(16)
        times.forEach((at, i) => q.push(at, i % 7, i, -1 - i, `p${i}`))
        expect(q.size()).toBe(times.length)
        const out: Array<{ at: number; i: number }> = []
        const e = EventQueue.popped<string>()
        for (let n = 0; n <= times.length && q.pop(e); n++) {
          expect([e.kind, e.from, e.payload]).toEqual([e.node % 7, -1 - e.node, `p${e.node}`])
          out.push({ at: e.at, i: e.node })
        }
        const expected = times.map((at, i) => ({ at, i })).sort((a, b) => a.at - b.at || a.i - b.i)
        expect(out).toEqual(expected)
        expect(q.size()).toBe(0)
        expect(q.peekAt()).toBe(Infinity)
        expect(q.pop(e)).toBe(false)
      }),
    )
  })

  it('keeps insertion order across the near/far boundary', () => {
    // b waits in the far heap at (or next to) the horizon set when a moved to the near heap; c,
    // pushed later at the same time, must still come after it.
    for (let d = -2; d <= 2; d++) {
      const q = EventQueue.make<string>(16)
      const e = EventQueue.popped<string>()
      q.push(0, 0, 0, 0, 'a')
      q.push(EventQueue.WINDOW + d, 0, 0, 0, 'b')
      const out: Array<string | undefined> = []
      for (const step of ['pop', 'push c', 'pop', 'pop', 'pop']) {
        if (step === 'push c') q.push(EventQueue.WINDOW + d, 0, 0, 0, 'c')
        else out.push(q.pop(e) ? e.payload : undefined)
      }
      expect(out).toEqual(['a', 'b', 'c', undefined])
    }
  })

  it('interleaving pushes and pops (and growing) matches a sorted list', () => {
    // Each command pushes an event (after the last popped one, as the engine does, or at any
    // time at all) or pops.
    const command = fc.oneof(fc.record({ push: time, absolute: fc.boolean() }), fc.constant({ pop: true as const }))
    fc.assert(
      fc.property(fc.array(command, { maxLength: 300, size: 'max' }), (commands) => {
        const q = EventQueue.make<number>(16)
        const model: Array<{ at: number; i: number }> = []
        const e = EventQueue.popped<number>()
        let now = 0
        commands.forEach((c, i) => {
          if ('push' in c) {
            const at = c.absolute ? c.push : now + c.push
            q.push(at, 1, i, 0, i)
            model.push({ at, i })
            model.sort((a, b) => a.at - b.at || a.i - b.i)
          } else {
            const expected = model.shift()
            expect(q.peekAt()).toBe(expected === undefined ? Infinity : expected.at)
            expect(q.pop(e)).toBe(expected !== undefined)
            if (expected !== undefined) {
              expect([e.at, e.node, e.payload]).toEqual([expected.at, expected.i, expected.i])
              now = e.at
            }
          }
          expect(q.size()).toBe(model.length)
        })
      }),
    )
  })
})

describe('Network model', () => {
  const rng = Random.fromSeed(1)
  it('gives constant and uniform latencies in range', () => {
    const c = Network.make({ latency: { kind: 'constant', ms: 40 }, loss: 0, partitions: [] }, 1)
    expect(c.latency(rng, 0, 1)).toBe(40)
    const u = Network.make({ latency: { kind: 'uniform', min: 10, max: 20 }, loss: 0, partitions: [] }, 1)
    for (let i = 0; i < 100; i++) expect(u.latency(rng, i, i + 1)).toBeGreaterThanOrEqual(10)
    for (let i = 0; i < 100; i++) expect(u.latency(rng, i, i + 1)).toBeLessThanOrEqual(20)
  })

  it('uses the matrix entry of the two regions', () => {
    const m = Network.make({ latency: { kind: 'matrix', regions: [1, 1], ms: [[5, 100], [100, 7]] }, loss: 0, partitions: [] }, 9)
    for (let a = 0; a < 20; a++) {
      for (let b = 0; b < 20; b++) {
        const expected = m.region(a) === m.region(b) ? (m.region(a) === 0 ? 5 : 7) : 100
        expect(m.latency(rng, a, b)).toBe(expected)
      }
    }
    const regions = new Set(Array.from({ length: 50 }, (_, i) => m.region(i)))
    expect(regions).toEqual(new Set([0, 1]))
  })

  it('loses about the configured fraction', () => {
    const n = Network.make({ latency: { kind: 'constant', ms: 1 }, loss: 0.2, partitions: [] }, 1)
    let lost = 0
    for (let i = 0; i < 10_000; i++) if (n.lost(rng, 0, 1, 0)) lost++
    expect(Math.abs(lost / 10_000 - 0.2)).toBeLessThan(0.02)
  })

  it('cuts traffic across a partition only while it lasts', () => {
    const n = Network.make({ latency: { kind: 'constant', ms: 1 }, loss: 0, partitions: [{ at: 100, heal: 200, fraction: 0.5 }] }, 4)
    let cut = 0
    for (let a = 0; a < 40; a++) {
      for (let b = 0; b < 40; b++) {
        expect(n.lost(rng, a, b, 50)).toBe(false)
        expect(n.lost(rng, a, b, 200)).toBe(false)
        if (n.lost(rng, a, b, 150)) cut++
        expect(n.lost(rng, a, b, 150)).toBe(n.lost(rng, b, a, 150))
      }
    }
    expect(cut).toBeGreaterThan(400)
    expect(n.partitioned(150)).toBe(true)
    expect(n.partitioned(250)).toBe(false)
  })
})

describe('Workload model', () => {
  it('draws Zipf ranks with rank 0 the most popular and respects the limit', () => {
    const k = Workload.keys(100, { kind: 'zipf', exponent: 1 }, 1)
    const r = Random.fromSeed(5)
    const counts = new Array<number>(100).fill(0)
    for (let i = 0; i < 20_000; i++) {
      const rank = Workload.pickRank(r, k, 100)
      counts[rank] = (counts[rank] ?? 0) + 1
    }
    expect(counts[0]).toBeGreaterThan(counts[1] as number)
    expect(counts[1]).toBeGreaterThan(counts[9] as number)
    // P(rank 0) = 1 / H_100 ≈ 0.193
    expect(Math.abs((counts[0] as number) / 20_000 - 0.193)).toBeLessThan(0.02)
    for (let i = 0; i < 1000; i++) expect(Workload.pickRank(r, k, 3)).toBeLessThan(3)
    expect(Workload.pickRank(r, k, 0)).toBe(-1)
  })

  it('spaces Poisson arrivals by the rate', () => {
    const r = Random.fromSeed(6)
    let sum = 0
    for (let i = 0; i < 10_000; i++) sum += Workload.nextArrival(r, 4)
    expect(Math.abs(sum / 10_000 / 250 - 1)).toBeLessThan(0.05)
    expect(Workload.nextArrival(r, 0)).toBe(Infinity)
  })
})

describe('MessageSize', () => {
  it('estimates the encoded size within a few bytes of the wire module', () => {
    const id = NodeId.fromKey('a')
    const rpcId = RpcId.unsafeFromBytes(NodeId.fromKey('r'))
    const peers = Array.from({ length: 20 }, (_, i) => ({ id: NodeId.fromKey(i), address: Address.of(`n${i * 997}`) }))
    const messages: ReadonlyArray<Message.Message> = [
      { _tag: 'Ping', rpcId, sender: id },
      { _tag: 'Pong', rpcId, sender: id },
      { _tag: 'FindNode', rpcId, sender: id, target: id },
      { _tag: 'FindValue', rpcId, sender: id, key: id },
      { _tag: 'Nodes', rpcId, sender: id, contacts: peers },
      { _tag: 'Store', rpcId, sender: id, key: id, value: new Uint8Array(100), ttl: Time.hours(24) },
      { _tag: 'ValueFound', rpcId, sender: id, value: 'hello', ttl: Time.hours(1) },
      { _tag: 'Stored', rpcId, sender: id },
    ]
    for (const m of messages) {
      const actual = Wire.encode(m).length + 28
      expect(Math.abs(MessageSize.estimate(m) - actual), m._tag).toBeLessThanOrEqual(Math.max(8, actual * 0.05))
    }
  })
})

describe('IdIndex', () => {
  it('finds the true closest live node, as brute force does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer(), fc.integer({ min: 0, max: 90 }), (n, seed, deadPct) => {
        const r = Random.fromSeed(seed)
        const ids = Array.from({ length: n }, () => NodeId.unsafeFromBytes(r.bytes(20)))
        const index = IdIndex.make(ids)
        ids.forEach((_, i) => index.add(i))
        const alive = ids.map(() => r.int(100) >= deadPct)
        const live = (i: number): boolean => alive[i] === true
        for (let q = 0; q < 10; q++) {
          const target = NodeId.unsafeFromBytes(r.bytes(20))
          let best = -1
          for (let i = 0; i < n; i++) if (live(i) && (best < 0 || Distance.compareTo(target, ids[i] as NodeId.NodeId, ids[best] as NodeId.NodeId) < 0)) best = i
          expect(index.closest(target, live)).toBe(best)
        }
      }),
      { numRuns: 50 },
    )
  })

  it('lists the sibling subtrees of a node, which partition everyone else', () => {
    const r = Random.fromSeed(11)
    const ids = Array.from({ length: 500 }, () => NodeId.unsafeFromBytes(r.bytes(20)))
    const index = IdIndex.make(ids)
    ids.forEach((_, i) => index.add(i))
    const sorted = index.sorted()
    for (const self of [0, 17, 499]) {
      const seen = new Set<number>()
      for (const [d, from, to] of index.siblings(self)) {
        for (let p = from; p < to; p++) {
          const other = sorted[p] as number
          expect(Distance.commonPrefixLength(ids[self] as NodeId.NodeId, ids[other] as NodeId.NodeId)).toBe(d)
          seen.add(other)
        }
      }
      expect(seen.size).toBe(499)
      expect(seen.has(self)).toBe(false)
    }
  })

  it('answers queries between additions (the churn pattern) as brute force does', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.integer(), (n, seed) => {
        const r = Random.fromSeed(seed)
        // Some ids repeat (a scenario may give ids), some share long prefixes (deep subtrees).
        const ids: NodeId.NodeId[] = []
        for (let i = 0; i < n; i++) {
          const fresh = r.bytes(20)
          if (i > 0 && r.int(10) === 0) ids.push(ids[r.int(i)] as NodeId.NodeId)
          else if (i > 0 && r.int(5) === 0) ids.push(NodeId.unsafeFromBytes(Uint8Array.from([...(ids[r.int(i)] as NodeId.NodeId).subarray(0, 5), ...fresh.subarray(5)])))
          else ids.push(NodeId.unsafeFromBytes(fresh))
        }
        const index = IdIndex.make(ids)
        const live = (): boolean => true
        for (let i = 0; i < n; i++) {
          index.add(i)
          if (r.int(8) !== 0) continue
          const target = r.int(2) === 0 ? (ids[r.int(i + 1)] as NodeId.NodeId) : NodeId.unsafeFromBytes(r.bytes(20))
          let best = 0
          for (let j = 1; j <= i; j++) if (Distance.compareTo(target, ids[j] as NodeId.NodeId, ids[best] as NodeId.NodeId) < 0) best = j
          expect(ids[index.closest(target, live)]).toEqual(ids[best])
          let last = -1
          for (let j = 0; j <= i; j++) if (NodeId.equals(ids[j] as NodeId.NodeId, target)) last = j
          expect(index.indexOf(target)).toBe(last)
        }
        const sorted = index.sorted()
        expect([...sorted].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i))
        for (let p = 1; p < n; p++) expect(NodeId.compare(ids[sorted[p - 1] as number] as NodeId.NodeId, ids[sorted[p] as number] as NodeId.NodeId)).toBeLessThanOrEqual(0)
        // Every node's subtrees partition the others by shared prefix length.
        const self = r.int(n)
        let covered = 0
        for (const [d, from, to] of index.siblings(self)) {
          covered += to - from
          for (let p = from; p < to; p++) expect(Distance.commonPrefixLength(ids[self] as NodeId.NodeId, ids[sorted[p] as number] as NodeId.NodeId)).toBe(d)
        }
        const same = ids.filter((id) => NodeId.equals(id, ids[self] as NodeId.NodeId)).length
        expect(covered).toBe(n - same)
      }),
      { numRuns: 40 },
    )
  })
})

describe('simulator addresses', () => {
  it('round-trip node numbers and reject anything else', () => {
    for (const i of [0, 1, 9, 10, 12345, 999_999_999]) expect(Engine.indexOfAddress(Engine.addressOf(i))).toBe(i)
    for (const bad of ['', 'n', 'x1', 'n01', 'n-1', 'n1a', 'n 1', '1', 'n123456789012']) expect(Engine.indexOfAddress(Address.of(bad))).toBe(-1)
  })
})
