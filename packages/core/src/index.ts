/**
 * @kademlia-ts/core: the pure Kademlia core. Every concept is a namespace:
 * `import { NodeId, RoutingTable } from '@kademlia-ts/core'`, then `RoutingTable.observe(...)`.
 */
export * as Address from './address.js'
export * as Distance from './id/distance.js'
export * as Message from './rpc/message.js'
export * as NodeId from './id/node-id.js'
export * as Prng from './prng.js'
export * as RpcId from './rpc/rpc-id.js'
export * as Time from './time.js'
export * as Value from './rpc/value.js'
export * as Record from './store/record.js'
export * as RoutingTable from './routing-table/routing-table.js'
export * as Contact from './routing-table/contact.js'
export * as Bucket from './routing-table/bucket.js'
export type { Event, OpId } from './node/event.js'
export type { Effect, Outcome, Notification, FailureReason, IgnoreReason } from './node/effect.js'
export * as Node from './node/node.js'
export * as Config from './node/config.js'
export * as Lookup from './lookup/lookup.js'
export * as Store from './store/store.js'
export type { NodeState, Step, Metrics } from './node/node.js'
export type { ConfigError } from './node/config.js'
