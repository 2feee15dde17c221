/**
 * Scenarios: what to simulate, as a JSON or YAML file (or built from CLI flags), decoded at the
 * edge with io-ts into a `Scenario` with every default filled in. A bad scenario is a
 * `ScenarioError` listing each bad field by its dotted path.
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import { parse as parseYaml } from 'yaml'
import { closed, duration, fieldErrors, int32, nonNegative, nonNegativeInt, positive, positiveInt, probability, tagged } from './codec.js'
import type { FieldError } from './codec.js'

// model

const Latency = tagged('a latency model', {
  constant: closed('a constant latency', { kind: t.literal('constant'), ms: duration }, {}),
  uniform: closed('a uniform latency', { kind: t.literal('uniform'), min: duration, max: duration }, {}),
  lognormal: closed('a log-normal latency', { kind: t.literal('lognormal'), median: duration, sigma: nonNegative }, {}),
  matrix: closed(
    'a latency matrix',
    { kind: t.literal('matrix'), regions: t.array(positive), ms: t.array(t.array(nonNegative)) },
    { jitter: probability },
  ),
})
export type Latency = t.TypeOf<typeof Latency>

const Partition = closed('a partition', { at: duration, heal: duration, fraction: probability }, {})
export type Partition = t.TypeOf<typeof Partition>

const Network = closed('a network model', {}, { latency: Latency, loss: probability, partitions: t.array(Partition) })

const Session = tagged('a session-length distribution', {
  exponential: closed('an exponential distribution', { kind: t.literal('exponential'), mean: duration }, {}),
  weibull: closed('a Weibull distribution', { kind: t.literal('weibull'), shape: positive, scale: duration }, {}),
  pareto: closed('a Pareto distribution', { kind: t.literal('pareto'), shape: positive, min: duration }, {}),
})
export type Session = t.TypeOf<typeof Session>

const Churn = closed('a churn model', { session: Session }, { downtime: Session, start: duration })

const Popularity = tagged('a key popularity', {
  uniform: closed('uniform popularity', { kind: t.literal('uniform') }, {}),
  zipf: closed('Zipf popularity', { kind: t.literal('zipf'), exponent: nonNegative }, {}),
})
export type Popularity = t.TypeOf<typeof Popularity>

const Workload = closed(
  'a workload',
  {},
  {
    puts: nonNegative,
    gets: nonNegative,
    lookups: nonNegative,
    keys: positiveInt,
    popularity: Popularity,
    valueBytes: nonNegativeInt,
    start: duration,
  },
)

const Join = closed(
  'a join mode',
  { mode: t.union([t.literal('prefill'), t.literal('protocol')]) },
  { over: duration },
)

const Metrics = closed('metrics options', {}, { sample: duration, sampleNodes: positiveInt, closestCheck: t.boolean })

const ScenarioFile = closed(
  'a scenario',
  { nodes: positiveInt, duration },
  {
    name: t.string,
    description: t.string,
    seed: int32,
    join: Join,
    network: Network,
    churn: Churn,
    workload: Workload,
    core: t.UnknownRecord,
    metrics: Metrics,
  },
)
export type ScenarioFile = t.TypeOf<typeof ScenarioFile>

/** A decoded scenario with every default filled in. All times are milliseconds of virtual time. */
export interface Scenario {
  readonly name: string
  readonly description: string
  readonly seed: number
  readonly nodes: number
  readonly duration: number
  readonly join: {
    /** `prefill`: tables seeded from the sorted id list before time 0; `protocol`: real BootstrapRequested joins. */
    readonly mode: 'prefill' | 'protocol'
    /** Protocol joins are spread uniformly over this span from time 0. */
    readonly over: number
  }
  readonly network: {
    readonly latency: Latency
    readonly loss: number
    readonly partitions: ReadonlyArray<Partition>
  }
  readonly churn: { readonly session: Session; readonly downtime: Session | undefined; readonly start: number } | undefined
  readonly workload: {
    /** Operations per second over the whole network. */
    readonly puts: number
    readonly gets: number
    readonly lookups: number
    readonly keys: number
    readonly popularity: Popularity
    readonly valueBytes: number
    /** Virtual time at which the workload begins (after joins settle). */
    readonly start: number
  }
  /** A partial core `Config` (decoded by `Config.decode` of @kademlia-ts/core when the run starts). */
  readonly core: Readonly<Record<string, unknown>>
  readonly metrics: {
    readonly sample: number
    /** Routing-table health is measured on this many nodes (a fixed, seeded sample). */
    readonly sampleNodes: number
    /** Check every FIND_NODE result against the true closest live node. */
    readonly closestCheck: boolean
  }
}

export interface ScenarioError {
  readonly _tag: 'ScenarioError'
  readonly errors: ReadonlyArray<FieldError>
}

// constructors

export const defaults = {
  seed: 1,
  latency: { kind: 'lognormal', median: 50, sigma: 0.5 } as Latency,
  loss: 0,
  sample: 60_000,
  sampleNodes: 200,
  keys: 100,
  valueBytes: 32,
} as const

const fill = (f: ScenarioFile): E.Either<ScenarioError, Scenario> => {
  const problems: FieldError[] = []
  const join = { mode: f.join?.mode ?? 'prefill', over: f.join?.over ?? Math.min(f.duration / 4, f.nodes * 100) }
  const latency = f.network?.latency ?? defaults.latency
  if (latency.kind === 'uniform' && latency.min > latency.max) {
    problems.push({ path: 'network.latency.max', message: `must be ≥ min (${latency.min} ms)` })
  }
  if (latency.kind === 'matrix') {
    const r = latency.regions.length
    if (r === 0) problems.push({ path: 'network.latency.regions', message: 'expected at least one region' })
    if (latency.ms.length !== r) problems.push({ path: 'network.latency.ms', message: `expected ${r} rows (one per region), got ${latency.ms.length}` })
    latency.ms.forEach((row, i) => {
      if (row.length !== r) problems.push({ path: `network.latency.ms.${i}`, message: `expected ${r} columns, got ${row.length}` })
    })
  }
  ;(f.network?.partitions ?? []).forEach((p, i) => {
    if (p.heal < p.at) problems.push({ path: `network.partitions.${i}.heal`, message: `must be ≥ at (${p.at} ms)` })
  })
  if (problems.length > 0) return E.left({ _tag: 'ScenarioError', errors: problems })
  const start = f.workload?.start ?? (join.mode === 'protocol' ? join.over + 60_000 : 0)
  return E.right({
    name: f.name ?? 'scenario',
    description: f.description ?? '',
    seed: f.seed ?? defaults.seed,
    nodes: f.nodes,
    duration: f.duration,
    join,
    network: { latency, loss: f.network?.loss ?? defaults.loss, partitions: f.network?.partitions ?? [] },
    churn: f.churn === undefined ? undefined : { session: f.churn.session, downtime: f.churn.downtime, start: f.churn.start ?? start },
    workload: {
      puts: f.workload?.puts ?? 0,
      gets: f.workload?.gets ?? 0,
      lookups: f.workload?.lookups ?? 0,
      keys: f.workload?.keys ?? defaults.keys,
      popularity: f.workload?.popularity ?? { kind: 'uniform' },
      valueBytes: f.workload?.valueBytes ?? defaults.valueBytes,
      start,
    },
    core: f.core ?? {},
    metrics: {
      sample: f.metrics?.sample ?? defaults.sample,
      sampleNodes: f.metrics?.sampleNodes ?? defaults.sampleNodes,
      closestCheck: f.metrics?.closestCheck ?? true,
    },
  })
}

/** Decodes a parsed scenario (from JSON, YAML or flags); every problem names its field. */
export const decode = (input: unknown): E.Either<ScenarioError, Scenario> => {
  const result = ScenarioFile.decode(input)
  return E.isLeft(result) ? E.left({ _tag: 'ScenarioError', errors: fieldErrors(result.left) }) : fill(result.right)
}

/** Parses scenario text: JSON when `format` is json (or the text starts with `{`), YAML otherwise. */
export const parse = (text: string, format?: 'json' | 'yaml'): E.Either<ScenarioError, Scenario> => {
  let raw: unknown
  try {
    raw = format === 'json' || (format === undefined && text.trimStart().startsWith('{')) ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    return E.left({ _tag: 'ScenarioError', errors: [{ path: '(file)', message: `not valid ${format ?? 'YAML/JSON'}: ${(e as Error).message}` }] })
  }
  return decode(raw)
}

// queries

export const formatError = (e: ScenarioError): string =>
  ['invalid scenario:', ...e.errors.map((f) => `  ${f.path}: ${f.message}`)].join('\n')
