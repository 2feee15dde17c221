/**
 * @kademlia-ts/sim: a deterministic discrete-event simulator that runs the real
 * @kademlia-ts/core `step` for many nodes in one process. Each concept is a namespace.
 */
export * as Churn from './models/churn.js'
export * as CoreDriver from './core-driver.js'
export * as Duration from './duration.js'
export * as Engine from './engine.js'
export * as HeapBudget from './heap-budget.js'
export * as EventQueue from './event-queue.js'
export * as IdIndex from './id-index.js'
export * as MessageSize from './message-size.js'
export * as Metrics from './metrics.js'
export * as Network from './models/network.js'
export * as Random from './random.js'
export * as Report from './report.js'
export * as Scenario from './scenario.js'
export * as Summary from './summary.js'
export * as Trace from './trace.js'
export * as Workload from './models/workload.js'
export type { Driver, Peer } from './driver.js'
export * as Cli from './cli-program.js'
