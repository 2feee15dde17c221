/** The `kademlia-sim` command line, driven in-process: the JSON line, the files, field-named errors. */
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cli } from '@kademlia-ts/sim'

const capture = (): { out: string[]; err: string[] } => {
  const out: string[] = []
  const err: string[] = []
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (out.push(String(chunk)), true))
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => (err.push(String(chunk)), true))
  return { out, err }
}

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = 0
})

describe('kademlia-sim run', () => {
  it('ends --json with one line of results and writes result.json, operations.jsonl and report.html', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kademlia-sim-'))
    const { out } = capture()
    await Cli.program().parseAsync(['node', 'kademlia-sim', 'run', '--nodes', '60', '--duration', '2m', '--seed', '9', '--churn', 'exponential:5m', '--out', dir, '--json'])
    vi.restoreAllMocks()
    expect(process.exitCode ?? 0).toBe(0)
    const line = JSON.parse((out.join('').trim().split('\n').pop() as string)) as Record<string, unknown>
    for (const key of ['trace_hash', 'events', 'events_per_s', 'nodes', 'lookup_success_rate', 'mean_hops']) expect(line).toHaveProperty(key)
    expect(line['nodes']).toBe(60)
    expect(line['trace_hash']).toMatch(/^[0-9a-f]{64}$/)
    const result = JSON.parse(readFileSync(join(dir, 'result.json'), 'utf8')) as { summary: { trace_hash: string }; series: unknown[] }
    expect(result.summary.trace_hash).toBe(line['trace_hash'])
    expect(result.series.length).toBeGreaterThan(1)
    expect(readFileSync(join(dir, 'operations.jsonl'), 'utf8').trim().split('\n').length).toBeGreaterThan(10)
    const html = readFileSync(join(dir, 'report.html'), 'utf8')
    expect(html).toContain('<svg')
    expect(html).toContain(line['trace_hash'] as string)
  })

  it('rejects a bad scenario file with exit status 2, naming each bad field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kademlia-sim-'))
    const file = join(dir, 'bad.yaml')
    writeFileSync(file, 'nodes: 10\nduration: 1h\nnetwork:\n  latency: { kind: lognormal, median: 50, sigma: x }\nworkload: { gest: 1 }\ncore: { bucketSize: -3 }\n')
    const { err } = capture()
    await Cli.program().parseAsync(['node', 'kademlia-sim', 'run', file, '--out', join(dir, 'out')])
    vi.restoreAllMocks()
    expect(process.exitCode).toBe(2)
    const text = err.join('')
    expect(text).toContain('network.latency.sigma')
    expect(text).toContain('workload.gest: unknown field')
    expect(existsSync(join(dir, 'out'))).toBe(false)
  })

  it('rejects a bad core config, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kademlia-sim-'))
    const file = join(dir, 'bad-core.json')
    writeFileSync(file, JSON.stringify({ nodes: 10, duration: '1m', core: { bucketSize: -3 } }))
    const { err } = capture()
    await Cli.program().parseAsync(['node', 'kademlia-sim', 'run', file, '--out', join(dir, 'out')])
    vi.restoreAllMocks()
    expect(process.exitCode).toBe(2)
    expect(err.join('')).toContain('core.bucketSize')
  })

  it('turns --churn and --latency flags into scenario sections', () => {
    expect(Cli.churnFlag('weibull:0.6:1h')).toEqual({ session: { kind: 'weibull', shape: 0.6, scale: '1h' } })
    expect(Cli.churnFlag('pareto:1.5:20m')).toEqual({ session: { kind: 'pareto', shape: 1.5, min: '20m' } })
    expect(Cli.latencyFlag('uniform:20:200')).toEqual({ kind: 'uniform', min: 20, max: 200 })
  })
})
