/**
 * @kademlia-ts/core/testing: fast-check arbitraries and an in-memory oracle network for users who
 * write property-based tests of lookup logic. Requires `fast-check` (a peer dependency).
 */
export {}
export * from './routing-arbitraries.js'
export * from './message-arbitraries.js'
export * from './event-arbitraries.js'
export * as OracleNetwork from './oracle-network.js'
export * as Universe from './oracle-universe.js'
