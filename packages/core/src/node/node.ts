/**
 * The Kademlia node as a pure reducer (exported as the namespace `Node`):
 *
 * ```
 * init(config, { id, seed, at }) -> NodeState
 * step(state, event)             -> { state, effects }   // total, never throws
 * nextDeadline(state)            -> Instant | undefined  // when to send `Ticked`
 * ```
 *
 * A driver feeds each event with `at` on its monotonic millisecond time line, carries out the
 * effects in order (Send, Complete, Notify), then re-arms its one timer at `nextDeadline`.
 * `docs/protocol.md` describes the protocol; ADR 0005 the decisions.
 */
import * as NodeIdNs from '../id/node-id.js'
import type { NodeId } from '../id/node-id.js'
import type { Contact } from '../routing-table/contact.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Rtt from '../rpc/rtt.js'
import type { StoredRecord } from '../store/record.js'
import * as Store from '../store/store.js'
import type { Duration } from '../time.js'
import type { Metrics } from './metrics.js'
import * as State from './state.js'
import type { NodeState } from './state.js'

export type { NodeState } from './state.js'
export type { Step } from './step.js'
export type { Metrics } from './metrics.js'
export { init, nextDeadline } from './state.js'
export { step } from './step.js'

// queries

export const id = (s: NodeState): NodeId => s.id

export const routingTable = (s: NodeState): RoutingTable.RoutingTable => s.table

/** The `n` contacts of our table closest to `target`, closest first. */
export const closest = (s: NodeState, target: NodeId, n: number): ReadonlyArray<Contact> =>
  RoutingTable.closest(s.table, target, n)

/** Every record held, expired ones included until the next tick removes them. */
export const records = (s: NodeState): ReadonlyArray<StoredRecord> => Store.records(s.store)

export const metrics = (s: NodeState): Metrics => s.metrics

/** The current adaptive RPC timeout before back-off. */
export const rpcTimeout = (s: NodeState): Duration => Rtt.rto(s.rtt, s.config)

/** Operations (lookups, stores, pings, …) still running. */
export const pendingOperations = (s: NodeState): number => s.tasks.size

/** Requests in flight (including timed-out ones whose late reply is still accepted). */
export const requestsInFlight = (s: NodeState): number => s.inFlight.entries.length

// transitions

/**
 * `s` with its routing table replaced by `table`: for drivers that build converged tables outside
 * the protocol (a simulator's prefill, the testing kit's `OracleNetwork`), e.g. by folding
 * `RoutingTable.observe` over known peers. Nothing else changes and nothing is notified. A table
 * that belongs to another node (`table.self` is not our id) is refused: `s` comes back unchanged.
 */
export const withRoutingTable = (s: NodeState, table: RoutingTable.RoutingTable): NodeState =>
  NodeIdNs.equals(table.self, s.id) ? State.set(s, 'table', table) : s
