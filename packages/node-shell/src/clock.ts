/**
 * The shell's one source of time: the `at` of every event it gives the core.
 *
 * The core's time line is whole milliseconds since this process's `performance.timeOrigin`, plus
 * `OFFSET` (2^29 ms, about 6.2 days), advancing monotonically (`performance.now()` never jumps
 * back; `now` is also clamped to the last instant handed out). Such instants stay small integers
 * (V8 SMIs, below 2^30) for the first ~6.2 days of a process: every contact's `lastSeen` and
 * every deadline is then an immediate value rather than an 8-byte heap number of its own (about
 * 25 bytes less per contact in bench:net). The offset keeps "long ago" (0) more than a day behind
 * any instant, as it was with wall-clock instants, and keeps restored records of the last days
 * at positive instants.
 *
 * What outlives the process or leaves the shell is wall-clock time (milliseconds since the Unix
 * epoch): the storage is given and gives back records with wall-clock `storedAt`/`expiresAt`,
 * and `Server.records()` and the `recordStored` event show them so (`toWall`, `fromWall`). A
 * record that expired while the node was down is therefore recognised as expired after a
 * restart; if the wall clock is stepped between two runs, restored expiries shift by that step.
 */
import { performance } from 'node:perf_hooks'
import { Time } from '@kademlia-ts/core'
import type { Record } from '@kademlia-ts/core'

// model

export interface Clock {
  /** The current instant; never smaller than one returned before. */
  readonly now: () => Time.Instant
  /** Milliseconds since the Unix epoch of an instant of this time line. */
  readonly toWall: (at: Time.Instant) => number
  /** The instant of this time line at a wall-clock time (milliseconds since the Unix epoch). */
  readonly fromWall: (ms: number) => Time.Instant
}

/** Added to `performance.now()`: 2^29 ms, about 6.2 days. */
export const OFFSET = 2 ** 29

// constructors

/** The real clock (see the module comment); every clock of a process shares one time line. */
export const system = (): Clock => {
  const base = Math.floor(performance.timeOrigin) - OFFSET
  let last = Time.instant(0)
  return {
    now: () => {
      const t = Time.instant(performance.now() + OFFSET)
      last = Time.later(last, t)
      return last
    },
    toWall: (at) => at + base,
    fromWall: (ms) => Time.instant(ms - base),
  }
}

// queries

/** `record` with its instants moved by `move` (to or from wall-clock time). */
export const moveRecord = (record: Record.StoredRecord, move: (at: Time.Instant) => number): Record.StoredRecord => ({
  ...record,
  storedAt: Time.instant(move(record.storedAt)),
  expiresAt: Time.instant(move(record.expiresAt)),
})
