/**
 * Small statistics and formatting helpers of `pnpm bench:net`: percentiles of latency samples,
 * the median of several runs, a seeded generator so both networks see the same workload.
 */

// model

/** A summary of latency samples in milliseconds. */
export interface Latency {
  readonly count: number
  readonly p50: number
  readonly p99: number
  readonly max: number
}

// constructors

/** Nearest-rank percentile (`q` in [0, 1]) of `samples`; NaN when there are none. */
export const percentile = (samples: ReadonlyArray<number>, q: number): number => {
  if (samples.length === 0) return Number.NaN
  const sorted = [...samples].sort((a, b) => a - b)
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))
  return sorted[rank] as number
}

export const latency = (samples: ReadonlyArray<number>): Latency => ({
  count: samples.length,
  p50: percentile(samples, 0.5),
  p99: percentile(samples, 0.99),
  max: samples.length === 0 ? Number.NaN : Math.max(...samples),
})

/** The median of the finite numbers in `xs` (NaN when none is finite). */
export const median = (xs: ReadonlyArray<number>): number => percentile(xs.filter(Number.isFinite), 0.5)

/** A seeded 32-bit generator (mulberry32): the same seed gives both networks the same workload. */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** A uniform integer in [0, n). */
export const pick = (next: () => number, n: number): number => Math.min(n - 1, Math.floor(next() * n))

/** `count` distinct indices in [0, n), in random order. */
export const sample = (next: () => number, n: number, count: number): number[] => {
  const all = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = pick(next, i + 1)
    const t = all[i] as number
    all[i] = all[j] as number
    all[j] = t
  }
  return all.slice(0, Math.max(0, Math.min(n, count)))
}

export const randomBytes = (next: () => number, count: number): Uint8Array =>
  Uint8Array.from({ length: count }, () => pick(next, 256))

// formatting

export const ms = (x: number): string => (Number.isFinite(x) ? (x < 10 ? x.toFixed(2) : x.toFixed(1)) : 'n/a')
export const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : 'n/a')
export const kib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(1)} KiB` : 'n/a')
export const round = (x: number, digits = 3): number =>
  Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : Number.NaN

/** Runs `task(i)` for i in [0, count) with at most `window` in flight; resolves when all settled. */
export const pool = async (count: number, window: number, task: (i: number) => Promise<void>): Promise<void> => {
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < count) {
      const i = next++
      await task(i)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(window, count)) }, worker))
}
