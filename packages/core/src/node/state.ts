/**
 * The state of one Kademlia node: plain immutable data, shared structurally between steps. It is
 * held once per simulated node (up to 10^6 times), so it keeps only what the protocol needs: the
 * routing table, the records, the requests in flight, the running operations (tasks), one RTT
 * estimator, the PRNG and a few counters. Every deadline is derived from these, see
 * `nextDeadline`.
 */
import type { NodeId } from '../id/node-id.js'
import type * as Lookup from '../lookup/lookup.js'
import * as Prng from '../prng.js'
import * as InFlight from '../rpc/in-flight.js'
import type { Value } from '../rpc/value.js'
import * as Rtt from '../rpc/rtt.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Store from '../store/store.js'
import type { Instant } from '../time.js'
import * as Time from '../time.js'
import type { Config } from './config.js'
import { tableConfig } from './config.js'
import type { OpId } from './event.js'
import * as Metrics from './metrics.js'

// model

/** What a lookup is for, which decides what happens when it finishes. */
export type Goal =
  | { readonly _tag: 'FindNode'; readonly opId: OpId }
  | { readonly _tag: 'Get'; readonly opId: OpId }
  /** A user's put (opId) or our own 24-hourly republish (no opId). */
  | { readonly _tag: 'Put'; readonly opId: OpId | undefined; readonly key: NodeId; readonly value: Value }
  /** Join (§2.3): the lookup of our own id after bootstrap pings. */
  | { readonly _tag: 'Join'; readonly opId: OpId | undefined }
  /** Bucket refresh (§2.3), part of a RefreshRequested group (`parent`) or not. */
  | { readonly _tag: 'Refresh'; readonly parent: number | undefined; readonly join: boolean }

/** A running operation, keyed by a task number local to the node. */
export type Task =
  | { readonly _tag: 'Looking'; readonly goal: Goal; readonly lookup: Lookup.Lookup; readonly values: boolean }
  /** STOREs of a put or republish sent; `pending` not yet settled, `acked` acknowledged. */
  | { readonly _tag: 'Storing'; readonly opId: OpId | undefined; readonly pending: number; readonly acked: number }
  | { readonly _tag: 'Pinging'; readonly opId: OpId }
  /** Bootstrap pings sent to addresses; then the join lookup. */
  | { readonly _tag: 'Bootstrapping'; readonly opId: OpId; readonly pending: number; readonly answered: number }
  /** A RefreshRequested: `pending` refresh lookups not yet finished. */
  | { readonly _tag: 'Refreshing'; readonly opId: OpId; readonly pending: number; readonly buckets: number }

/** Why a request is in flight: who is told of its reply or its timeout. */
export type Purpose =
  | { readonly _tag: 'Lookup'; readonly task: number }
  /** A STORE of a put (task) or a fire-and-forget one (replication, hand-off, caching). */
  | { readonly _tag: 'Store'; readonly task: number | undefined }
  /** The ping of a full bucket's least-recently seen contact (§2.2). */
  | { readonly _tag: 'Probe' }
  /** A user's ping or a bootstrap ping. */
  | { readonly _tag: 'Ping'; readonly task: number }

export interface NodeState {
  readonly config: Config
  readonly id: NodeId
  /** The latest `at` seen; events are applied at no earlier instant. */
  readonly now: Instant
  readonly prng: Prng.Prng
  readonly table: RoutingTable.RoutingTable
  readonly inFlight: InFlight.InFlight<Purpose>
  readonly tasks: ReadonlyMap<number, Task>
  readonly nextTask: number
  readonly store: Store.Store
  readonly rtt: Rtt.Rtt
  readonly metrics: Metrics.Metrics
}

/**
 * The next state as one `step` builds it: a fresh copy of the step's input state (and of its
 * counters), made once at the start of the step and updated in place by the handlers. It is never
 * shared before `step` returns it as the next state, so updating it mutates nothing anyone else
 * holds; everything it points to (table, tasks, lookups, in-flight entries, store) stays
 * immutable and is replaced, never changed. One copy per step instead of one per change.
 */
export interface Draft {
  readonly config: Config
  readonly id: NodeId
  now: Instant
  prng: Prng.Prng
  table: RoutingTable.RoutingTable
  inFlight: InFlight.InFlight<Purpose>
  tasks: ReadonlyMap<number, Task>
  nextTask: number
  store: Store.Store
  rtt: Rtt.Rtt
  metrics: Metrics.Draft
}

// constructors

/** Shared by every fresh node: never mutated (every transition copies on write). */
const NO_TASKS: ReadonlyMap<number, Task> = new Map()
const NO_REQUESTS: InFlight.InFlight<Purpose> = InFlight.empty()
/** One routing-table config per node config, so a million nodes share one object. */
const tableConfigs = new WeakMap<Config, RoutingTable.Config>()
const tableConfigOf = (config: Config): RoutingTable.Config => {
  let c = tableConfigs.get(config)
  if (c === undefined) {
    c = { ...RoutingTable.defaultConfig, ...tableConfig(config) }
    tableConfigs.set(config, c)
  }
  return c
}

/** A fresh node: empty table and store, the PRNG seeded with `seed`, time starting at `at`. */
export const init = (config: Config, opts: { readonly id: NodeId; readonly seed: number; readonly at: Instant }): NodeState => ({
  config,
  id: opts.id,
  now: opts.at,
  prng: Prng.fromSeed(opts.seed),
  table: RoutingTable.empty(opts.id, tableConfigOf(config), opts.at),
  inFlight: NO_REQUESTS,
  tasks: NO_TASKS,
  nextTask: 1,
  store: Store.empty,
  rtt: Rtt.empty,
  metrics: Metrics.zero,
})

/**
 * A copy of `s` with one field replaced, built field by field in `init`'s order so every state
 * keeps one hidden class (measurably faster than an object spread on the hot path).
 */
export const set = <K extends keyof NodeState>(s: NodeState, key: K, value: NodeState[K]): NodeState => {
  const next: { -readonly [F in keyof NodeState]: NodeState[F] } = {
    config: s.config,
    id: s.id,
    now: s.now,
    prng: s.prng,
    table: s.table,
    inFlight: s.inFlight,
    tasks: s.tasks,
    nextTask: s.nextTask,
    store: s.store,
    rtt: s.rtt,
    metrics: s.metrics,
  }
  next[key] = value
  return next
}

/** The draft of the state after `s`, at instant `now` (in `init`'s field order: one hidden class). */
export const draft = (s: NodeState, now: Instant): Draft => ({
  config: s.config,
  id: s.id,
  now,
  prng: s.prng,
  table: s.table,
  inFlight: s.inFlight,
  tasks: s.tasks,
  nextTask: s.nextTask,
  store: s.store,
  rtt: s.rtt,
  metrics: Metrics.copy(s.metrics),
})

// queries

/**
 * When the driver must next send `Ticked`: the earliest RPC timeout, record expiry,
 * replication/republish instant, or bucket refresh (only while the table holds contacts).
 */
export const nextDeadline = (s: NodeState): Instant | undefined =>
  Time.earliest(
    Time.earliest(InFlight.nextDeadline(s.inFlight), s.store.next),
    RoutingTable.size(s.table) > 0 ? RoutingTable.nextRefreshAt(s.table, s.config.refreshInterval) : undefined,
  )
