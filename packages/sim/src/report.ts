/**
 * The HTML report: the run's summary table and charts. Charts are vega-lite specifications
 * compiled to vega and rendered to SVG headlessly (no hand-drawn SVG), inlined in one HTML file
 * that opens in any browser without a network connection.
 */
import * as vega from 'vega'
import { compile } from 'vega-lite'
import type { TopLevelSpec } from 'vega-lite'
import type { RunResult } from './engine.js'
import * as Duration from './duration.js'
import * as Summary from './summary.js'

// model

export interface Chart {
  readonly title: string
  readonly spec: TopLevelSpec
}

// constructors

const WIDTH = 520
const HEIGHT = 220

const timeSeries = (title: string, r: RunResult, fields: ReadonlyArray<readonly [string, string]>, yTitle: string): Chart => {
  const values = r.metrics.samples.flatMap((s) =>
    fields.map(([field, label]) => ({ minutes: s.t / 60000, series: label, value: (s as unknown as Record<string, number>)[field] ?? 0 })),
  )
  return {
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      title,
      width: WIDTH,
      height: HEIGHT,
      data: { values },
      mark: { type: 'line', point: values.length < 80 },
      encoding: {
        x: { field: 'minutes', type: 'quantitative', title: 'virtual time (min)' },
        y: { field: 'value', type: 'quantitative', title: yTitle },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  }
}

/** The charts of a run, as vega-lite specifications. */
export const charts = (r: RunResult): ReadonlyArray<Chart> => {
  const hops = r.lookup.hopsHistogram.map((count, h) => ({ hops: h, count, kind: 'lookup' }))
    .concat(r.get.hopsHistogram.map((count, h) => ({ hops: h, count, kind: 'get' })))
  // The CDF as at most 200 quantiles per kind, so a run with 10^6 operations keeps a small report.
  const latencies = (['lookup', 'get', 'put'] as const).flatMap((kind) => {
    const xs = r.metrics.ops.filter((o) => o.kind === kind && !o.abandoned && o.latency >= 0).map((o) => o.latency).sort((a, b) => a - b)
    const points = Math.min(200, xs.length)
    return Array.from({ length: points }, (_, i) => {
      const fraction = (i + 1) / points
      return { kind, latency: xs[Math.max(0, Math.ceil(fraction * xs.length) - 1)] as number, fraction }
    })
  })
  const out: Chart[] = [
    {
      title: 'Hops per successful lookup',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        title: 'Hops per successful lookup',
        width: WIDTH,
        height: HEIGHT,
        data: { values: hops },
        mark: 'bar',
        encoding: {
          x: { field: 'hops', type: 'ordinal', title: 'hops' },
          xOffset: { field: 'kind' },
          y: { field: 'count', type: 'quantitative', title: 'operations' },
          color: { field: 'kind', type: 'nominal', title: null },
        },
      },
    },
    {
      title: 'Operation latency (CDF)',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        title: 'Operation latency (CDF)',
        width: WIDTH,
        height: HEIGHT,
        data: { values: latencies },
        mark: 'line',
        encoding: {
          x: { field: 'latency', type: 'quantitative', title: 'latency (virtual ms)' },
          y: { field: 'fraction', type: 'quantitative', title: 'fraction ≤ x' },
          color: { field: 'kind', type: 'nominal', title: null },
        },
      },
    },
    timeSeries('Live nodes', r, [['live', 'live nodes']], 'nodes'),
    timeSeries('Routing table fill', r, [['tableSize', 'contacts per table'], ['buckets', 'non-empty buckets']], 'per node'),
    timeSeries('Routing table staleness', r, [['stale', 'contacts pointing to departed nodes']], 'fraction'),
    timeSeries('Replicas per key', r, [['replicas', 'mean live holders'], ['minReplicas', 'fewest live holders']], 'nodes'),
    timeSeries('Bandwidth', r, [['bandwidth', 'bytes/s per live node']], 'bytes/s'),
    timeSeries('Operation success per interval', r, [['successRate', 'operations that succeeded'], ['closestRate', 'lookups that found the true closest']], 'fraction'),
  ]
  return out
}

// queries

/** Renders a vega-lite chart to an SVG string (headless, no browser). */
export const toSvg = async (chart: Chart): Promise<string> => {
  const spec = compile(chart.spec).spec
  const view = new vega.View(vega.parse(spec), { renderer: 'none' })
  try {
    return await view.toSVG()
  } finally {
    view.finalize()
  }
}

const escape = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] as string)

/** The whole report as one self-contained HTML page. */
export const html = async (r: RunResult, heapBytes: number): Promise<string> => {
  const line = Summary.line(r, heapBytes)
  const svgs = await Promise.all(charts(r).map(toSvg))
  const rows = Object.entries(line)
    .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`)
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>kademlia-sim: ${escape(r.scenario.name)}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin-bottom: 2em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.6em; text-align: left; font-size: 0.9em; }
th { background: #f4f4f4; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 1.5em; }
.note { color: #555; max-width: 60em; }
</style>
</head>
<body>
<h1>kademlia-sim: ${escape(r.scenario.name)}</h1>
<p class="note">${escape(r.scenario.description)}</p>
<p class="note">${r.scenario.nodes} nodes, ${escape(Duration.format(r.scenario.duration))} of virtual time, seed ${r.scenario.seed},
join mode <b>${r.joins.mode}</b>${r.joins.mode === 'prefill' ? ' (routing tables seeded from the sorted id list before time 0; the workload then runs the real protocol)' : ' (every node joined through BootstrapRequested)'}.
Trace hash <code>${r.traceHash}</code>.</p>
<table>
${rows}
</table>
<div class="charts">
${svgs.map((s) => `<figure>${s}</figure>`).join('\n')}
</div>
</body>
</html>
`
}
