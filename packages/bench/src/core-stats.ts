/** Small helpers of `bench:core`: a monotonic clock, this process's CPU clock and the median. */

// queries

export const now = (): number => performance.now()

/** Seconds since `t0` (a `now()` reading). */
export const seconds = (t0: number): number => (performance.now() - t0) / 1000

/** A wall-clock and a CPU-clock reading (CPU: user + system time of this process, all threads). */
export interface Mark {
  readonly wall: number
  readonly cpu: number
}

export const mark = (): Mark => {
  const c = process.cpuUsage()
  return { wall: performance.now(), cpu: (c.user + c.system) / 1000 }
}

/** Wall and CPU seconds since `m`. */
export const since = (m: Mark): { readonly wall: number; readonly cpu: number } => {
  const n = mark()
  return { wall: (n.wall - m.wall) / 1000, cpu: (n.cpu - m.cpu) / 1000 }
}

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >>> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
