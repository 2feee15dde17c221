/**
 * What `kademlia demo` measured, and how it is shown: a readable report for people, one JSON line
 * for programs (`--json`).
 */
import { bytes, ms, num, percent, round, type Summary } from './stats.js'

// model

/** One phase of operations (puts, gets, gets after the kill). */
export interface Phase {
  readonly attempted: number
  readonly succeeded: number
  /** Wall-clock milliseconds of each operation, from the caller's side. */
  readonly latency: Summary
  /** Hops of the lookups of this phase, from the core's `LookupFinished` notifications. */
  readonly hops: Summary
  /** Requests sent by all nodes during the phase, divided by the operations attempted. */
  readonly rpcsPerOp: number
  /** Failed operations by error code (`NO_REPLICAS`, `LOOKUP_FAILED`, `NOT_FOUND`, `WRONG_VALUE`, …). */
  readonly failures: Readonly<Record<string, number>>
}

export interface DemoResult {
  readonly nodes: number
  readonly ops: number
  readonly killFraction: number
  readonly join: {
    readonly ms: number
    readonly failed: number
    /** Each node's own join (listen + bootstrap), in milliseconds. */
    readonly perNode: Summary
    readonly contacts: Summary
    readonly emptyTables: number
  }
  readonly memory: {
    /** JS heap growth per node after a full GC (NaN when GC could not be forced). */
    readonly heapPerNode: number
    readonly rssPerNode: number
  }
  readonly put: Phase
  readonly get: Phase
  readonly killed: number
  readonly getAfterKill: Phase
  readonly elapsedMs: number
}

// queries

const successRate = (p: Phase): number => (p.attempted === 0 ? 0 : p.succeeded / p.attempted)

const failureText = (f: Readonly<Record<string, number>>): string => {
  const parts = Object.entries(f).map(([code, n]) => `${n} ${code}`)
  return parts.length === 0 ? '' : `; failed: ${parts.join(', ')}`
}

const phaseLines = (title: string, p: Phase): ReadonlyArray<string> => [
  `${title}`,
  `  success          ${p.succeeded}/${p.attempted} (${percent(successRate(p))})${failureText(p.failures)}`,
  `  latency          p50 ${ms(p.latency.p50)}   p99 ${ms(p.latency.p99)}   max ${ms(p.latency.max)}`,
  `  hops             mean ${num(p.hops.mean)}   p50 ${num(p.hops.p50, 0)}   p99 ${num(p.hops.p99, 0)}   (${p.hops.count} lookups)`,
  `  RPCs per op      ${num(p.rpcsPerOp)}`,
]

/** The human report printed to stdout. */
export const format = (r: DemoResult): string =>
  [
    '',
    `kademlia demo: ${r.nodes} nodes on 127.0.0.1 (UDP), ${r.ops} values, then ${r.killed} nodes killed (${percent(r.killFraction)})`,
    '',
    'Join',
    `  all nodes        ${ms(r.join.ms)} (${r.join.failed} failed)`,
    `  per node         p50 ${ms(r.join.perNode.p50)}   p99 ${ms(r.join.perNode.p99)}`,
    `  routing tables   mean ${num(r.join.contacts.mean)} contacts, p50 ${num(r.join.contacts.p50, 0)}, ${r.join.emptyTables} empty`,
    `  memory per node  ${bytes(r.memory.heapPerNode)} JS heap, ${bytes(r.memory.rssPerNode)} RSS`,
    '',
    ...phaseLines(`Put (store ${r.ops} values from random nodes)`, r.put),
    '',
    ...phaseLines(`Get (fetch each value from another random node)`, r.get),
    '',
    ...phaseLines(`Get after killing ${r.killed} of ${r.nodes} nodes (no repair time)`, r.getAfterKill),
    '',
    `Finished in ${ms(r.elapsedMs)}.`,
    '',
  ].join('\n')

const phaseJson = (p: Phase) => ({
  attempted: p.attempted,
  succeeded: p.succeeded,
  latency_ms: { p50: round(p.latency.p50), p99: round(p.latency.p99), max: round(p.latency.max) },
  hops: { mean: round(p.hops.mean), p50: round(p.hops.p50), p99: round(p.hops.p99), lookups: p.hops.count },
  rpcs_per_op: round(p.rpcsPerOp),
  failures: p.failures,
})

/** The one JSON line ending the output with `--json`. */
export const toJson = (r: DemoResult): string =>
  JSON.stringify({
    nodes: r.nodes,
    ops: r.ops,
    kill: r.killFraction,
    killed: r.killed,
    join_ms: round(r.join.ms),
    join_failed: r.join.failed,
    join_per_node_ms: { p50: round(r.join.perNode.p50), p99: round(r.join.perNode.p99) },
    contacts_mean: round(r.join.contacts.mean),
    empty_tables: r.join.emptyTables,
    heap_bytes_per_node: round(r.memory.heapPerNode, 0),
    rss_bytes_per_node: round(r.memory.rssPerNode, 0),
    put_success_rate: round(successRate(r.put), 4),
    get_success_rate: round(successRate(r.get), 4),
    get_success_after_kill: round(successRate(r.getAfterKill), 4),
    put: phaseJson(r.put),
    get: phaseJson(r.get),
    get_after_kill: phaseJson(r.getAfterKill),
    elapsed_ms: round(r.elapsedMs, 0),
  })
