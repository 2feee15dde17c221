/**
 * The testing kit `@kademlia-ts/core/testing` as a user sees it: its arbitraries produce what
 * they promise, replay from a seed and shrink; and the example property of docs/testing.md is
 * this file's `docs:example` block, word for word, and passes.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it, test } from 'vitest'
import * as fc from 'fast-check'
import { Config, Node, NodeId, RoutingTable, Time } from '@kademlia-ts/core'
import type { Event } from '@kademlia-ts/core'
import {
  OracleNetwork,
  contactArb,
  eventArb,
  eventSequenceArb,
  nodeIdArb,
  routingTableArb,
  storedRecordArb,
} from '@kademlia-ts/core/testing'

const ALL_TAGS: ReadonlyArray<Event['_tag']> = [
  'MessageReceived',
  'SendFailed',
  'Ticked',
  'BootstrapRequested',
  'GetRequested',
  'PutRequested',
  'PingRequested',
  'FindNodeRequested',
  'RefreshRequested',
  'RecordsRestored',
  'Cancelled',
]

describe('event arbitraries', () => {
  it('sequences: non-decreasing instants, commands numbered 1, 2, … and cancels of issued (or next) ids', () => {
    fc.assert(
      fc.property(eventSequenceArb({ maxLength: 80 }), (events) => {
        let commands = 0
        for (let i = 0; i < events.length; i++) {
          const e = events[i] as Event
          if (i > 0) expect(e.at).toBeGreaterThanOrEqual((events[i - 1] as Event).at)
          if (e._tag === 'Cancelled') {
            expect(e.opId).toBeGreaterThanOrEqual(1)
            expect(e.opId).toBeLessThanOrEqual(commands + 1)
          } else if ('opId' in e) expect(e.opId).toBe(++commands)
        }
      }),
    )
  })

  it('cover every kind of event, garbage from many addresses included', () => {
    const seen = new Set<string>()
    const senders = new Set<string>()
    for (const seq of fc.sample(eventSequenceArb(), { seed: 1, numRuns: 200 }))
      for (const e of seq) {
        seen.add(e._tag)
        if (e._tag === 'MessageReceived') senders.add(e.from)
      }
    expect([...seen].sort()).toEqual([...ALL_TAGS].sort())
    expect(senders.size).toBeGreaterThan(100)
  })

  it('replay from a seed and shrink to a minimal counterexample', () => {
    const a = fc.sample(eventSequenceArb(), { seed: 42, numRuns: 20 })
    const b = fc.sample(eventSequenceArb(), { seed: 42, numRuns: 20 })
    expect(b).toEqual(a)
    const failing = fc.check(fc.property(eventSequenceArb(), (s) => s.length < 3), { seed: 42 })
    expect(failing.failed).toBe(true)
    expect(failing.counterexample?.[0]).toHaveLength(3)
    const single = fc.sample(eventArb, { seed: 3, numRuns: 50 })
    expect(single.every((e) => Number.isInteger(e.at) && e.at >= 0)).toBe(true)
  })

  it('routing tables satisfy the table invariants, with deep buckets', () => {
    let deepest = 0
    fc.assert(
      fc.property(routingTableArb(), (t) => {
        expect(RoutingTable.checkInvariants(t)).toEqual([])
        for (const b of t.buckets) deepest = Math.max(deepest, b.depth)
      }),
      { numRuns: 60 },
    )
    expect(deepest).toBeGreaterThan(3)
    const self = NodeId.fromKey('me')
    fc.assert(
      fc.property(routingTableArb({ self, maxPeers: 30 }), (t) => {
        expect(NodeId.equals(t.self, self)).toBe(true)
      }),
      { numRuns: 10 },
    )
  })

  it('drive a real node: every sequence steps without a throw, effects well-formed (the docs snippet)', () => {
    const start = Node.init(Config.defaults, { id: NodeId.fromKey('me'), seed: 1, at: Time.ZERO })
    fc.assert(
      fc.property(eventSequenceArb(), (events) => {
        let s = start
        for (const e of events) {
          const r = Node.step(s, e)
          for (const fx of r.effects) expect(['Send', 'Complete', 'Notify']).toContain(fx._tag)
          s = r.state
        }
      }),
      { numRuns: 60 },
    )
  })

  it('contacts and records are well-formed', () => {
    fc.assert(
      fc.property(contactArb, storedRecordArb, (c, r) => {
        expect(NodeId.isNodeId(c.id)).toBe(true)
        expect(c.failures).toBeGreaterThanOrEqual(0)
        expect(r.expiresAt).toBeGreaterThanOrEqual(r.storedAt)
      }),
    )
  })
})

// docs:example
test('a lookup from any node finds the true 20 closest nodes', () => {
  fc.assert(
    fc.property(fc.integer(), fc.nat(99), nodeIdArb, (seed, from, target) => {
      const net = OracleNetwork.create({ size: 100, seed })
      const r = OracleNetwork.execute(net, from, { _tag: 'FindNodeRequested', target })
      const truth = OracleNetwork.trueClosest(r.net, target, 20, [from])
      const found = r.outcome?._tag === 'NodesFound' ? r.outcome.closest : []
      expect(found.map((p) => NodeId.toHex(p.id))).toEqual(truth.map((p) => NodeId.toHex(p.id)))
    }),
    { numRuns: 10 },
  )
})
// docs:end

describe('docs/testing.md', () => {
  it('shows exactly the example this file runs', () => {
    const source = readFileSync(new URL(import.meta.url), 'utf8')
    const example = source.slice(source.indexOf('// docs:example\n') + '// docs:example\n'.length, source.indexOf('// docs:end'))
    const docs = readFileSync(new URL('../../docs/testing.md', import.meta.url), 'utf8')
    expect(example.length).toBeGreaterThan(200)
    expect(docs).toContain(example)
  })
})
