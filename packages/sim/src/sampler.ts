/**
 * The time-series sampler: at each sample instant, routing-table fill and staleness over a
 * seeded sample of live nodes, replicas per published key, bandwidth and operation success over
 * the interval since the previous sample. It reads the engine's arrays and changes nothing in
 * them; it resets the collector's interval counters.
 */
import type { NodeId } from '@kademlia-ts/core'
import type { Driver } from './driver.js'
import type * as Metrics from './metrics.js'
import * as Random from './random.js'

// model

export interface View<S> {
  readonly seed: number
  readonly sampleNodes: number
  readonly driver: Driver<S>
  /** Node states by node number; undefined once departed. */
  readonly states: ReadonlyArray<S | undefined>
  /** The node whose id this is (the highest node number if several are), or -1. */
  readonly indexOf: (id: NodeId.NodeId) => number
  readonly live: ReadonlyArray<number>
  /** Ranks of the published workload keys. */
  readonly published: ReadonlyArray<number>
  /** Live holders of the key of a rank. */
  readonly holders: (rank: number) => number
  readonly metrics: Metrics.Collector
}

// constructors

/** A sampler: call it with the current virtual time to append one `Sample`. */
export const make = <S>(v: View<S>): ((now: number) => void) => {
  // A fixed seeded stream picks the nodes, independent of the protocol's randomness.
  const rng = Random.fromSeed(v.seed ^ 0x5a5a5a5a)
  // Contacts are found by the value of their id (a binary search of the engine's id index), so
  // neither a table keeping copies of ids nor a million-node run needs a map of every id.
  const indexOf = v.indexOf
  return (now) => {
    const m = v.metrics
    let contacts = 0
    let dead = 0
    let buckets = 0
    const n = Math.min(v.sampleNodes, v.live.length)
    for (let s = 0; s < n; s++) {
      const st = v.states[v.live[rng.int(v.live.length)] as number] as S
      const cs = v.driver.contactIds(st)
      contacts += cs.length
      buckets += v.driver.bucketCount(st)
      for (const id of cs) {
        const j = indexOf(id)
        if (j < 0 || v.states[j] === undefined) dead++
      }
    }
    let replicas = 0
    let minReplicas = Infinity
    let lostKeys = 0
    for (const rank of v.published) {
      const h = v.holders(rank)
      replicas += h
      minReplicas = Math.min(minReplicas, h)
      if (h === 0) lostKeys++
    }
    const prev = m.samples[m.samples.length - 1]
    const span = prev === undefined ? 0 : (now - prev.t) / 1000
    const live = v.live.length
    m.samples.push({
      t: now,
      live,
      tableSize: n === 0 ? 0 : contacts / n,
      buckets: n === 0 ? 0 : buckets / n,
      stale: contacts === 0 ? 0 : dead / contacts,
      replicas: v.published.length === 0 ? 0 : replicas / v.published.length,
      minReplicas: v.published.length === 0 ? 0 : minReplicas,
      lostKeys,
      bandwidth: span === 0 || live === 0 ? 0 : m.intervalBytes / span / live,
      messages: span === 0 ? 0 : m.intervalMessages / span,
      completed: m.intervalCompleted,
      successRate: m.intervalCompleted === 0 ? 1 : m.intervalSucceeded / m.intervalCompleted,
      closestRate: m.intervalChecked === 0 ? 1 : m.intervalClosest / m.intervalChecked,
    })
    m.intervalBytes = 0
    m.intervalMessages = 0
    m.intervalCompleted = 0
    m.intervalSucceeded = 0
    m.intervalChecked = 0
    m.intervalClosest = 0
  }
}
