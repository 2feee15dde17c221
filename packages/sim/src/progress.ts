/**
 * A progress bar on stderr for long runs (cli-progress), showing virtual time, events and live
 * nodes; silent when stderr is not a terminal.
 */
import cliProgress from 'cli-progress'
import type { Progress } from './engine.js'
import * as Duration from './duration.js'

export interface Bar {
  readonly update: (p: Progress) => void
  readonly stop: () => void
}

export const make = (enabled: boolean): Bar => {
  if (!enabled || process.stderr.isTTY !== true) return { update: () => undefined, stop: () => undefined }
  const bar = new cliProgress.SingleBar(
    {
      format: 'simulating [{bar}] {percentage}% | {virtual} virtual | {events} events | {live} live',
      stream: process.stderr,
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  )
  let started = false
  return {
    update: (p) => {
      const payload = { virtual: Duration.format(p.now), events: p.events, live: p.live }
      if (!started) {
        bar.start(p.duration, p.now, payload)
        started = true
      } else bar.update(p.now, payload)
    },
    stop: () => {
      if (started) bar.stop()
    },
  }
}
