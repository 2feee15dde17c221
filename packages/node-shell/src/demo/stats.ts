/**
 * Summaries of what the demo measures: latency percentiles, means, memory figures.
 */

// model

/** Milliseconds (or hops, or RPCs) of a set of samples. */
export interface Summary {
  readonly count: number
  readonly mean: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

// constructors

/** Nearest-rank percentile (`q` in [0, 1]); NaN for no samples. */
export const percentile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export const summarize = (samples: ReadonlyArray<number>): Summary => {
  const sorted = [...samples].sort((a, b) => a - b)
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sorted.reduce((a, b) => a + b, 0) / sorted.length,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  }
}

/** A ratio in [0, 1]; 0 when nothing was attempted (and the report says so). */
export const rate = (ok: number, of: number): number => (of === 0 ? 0 : ok / of)

// formatting

export const round = (x: number, digits = 2): number | null =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : null

export const ms = (x: number): string => (Number.isFinite(x) ? `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms` : 'n/a')
export const percent = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : 'n/a')
export const bytes = (x: number): string => {
  if (!Number.isFinite(x)) return 'n/a'
  if (Math.abs(x) < 1024) return `${Math.round(x)} B`
  if (Math.abs(x) < 1024 * 1024) return `${(x / 1024).toFixed(1)} KiB`
  return `${(x / 1024 / 1024).toFixed(1)} MiB`
}
export const num = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a')
