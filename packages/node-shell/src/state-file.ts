/**
 * State files: what Python's `save_state` pickles (k, alpha, our id, up to k neighbours), as
 * versioned JSON instead of pickle (loading one never runs code; F17 in the Python notes).
 *
 * Writes are atomic: the JSON goes to a temporary file in the same directory, is flushed to disk,
 * and is renamed over the target, so a reader sees either the old file or the new one, never half
 * of one. Reads are defensive: a file that cannot be read, is not JSON, or does not decode as a
 * state file of a known version is a `StateFileError` naming the reason, and is left untouched.
 */
import { open, readFile, rename, rm } from 'node:fs/promises'
import { dirname, basename, join } from 'node:path'
import { randomBytes } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import { PathReporter } from 'io-ts/lib/PathReporter.js'
import { StateFileError } from './errors.js'

// model

export const VERSION = 1

const Hex40 = t.refinement(t.string, (s) => /^[0-9a-f]{40}$/.test(s), 'Hex40')
const PositiveInt = t.refinement(t.number, (n) => Number.isInteger(n) && n > 0, 'PositiveInt')

/** Version 1. `neighbors` are addresses as `host:port` / `[v6]:port`. */
export const StateV1 = t.type({
  version: t.literal(VERSION),
  ksize: PositiveInt,
  alpha: PositiveInt,
  id: Hex40,
  neighbors: t.array(t.string),
})
export type State = t.TypeOf<typeof StateV1>

// queries

/** Reads and validates `path`; never modifies it. */
export const read = async (path: string): Promise<E.Either<StateFileError, State>> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (e) {
    return E.left(new StateFileError(path, 'Unreadable', `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e }))
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return E.left(new StateFileError(path, 'NotJson', `is not JSON (${(e as Error).message})`, { cause: e }))
  }
  if (typeof json === 'object' && json !== null && 'version' in json && json.version !== VERSION)
    return E.left(new StateFileError(path, 'UnsupportedVersion', `has version ${JSON.stringify(json.version)}; this build reads version ${VERSION}`))
  const decoded = StateV1.decode(json)
  return E.isLeft(decoded)
    ? E.left(new StateFileError(path, 'Invalid', `is not a kademlia state file: ${PathReporter.report(decoded).join('; ')}`))
    : E.right(decoded.right)
}

// transitions

export interface WriteOptions {
  /** Replace `path` even if it exists and is not a readable state file (default false). */
  readonly replaceUnreadable?: boolean
}

/**
 * Writes `state` to `path` atomically (temporary file, fsync, rename, fsync of the directory).
 * An existing `path` that is not a readable state file is not replaced (`WouldOverwrite`) unless
 * `replaceUnreadable`: a node that started fresh past a broken file must not destroy it.
 */
export const write = async (path: string, state: State, options: WriteOptions = {}): Promise<void> => {
  if (options.replaceUnreadable !== true) {
    const existing = await read(path)
    if (E.isLeft(existing) && !(existing.left.reason === 'Unreadable' && (existing.left.cause as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'))
      throw new StateFileError(path, 'WouldOverwrite', `is not a readable state file (${existing.left.reason}); refusing to replace it: move it away, or save with replaceUnreadable`, { cause: existing.left })
  }
  const dir = dirname(path)
  const temp = join(dir, `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  try {
    const handle = await open(temp, 'wx', 0o600)
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`, 'utf8')
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, path)
  } catch (e) {
    await rm(temp, { force: true }).catch(() => undefined)
    throw new StateFileError(path, 'WriteFailed', `cannot be written (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e })
  }
  // The rename is durable once the directory entry is; not every platform can open a directory.
  try {
    const d = await open(dir, 'r')
    try {
      await d.sync()
    } finally {
      await d.close()
    }
  } catch {
    // best effort (e.g. Windows)
  }
}
