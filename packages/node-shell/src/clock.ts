/**
 * The shell's one source of time: the `at` of every event it gives the core.
 *
 * Instants are `performance.timeOrigin + performance.now()`, i.e. milliseconds since the Unix
 * epoch, advancing monotonically within a process (`performance.now()` never jumps back). Using
 * the wall-clock origin rather than 0 keeps persisted instants (a record's `expiresAt`, written to
 * durable storage) meaningful after a restart: a record that expired while the node was down is
 * recognised as expired. If the wall clock is stepped between two runs, restored expiries are
 * off by that step; within a run the time line never goes backwards (`now` is clamped to the last
 * instant handed out).
 */
import { performance } from 'node:perf_hooks'
import { Time } from '@kademlia-ts/core'

// model

export interface Clock {
  /** The current instant; never smaller than one returned before. */
  readonly now: () => Time.Instant
}

// constructors

/** The real clock (see the module comment). */
export const system = (): Clock => {
  let last = Time.instant(0)
  return {
    now: () => {
      const t = Time.instant(performance.timeOrigin + performance.now())
      last = Time.later(last, t)
      return last
    },
  }
}
