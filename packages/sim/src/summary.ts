/**
 * The run's results as plain JSON: what the CLI prints with `--json` (one line) and what the
 * report writes to `result.json`.
 */
import type { RunResult } from './engine.js'
import type { KindSummary } from './metrics.js'

// model

/** The one-line summary the CLI ends with under `--json`. */
export interface Line {
  readonly scenario: string
  readonly seed: number
  readonly trace_hash: string
  readonly events: number
  readonly events_per_s: number
  readonly wall_s: number
  readonly prefill_s: number
  readonly nodes: number
  readonly nodes_created: number
  readonly live_at_end: number
  readonly join_mode: 'prefill' | 'protocol'
  readonly virtual_s: number
  readonly lookups: number
  readonly lookup_success_rate: number
  readonly mean_hops: number
  readonly mean_rpcs: number
  readonly closest_found_rate: number | null
  readonly gets: number
  readonly get_success_rate: number
  readonly puts: number
  readonly put_success_rate: number
  readonly messages: number
  readonly bytes: number
  readonly heap_bytes: number
}

// queries

const round = (x: number, digits = 4): number => Math.round(x * 10 ** digits) / 10 ** digits

export const line = (r: RunResult, heapBytes: number): Line => ({
  scenario: r.scenario.name,
  seed: r.scenario.seed,
  trace_hash: r.traceHash,
  events: r.events,
  events_per_s: Math.round(r.eventsPerSecond),
  wall_s: round(r.wallSeconds, 3),
  prefill_s: round(r.prefillSeconds, 3),
  nodes: r.nodes,
  nodes_created: r.nodesEverCreated,
  live_at_end: r.liveAtEnd,
  join_mode: r.joins.mode,
  virtual_s: r.virtualMs / 1000,
  lookups: r.lookup.count,
  lookup_success_rate: round(r.lookup.successRate),
  mean_hops: round(r.lookup.meanHops),
  mean_rpcs: round(r.lookup.meanRpcs),
  closest_found_rate: r.lookup.closestRate === undefined ? null : round(r.lookup.closestRate),
  gets: r.get.count,
  get_success_rate: round(r.get.successRate),
  puts: r.put.count,
  put_success_rate: round(r.put.successRate),
  messages: r.metrics.messages,
  bytes: r.metrics.bytes,
  heap_bytes: heapBytes,
})

/** Everything worth keeping from a run, as JSON-ready data (per-operation records excluded). */
export const full = (r: RunResult, heapBytes: number): Record<string, unknown> => ({
  summary: line(r, heapBytes),
  scenario: r.scenario,
  operations: { lookup: r.lookup, get: r.get, put: r.put, join: r.join } satisfies Record<string, KindSummary>,
  traffic: {
    messages: r.metrics.messages,
    bytes: r.metrics.bytes,
    lost: r.metrics.lost,
    toDeparted: r.metrics.deadDeliveries,
    byMessage: r.metrics.byTag,
  },
  notifications: r.metrics.notifications,
  prefilledContacts: r.joins.prefilledContacts,
  stuckDeadlines: r.stuckDeadlines,
  series: r.metrics.samples,
})

/** One JSON line per user operation (lookups, gets, puts, joins), in the order they were issued. */
export const operations = (r: RunResult): string => {
  let out = ''
  for (const o of r.metrics.ops) {
    out += `${JSON.stringify({
      kind: o.kind,
      node: o.node,
      start_ms: o.start,
      latency_ms: o.latency,
      hops: o.hops,
      rpcs: o.rpcs,
      success: o.success,
      closest: o.closest ?? null,
      abandoned: o.abandoned,
    })}\n`
  }
  return out
}
