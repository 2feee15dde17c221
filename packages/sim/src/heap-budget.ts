/**
 * How much JS heap a run needs, so that a run bound to exceed the process's limit says so before
 * its prefill rather than dying in V8 minutes later. Figures from `bench:sim` (docs/benchmarks.md,
 * "Simulator"): about 9.2 KB per node at 10^4, 10 KB at 10^5 and 12.1 KB at 10^6 after the
 * prefill, plus the run's own growth; the estimate rounds up.
 */

// model

/** Heap bytes per node the estimate counts. */
export const BYTES_PER_NODE = 12_500

/** Heap bytes of a run of no nodes (modules, the engine, the report). */
export const FIXED_BYTES = 64 * 2 ** 20

// queries

/** Estimated heap bytes for a run of `nodes` nodes. */
export const estimate = (nodes: number): number => FIXED_BYTES + nodes * BYTES_PER_NODE

const size = (bytes: number): string =>
  bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${Math.ceil(bytes / 2 ** 20)} MiB`

/**
 * A warning when a run of `nodes` nodes likely needs more heap than `limit` bytes (the process's
 * `heap_size_limit`), saying how to raise the limit; undefined when it likely fits.
 */
export const warning = (nodes: number, limit: number): string | undefined => {
  const need = estimate(nodes)
  if (need <= limit) return undefined
  const mib = Math.ceil((need * 1.25) / 2 ** 20)
  return `${nodes} nodes need up to about ${size(need)} of heap and this process may use ${size(limit)}: ` +
    `the run may run out of memory. Raise the limit with node --max-old-space-size=${mib} (the kademlia-sim ` +
    `command sets 3/4 of the machine's memory unless told otherwise).`
}
