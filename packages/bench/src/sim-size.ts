/**
 * One size of `pnpm bench:sim`, in its own process (so an out-of-memory at 10^6 nodes ends only
 * this child): prefill, measure the heap, run the workload, print one JSON line.
 *
 *   node --expose-gc --max-old-space-size=22000 sim-size.js NODES VIRTUAL SEED
 */
import { CoreDriver, Duration, Engine } from '@kademlia-ts/sim'
import { benchScenario } from './sim-scenario.js'
import { collectGarbage } from './util/heap.js'

export interface SizeResult {
  readonly nodes: number
  readonly virtual_s: number
  readonly prefill_s: number
  readonly prefilled_contacts: number
  readonly heap_bytes_per_node: number
  readonly heap_bytes: number
  /** ArrayBuffer bytes (outside the JS heap) per node at the same instant: the id slabs, the event queue's arrays. */
  readonly buffer_bytes_per_node: number
  /** Events handled (see `Engine.EventCounts`); `popped` adds the skipped ones and the samples. */
  readonly events: number
  readonly popped: number
  readonly stale_ticks: number
  readonly dead_deliveries: number
  /** Calls of the core's `step`. */
  readonly steps: number
  readonly events_per_s: number
  /** Events per second of CPU time of this process (robust when other processes share the cores). */
  readonly events_per_cpu_s: number
  readonly cpu_s: number
  readonly wall_s: number
  readonly wall_s_per_sim_hour: number
  readonly lookups: number
  readonly lookup_success_rate: number
  readonly mean_hops: number
  readonly messages: number
  readonly trace_hash: string
}


const main = (): void => {
  const [nodesArg, virtualArg, seedArg] = process.argv.slice(2)
  const nodes = Number(nodesArg)
  const virtual = Duration.parse(virtualArg ?? '2m') ?? 120_000
  const scenario = benchScenario(nodes, virtual, Number(seedArg ?? 1))
  const driver = CoreDriver.make({})
  if (driver._tag === 'Left') throw new Error(driver.left.join('\n'))
  let heap = 0
  let buffers = 0
  let cpuAtStart = 0
  const cpu = (): number => {
    const u = process.cpuUsage()
    return (u.user + u.system) / 1e6
  }
  const result = Engine.run(scenario, driver.right, {
    onStarted: () => {
      collectGarbage()
      const mem = process.memoryUsage()
      heap = mem.heapUsed
      buffers = mem.arrayBuffers
      cpuAtStart = cpu()
      process.stderr.write(`  ${nodes} nodes prefilled; heap ${(heap / 2 ** 30).toFixed(2)} GiB\n`)
    },
    onPrefill: (done, total) => {
      if (done % (1 << 17) < 8192) process.stderr.write(`  prefill ${done} / ${total} nodes\n`)
    },
    onProgress: (p) => {
      if (p.events % (1 << 20) === 0) process.stderr.write(`  ${Duration.format(p.now)} virtual, ${p.events} events\n`)
    },
  })
  const cpuSeconds = cpu() - cpuAtStart
  const out: SizeResult = {
    nodes,
    virtual_s: virtual / 1000,
    prefill_s: Math.round(result.prefillSeconds * 10) / 10,
    prefilled_contacts: result.joins.prefilledContacts,
    heap_bytes_per_node: Math.round(heap / nodes),
    heap_bytes: heap,
    buffer_bytes_per_node: Math.round(buffers / nodes),
    events: result.events,
    popped: result.eventCounts.popped,
    stale_ticks: result.eventCounts.staleTicks,
    dead_deliveries: result.eventCounts.deadDeliveries,
    steps: result.eventCounts.steps,
    events_per_s: Math.round(result.eventsPerSecond),
    events_per_cpu_s: Math.round(result.events / cpuSeconds),
    cpu_s: Math.round(cpuSeconds * 10) / 10,
    wall_s: Math.round(result.wallSeconds * 10) / 10,
    wall_s_per_sim_hour: Math.round((result.wallSeconds / (virtual / 3_600_000)) * 10) / 10,
    lookups: result.lookup.count,
    lookup_success_rate: result.lookup.successRate,
    mean_hops: result.lookup.meanHops,
    messages: result.metrics.messages,
    trace_hash: result.traceHash,
  }
  process.stdout.write(`${JSON.stringify(out)}\n`)
}

main()
