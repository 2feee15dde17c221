/** Small helpers of `bench:core`: a monotonic clock and the median. */

// queries

export const now = (): number => performance.now()

/** Seconds since `t0` (a `now()` reading). */
export const seconds = (t0: number): number => (performance.now() - t0) / 1000

export const median = (xs: ReadonlyArray<number>): number => {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >>> 1
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}
