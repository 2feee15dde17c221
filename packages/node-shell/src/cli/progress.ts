/**
 * Progress of long CLI phases, always on stderr so stdout stays the report (and, with `--json`,
 * ends with the one JSON line). On a terminal it is a `cli-progress` bar; when stderr is not a
 * TTY, or with `--json`, it is a few plain lines per phase (start, every quarter, end).
 */
import cliProgress from 'cli-progress'

// model

export interface Progress {
  /** Starts a phase of `total` steps; ends the previous one if it is still open. */
  readonly start: (phase: string, total: number) => void
  /** Advances the current phase by one step. */
  readonly tick: () => void
  /** Ends the current phase, with an optional one-line summary. */
  readonly end: (summary?: string) => void
  /** A free line between phases. */
  readonly note: (line: string) => void
}

export interface Options {
  /** Draw a bar (a TTY and no `--json`) or print plain lines. */
  readonly bar: boolean
  readonly stream: NodeJS.WriteStream
}

// constructors

/** Bar when the stream is a terminal and the output is not JSON. */
export const forStderr = (json: boolean): Options => ({ bar: !json && process.stderr.isTTY === true, stream: process.stderr })

const barProgress = (stream: NodeJS.WriteStream): Progress => {
  let bar: cliProgress.SingleBar | undefined
  let value = 0
  const end = (summary?: string): void => {
    if (bar === undefined) return
    bar.stop()
    bar = undefined
    if (summary !== undefined) stream.write(`  ${summary}\n`)
  }
  return {
    start: (phase, total) => {
      end()
      value = 0
      bar = new cliProgress.SingleBar(
        {
          stream,
          format: `${phase.padEnd(24)} [{bar}] {value}/{total}  {duration_formatted}`,
          barsize: 30,
          hideCursor: true,
          fps: 12,
        },
        cliProgress.Presets.shades_classic,
      )
      bar.start(total, 0)
    },
    tick: () => {
      value++
      bar?.update(value)
    },
    end,
    note: (line) => {
      end()
      stream.write(`${line}\n`)
    },
  }
}

const lineProgress = (stream: NodeJS.WriteStream): Progress => {
  let phase: string | undefined
  let total = 0
  let value = 0
  let nextReport = 0
  let startedAt = 0
  const report = (): void => {
    stream.write(`${phase ?? ''}: ${value}/${total}\n`)
    nextReport = Math.min(total, value + Math.max(1, Math.ceil(total / 4)))
  }
  const end = (summary?: string): void => {
    if (phase === undefined) return
    const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
    stream.write(`${phase}: done ${value}/${total} in ${seconds} s${summary === undefined ? '' : `, ${summary}`}\n`)
    phase = undefined
  }
  return {
    start: (p, t) => {
      end()
      phase = p
      total = t
      value = 0
      startedAt = performance.now()
      report()
    },
    tick: () => {
      value++
      if (phase !== undefined && value >= nextReport && value < total) report()
    },
    end,
    note: (line) => {
      end()
      stream.write(`${line}\n`)
    },
  }
}

export const create = (o: Options): Progress => (o.bar ? barProgress(o.stream) : lineProgress(o.stream))

/** A progress that prints nothing (for callers that embed the demo). */
export const silent: Progress = { start: () => undefined, tick: () => undefined, end: () => undefined, note: () => undefined }
