/**
 * The scenario of `pnpm bench:sim` at one size: prefilled tables, FIND_NODE lookups to random
 * targets at max(20, n/3600) per second (one per node per hour), puts at 1/20 and gets at 1/5 of
 * that rate, log-normal latency (median 50 ms, σ 0.5), no loss, one metric sample at each end.
 */
import { Scenario } from '@kademlia-ts/sim'

export const benchScenario = (nodes: number, virtualMs: number, seed: number): Scenario.Scenario => {
  const lookups = Math.max(20, nodes / 3600)
  const decoded = Scenario.decode({
    name: `bench-${nodes}`,
    seed,
    nodes,
    duration: virtualMs,
    join: { mode: 'prefill' },
    network: { latency: { kind: 'lognormal', median: 50, sigma: 0.5 } },
    workload: { lookups, puts: lookups / 20, gets: lookups / 5, keys: 1000 },
    metrics: { sample: virtualMs, sampleNodes: 100, closestCheck: true },
  })
  if (decoded._tag === 'Left') throw new Error(Scenario.formatError(decoded.left))
  return decoded.right
}
