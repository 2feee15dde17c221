/**
 * The paper's claims, measured on the real core (tables prefilled, then the real protocol):
 *
 * - §3: lookups take O(log n) hops. Measured at n = 1000, 2000, 5000 and 10 000 with 100 random
 *   FIND_NODE lookups each: the mean hop count divided by log2(n) is the same constant at every
 *   size, within ±10 % of the mean ratio (with k = 20 it is ≈ 0.18: each hop gains ~5 bits), and
 *   the hop count grows with n.
 * - §2.3: with no churn and no loss, a lookup finds the true closest live node (every lookup).
 * - §3 / §2.5: under churn with replication, ≥ 99 % of gets and lookups succeed and no published
 *   record is lost (every published key keeps a live holder at every sample).
 */
import { describe, expect, it } from 'vitest'
import { run } from './run.js'

const SIZES = [1000, 2000, 5000, 10_000]
const TOLERANCE = 0.1

describe("the paper's claims", () => {
  it('mean hops grow like log2(n), and lookups find the true closest with no churn', () => {
    const results = SIZES.map((n) =>
      run({
        name: `hops-${n}`,
        seed: 17,
        nodes: n,
        duration: '27s',
        network: { latency: { kind: 'constant', ms: 30 } },
        workload: { lookups: 4 },
        metrics: { sample: '1m', sampleNodes: 10 },
      }),
    )
    const ratios = results.map((r, i) => r.lookup.meanHops / Math.log2(SIZES[i] as number))
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length
    for (const [i, r] of results.entries()) {
      expect(r.lookup.count, `n = ${SIZES[i]}`).toBeGreaterThanOrEqual(80)
      expect(r.lookup.successRate).toBe(1)
      expect(r.lookup.closestRate, `true closest found at n = ${SIZES[i]}`).toBe(1)
      expect(Math.abs((ratios[i] as number) / mean - 1), `hops / log2 n at n = ${SIZES[i]}: ${ratios.join(', ')}`).toBeLessThanOrEqual(TOLERANCE)
    }
    const first = results[0]?.lookup.meanHops as number
    const last = results[results.length - 1]?.lookup.meanHops as number
    expect(last).toBeGreaterThan(first)
  })

  it('under churn with replication, ≥ 99 % of gets and lookups succeed and records survive', () => {
    const r = run({
      name: 'churn',
      seed: 5,
      nodes: 300,
      duration: '15m',
      network: { latency: { kind: 'lognormal', median: 50, sigma: 0.5 } },
      // Mean session 15 min: about two thirds of the nodes leave (and are replaced) during the run.
      churn: { session: { kind: 'exponential', mean: '15m' }, start: '1m' },
      workload: { puts: 0.5, gets: 2, lookups: 1, keys: 30, start: '10s' },
      // Time scaled down: replication every 3 minutes instead of every hour.
      core: { replicateInterval: 180_000 },
      metrics: { sample: '1m' },
    })
    expect(r.nodesEverCreated - r.nodes).toBeGreaterThan(100)
    expect(r.get.count).toBeGreaterThan(1000)
    expect(r.get.successRate).toBeGreaterThanOrEqual(0.99)
    expect(r.lookup.successRate).toBeGreaterThanOrEqual(0.99)
    const published = r.metrics.samples.filter((s) => s.replicas > 0)
    expect(published.length).toBeGreaterThan(10)
    for (const s of published) expect(s.lostKeys, `t = ${s.t}`).toBe(0)
  })
})
