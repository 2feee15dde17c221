/**
 * The simulator and the core's `OracleNetwork` are two drivers of the same `Node.step`. On the
 * same small network (the oracle's ids, converged tables in both, no loss) the same lookups from
 * the same nodes must return the same k closest nodes, and both must equal the brute-force truth.
 */
import { describe, expect, it } from 'vitest'
import { NodeId } from '@kademlia-ts/core'
import { OracleNetwork } from '@kademlia-ts/core/testing'
import { Random } from '@kademlia-ts/sim'
import { run } from './run.js'

const SIZE = 80
const SEED = 2024
const LOOKUPS = 24

describe('simulator and OracleNetwork', () => {
  it('agree on the k closest returned by the same lookups on the same network', () => {
    let net = OracleNetwork.create({ size: SIZE, seed: SEED, join: 'prefill', latency: { min: 5, max: 50 } })
    const ids = Array.from({ length: SIZE }, (_, i) => OracleNetwork.node(net, i).id)
    const rng = Random.fromSeed(SEED)
    const script = Array.from({ length: LOOKUPS }, (_, n) => ({
      at: 1000 + n * 5000,
      node: rng.int(SIZE),
      target: NodeId.unsafeFromBytes(rng.bytes(20)),
    }))

    const sim = run({
      nodes: SIZE,
      duration: `${1000 + LOOKUPS * 5000}ms`,
      seed: SEED,
      join: { mode: 'prefill' },
      network: { latency: { kind: 'uniform', min: 5, max: 50 } },
    }, { ids, script })
    const simLookups = sim.metrics.ops.filter((o) => o.kind === 'lookup')
    expect(simLookups).toHaveLength(LOOKUPS)

    for (const [n, s] of script.entries()) {
      const done = OracleNetwork.execute(net, s.node, { _tag: 'FindNodeRequested', target: s.target })
      net = done.net
      expect(done.outcome?._tag).toBe('NodesFound')
      const oracleIds = done.outcome?._tag === 'NodesFound' ? done.outcome.closest.map((p) => NodeId.toHex(p.id)) : []
      const simIds = (simLookups[n]?.found ?? []).map((p) => NodeId.toHex(p.id))
      const truth = OracleNetwork.trueClosest(net, s.target, 20, [s.node]).map((p) => NodeId.toHex(p.id))
      expect(simIds, `lookup ${n}`).toEqual(oracleIds)
      expect(simIds, `lookup ${n}`).toEqual(truth)
    }
  })
})
