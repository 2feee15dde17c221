/**
 * `kademlia demo` for real: a 30-node UDP network on 127.0.0.1 in a child process, with the
 * figures of its final JSON line checked for presence and plausibility (not for speed).
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, killAll, lastJson, requireBuild } from './cli-process.js'

beforeAll(requireBuild)
afterEach(killAll)

describe('kademlia demo', () => {
  it('joins 30 nodes, stores and fetches 30 values, survives killing 20 % of them, ends with one JSON line', async () => {
    const p = cli(['demo', '--nodes', '30', '--ops', '30', '--kill', '0.2', '--json'])
    expect(await p.exit(90_000)).toBe(0)
    const r = lastJson(p)

    expect(r.nodes).toBe(30)
    expect(r.ops).toBe(30)
    expect(r.killed).toBe(6)
    expect(r.join_failed).toBe(0)
    expect(r.empty_tables).toBe(0)
    expect(r.contacts_mean).toBeGreaterThan(5)
    // On a healthy loopback network every value is stored and found (a STORE acknowledged after its
    // adaptive timeout still counts), and after the kill the 20 replicas of each value leave plenty
    // of survivors.
    expect(r.put_success_rate).toBe(1)
    expect(r.get_success_rate).toBe(1)
    expect(r.get_success_after_kill).toBeGreaterThanOrEqual(0.95)
    const failed = (r.put as { attempted: number; succeeded: number; failures: Record<string, number> })
    expect(Object.values(failed.failures).reduce((a, b) => a + b, 0)).toBe(failed.attempted - failed.succeeded)

    const get = r.get as { hops: { mean: number; lookups: number }; rpcs_per_op: number; latency_ms: { p50: number; p99: number } }
    expect(get.hops.lookups).toBe(30) // one value lookup per get: the getters hold no copy
    expect(get.hops.mean).toBeGreaterThanOrEqual(1)
    expect(get.rpcs_per_op).toBeGreaterThanOrEqual(1)
    expect(get.latency_ms.p50).toBeGreaterThan(0)
    expect(get.latency_ms.p99).toBeGreaterThanOrEqual(get.latency_ms.p50)
    const put = r.put as { hops: { lookups: number }; rpcs_per_op: number }
    expect(put.hops.lookups).toBe(30) // one node lookup per put, failed or not
    // A put is a node lookup plus STOREs to the k closest: more requests than a get.
    expect(put.rpcs_per_op).toBeGreaterThan(get.rpcs_per_op)
    expect(r.heap_bytes_per_node).toBeGreaterThan(0)
    expect(typeof r.rss_bytes_per_node).toBe('number')

    // The readable report comes first on stdout; plain progress lines go to stderr (not a TTY).
    expect(p.stdout()).toMatch(/Get after killing 6 of 30 nodes/)
    expect(p.stdout()).toMatch(/latency +p50 [\d.]+ ms +p99 [\d.]+ ms/)
    expect(p.stderr()).toMatch(/joining 30 nodes: done 30\/30/)
    expect(p.stderr().includes(String.fromCharCode(27))).toBe(false) // no bar escapes: stderr is not a terminal
  })

  it('rejects a kill fraction outside [0, 1) with exit code 2', async () => {
    const p = cli(['demo', '--kill', '1.5'])
    expect(await p.exit()).toBe(2)
    expect(p.stderr()).toMatch(/--kill/)
  })
})
