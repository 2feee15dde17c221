/**
 * Same scenario + same seed -> the same run, down to the trace hash over every event and effect;
 * a different seed -> a different run. The scenario exercises every model at once: protocol
 * joins, log-normal latency with loss, a partition that heals, churn, and the whole workload.
 */
import { describe, expect, it } from 'vitest'
import { run } from './run.js'

const scenario = (seed: number): unknown => ({
  name: 'determinism',
  seed,
  nodes: 150,
  duration: '4m',
  join: { mode: 'protocol', over: '30s' },
  network: {
    latency: { kind: 'lognormal', median: 40, sigma: 0.6 },
    loss: 0.02,
    partitions: [{ at: '2m', heal: '2m30s', fraction: 0.3 }],
  },
  churn: { session: { kind: 'pareto', shape: 1.5, min: '2m' }, downtime: { kind: 'exponential', mean: '10s' }, start: '1m' },
  workload: { puts: 1, gets: 2, lookups: 1, keys: 20, popularity: { kind: 'zipf', exponent: 1 }, start: '45s' },
  metrics: { sample: '30s', sampleNodes: 50 },
})

describe('determinism', () => {
  it('two runs of one scenario and seed give one trace hash; another seed gives another', () => {
    const a = run(scenario(1))
    const b = run(scenario(1))
    const c = run(scenario(2))
    expect(a.events).toBeGreaterThan(10_000)
    expect(a.nodesEverCreated).toBeGreaterThan(150) // churn replaced some nodes
    expect(a.metrics.lost).toBeGreaterThan(0)
    expect(a.traceHash).toMatch(/^[0-9a-f]{64}$/)
    expect(b.traceHash).toBe(a.traceHash)
    expect(b.events).toBe(a.events)
    expect(b.metrics.samples).toEqual(a.metrics.samples)
    expect(c.traceHash).not.toBe(a.traceHash)
  })

  it('counts every popped event once: the handled ones are `events`, the rest are accounted for', () => {
    const r = run(scenario(3))
    const c = r.eventCounts
    expect(c.deliveries + c.ticks + c.sendFailures + c.joins + c.leaves + c.workload + c.scripted).toBe(r.events)
    expect(c.popped).toBe(r.events + c.deadDeliveries + c.staleTicks + c.skipped + c.samples)
    expect(c.deadDeliveries).toBe(r.metrics.deadDeliveries)
    expect(c.deadDeliveries).toBeGreaterThan(0) // churn: messages to departed nodes
    expect(c.joins).toBe(r.nodesEverCreated) // protocol joins: every node, first ones and replacements
    expect(c.leaves).toBeGreaterThan(0)
    expect(c.sendFailures).toBe(0) // the simulator only sends to node numbers it made
    // Samples every 30 s from 0 to 4 min, each popped once (the last is at the end, not repeated).
    expect(c.samples).toBe(9)
    expect(r.metrics.samples.length).toBe(9)
    // A step per delivery, tick and send failure, plus one per command (joins' bootstraps, workload).
    expect(c.steps).toBeGreaterThanOrEqual(c.deliveries + c.ticks + c.sendFailures)
    expect(c.steps).toBeLessThanOrEqual(c.deliveries + c.ticks + c.sendFailures + c.joins + c.workload + c.scripted)
  })
})
