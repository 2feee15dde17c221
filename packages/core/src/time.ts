/**
 * Time as data. The core never reads a clock: every event carries `at`, and deadlines are
 * `Instant`s kept in state. Both are whole milliseconds; an `Instant` is on the driver's
 * monotonic time line (its origin is the driver's choice), a `Duration` is a span between two.
 */

// model

export type Instant = number & { readonly Instant: unique symbol }
export type Duration = number & { readonly Duration: unique symbol }

// constructors

/** Milliseconds on the driver's monotonic time line, truncated to a whole millisecond. */
export const instant = (ms: number): Instant => Math.floor(ms) as Instant
export const millis = (ms: number): Duration => Math.floor(ms) as Duration
export const seconds = (s: number): Duration => Math.floor(s * 1000) as Duration
export const minutes = (m: number): Duration => Math.floor(m * 60_000) as Duration
export const hours = (h: number): Duration => Math.floor(h * 3_600_000) as Duration

export const ZERO: Instant = 0 as Instant

// queries

export const add = (at: Instant, d: Duration): Instant => (at + d) as Instant
export const elapsed = (from: Instant, to: Instant): Duration => (to - from) as Duration
export const isReached = (deadline: Instant, at: Instant): boolean => at >= deadline
export const earliest = (a: Instant | undefined, b: Instant | undefined): Instant | undefined =>
  a === undefined ? b : b === undefined ? a : a <= b ? a : b
export const later = (a: Instant, b: Instant): Instant => (a >= b ? a : b)
