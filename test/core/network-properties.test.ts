/**
 * Network properties of the node reducer, checked in an oracle network (issue 4):
 * - a lookup in a network where everyone answers returns exactly the true k closest (brute force
 *   over every node's id), from converged tables (messages as objects or through the wire codec)
 *   and from tables built by joining;
 * - put then get from any node succeeds in a 200-node network, with and without 20% dead nodes.
 * Each property runs a handful of seeded networks with bounded events; fast-check prints the seed
 * and path of a failure, and `{ seed, path }` replays it.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { NodeId } from '@kademlia-ts/core'
import type { Outcome } from '@kademlia-ts/core'
import { OracleNetwork, arbValue, nodeIdArb } from '@kademlia-ts/core/testing'

const hex = (ps: ReadonlyArray<{ readonly id: NodeId.NodeId }>): string[] => ps.map((p) => NodeId.toHex(p.id))

const closestOf = (outcome: Outcome | undefined): ReadonlyArray<{ readonly id: NodeId.NodeId }> => {
  if (outcome?._tag !== 'NodesFound') throw new Error(`expected NodesFound, got ${JSON.stringify(outcome)}`)
  return outcome.closest
}

const BOUNDS = { maxEvents: 200_000 }

describe('lookups against the oracle', () => {
  it('every node answers: FIND_NODE returns exactly the true k closest (converged tables)', () => {
    fc.assert(
      fc.property(
        fc.integer(),
        fc.integer({ min: 30, max: 200 }),
        fc.nat(),
        nodeIdArb,
        fc.record({ min: fc.nat({ max: 20 }), spread: fc.nat({ max: 200 }) }),
        fc.boolean(),
        (seed, size, pick, target, lat, wire) => {
          const latency = { min: lat.min, max: lat.min + lat.spread }
          const net = OracleNetwork.create({ size, seed, latency, wire })
          const from = pick % size
          const r = OracleNetwork.execute(net, from, { _tag: 'FindNodeRequested', target }, BOUNDS)
          expect(hex(closestOf(r.outcome))).toEqual(hex(OracleNetwork.trueClosest(r.net, target, 20, [from])))
        },
      ),
      { numRuns: 12 },
    )
  })

  it('every node answers: FIND_NODE returns exactly the true k closest (tables built by joining)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(), nodeIdArb, (seed, pick, target) => {
        const size = 80
        const net = OracleNetwork.create({ size, seed, join: 'protocol' })
        const from = pick % size
        const r = OracleNetwork.execute(net, from, { _tag: 'FindNodeRequested', target }, BOUNDS)
        expect(hex(closestOf(r.outcome))).toEqual(hex(OracleNetwork.trueClosest(r.net, target, 20, [from])))
      }),
      { numRuns: 4 },
    )
  })
})

describe('put then get', () => {
  const putThenGet = (dead: number): void => {
    fc.assert(
      fc.property(fc.integer(), fc.nat(), fc.nat(), nodeIdArb, arbValue, (seed, a, b, key, value) => {
        const net = OracleNetwork.create({ size: 200, seed, dead })
        const live = OracleNetwork.liveIndices(net)
        const putter = live[a % live.length] as number
        const getter = live[b % live.length] as number
        const put = OracleNetwork.execute(net, putter, { _tag: 'PutRequested', key, value }, BOUNDS)
        expect(put.outcome?._tag).toBe('Stored')
        if (put.outcome?._tag === 'Stored') expect(put.outcome.replicas).toBeGreaterThan(0)
        expect(OracleNetwork.holders(put.net, key).length).toBeGreaterThan(0)
        const got = OracleNetwork.execute(put.net, getter, { _tag: 'GetRequested', key }, BOUNDS)
        if (got.outcome?._tag !== 'Found') throw new Error(`expected Found, got ${JSON.stringify(got.outcome)}`)
        expect(got.outcome.value).toEqual(value)
      }),
      { numRuns: 5 },
    )
  }

  it('succeeds from any node of a 200-node network', () => putThenGet(0))
  it('succeeds from any live node of a 200-node network with 20% dead nodes', () => putThenGet(0.2))
})
