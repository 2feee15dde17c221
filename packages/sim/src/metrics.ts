/**
 * Metrics: one record per user operation (hops, RPCs, latency, success, whether the true closest
 * node was found) and time series sampled at a fixed virtual interval (live nodes, routing-table
 * fill and staleness, replicas per key, bandwidth). Plain mutable collectors owned by the run;
 * `summarise` turns them into the JSON the report and the CLI print.
 */
import type { Message } from '@kademlia-ts/core'

// model

export type OpKind = 'get' | 'put' | 'lookup' | 'join'

export interface OpRecord {
  readonly kind: OpKind
  readonly node: number
  readonly start: number
  /** Virtual ms from the command to its Complete. */
  latency: number
  hops: number
  rpcs: number
  success: boolean
  /** For lookups: whether the closest returned node is the true closest live node (undefined: not checked). */
  closest: boolean | undefined
  /** For lookups: the closest nodes returned, closest first. */
  found?: ReadonlyArray<Message.PeerInfo>
  /** Set when the issuing node left before the operation completed. */
  abandoned: boolean
}

export interface Sample {
  /** Virtual time, ms. */
  readonly t: number
  readonly live: number
  /** Mean contacts per routing table over the sampled live nodes. */
  readonly tableSize: number
  /** Mean number of non-empty buckets over the sampled live nodes. */
  readonly buckets: number
  /** Fraction of the sampled nodes' contacts that point to nodes no longer live. */
  readonly stale: number
  /** Mean live holders per published key. */
  readonly replicas: number
  /** Fewest live holders of any published key. */
  readonly minReplicas: number
  /** Published keys with no live holder. */
  readonly lostKeys: number
  /** Bytes sent per second per live node over the interval. */
  readonly bandwidth: number
  /** Messages sent per second over the interval (whole network). */
  readonly messages: number
  /** Lookups, gets and puts completed in the interval, and the fraction that succeeded. */
  readonly completed: number
  readonly successRate: number
  /** Of the lookups checked in the interval, the fraction that found the true closest live node. */
  readonly closestRate: number
}

export interface KindSummary {
  readonly count: number
  readonly abandoned: number
  readonly successRate: number
  readonly meanHops: number
  readonly meanRpcs: number
  readonly latencyMs: { readonly mean: number; readonly p50: number; readonly p95: number; readonly p99: number }
  /** Fraction of checked lookups that found the true closest live node (undefined: none checked). */
  readonly closestRate: number | undefined
  /** Count of completed operations per hop count. */
  readonly hopsHistogram: ReadonlyArray<number>
}

export interface Collector {
  readonly ops: OpRecord[]
  readonly samples: Sample[]
  /** Totals since the start. */
  bytes: number
  messages: number
  lost: number
  deadDeliveries: number
  /** Bytes and messages since the last sample. */
  intervalBytes: number
  intervalMessages: number
  intervalCompleted: number
  intervalSucceeded: number
  intervalChecked: number
  intervalClosest: number
  readonly byTag: Record<string, number>
  readonly notifications: Record<string, number>
}

// constructors

export const collector = (): Collector => ({
  ops: [],
  samples: [],
  bytes: 0,
  messages: 0,
  lost: 0,
  deadDeliveries: 0,
  intervalBytes: 0,
  intervalMessages: 0,
  intervalCompleted: 0,
  intervalSucceeded: 0,
  intervalChecked: 0,
  intervalClosest: 0,
  byTag: {},
  notifications: {},
})

// queries

const quantile = (sorted: ReadonlyArray<number>, q: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number)

const mean = (xs: ReadonlyArray<number>): number => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length)

/** Summary of the completed operations of one kind (abandoned ones counted apart). */
export const summarise = (ops: ReadonlyArray<OpRecord>, kind: OpKind): KindSummary => {
  const all = ops.filter((o) => o.kind === kind)
  const done = all.filter((o) => !o.abandoned && o.latency >= 0)
  const ok = done.filter((o) => o.success)
  const latencies = done.map((o) => o.latency).sort((a, b) => a - b)
  const checked = ok.filter((o) => o.closest !== undefined)
  const hist: number[] = []
  for (const o of ok) hist[o.hops] = (hist[o.hops] ?? 0) + 1
  return {
    count: done.length,
    abandoned: all.length - done.length,
    successRate: done.length === 0 ? 0 : ok.length / done.length,
    meanHops: mean(ok.map((o) => o.hops)),
    meanRpcs: mean(done.map((o) => o.rpcs)),
    latencyMs: { mean: mean(latencies), p50: quantile(latencies, 0.5), p95: quantile(latencies, 0.95), p99: quantile(latencies, 0.99) },
    closestRate: checked.length === 0 ? undefined : checked.filter((o) => o.closest === true).length / checked.length,
    hopsHistogram: Array.from(hist, (c) => c ?? 0),
  }
}
