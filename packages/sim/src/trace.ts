/**
 * The trace hash: SHA-256 over a compact canonical record of every event the simulator handles
 * and every effect the core returns, so two runs agree if and only if (up to SHA-256 collisions)
 * they did the same things in the same order at the same virtual times.
 *
 * Each record is a few 32-bit words (a kind code, the virtual time, node numbers, the message tag
 * and the first four bytes of the RPC id, outcome codes, hops) written into a 64 KiB buffer that
 * is fed to the hash when full: hashing costs about 4 bytes per field, not a text line per event.
 * The digest is the standard SHA-256 (computed with `node:crypto`, which is ~10x faster than a
 * pure-JS implementation on this path; any SHA-256 gives the same hex).
 */
import { createHash } from 'node:crypto'

// model

export interface Trace {
  /** Appends one 32-bit word (taken modulo 2^32). */
  readonly word: (w: number) => void
  /** Appends four bytes of `bytes` from `offset` as one big-endian word (0 when absent). */
  readonly bytes4: (bytes: Uint8Array, offset: number) => void
  /** Appends a string (UTF-16 code units, two per word, length first); for rare records only. */
  readonly text: (s: string) => void
  /** Number of words written so far. */
  readonly words: () => number
  /** Finishes and returns the hex digest; the trace is unusable afterwards. */
  readonly digest: () => string
}

// constructors

export const make = (): Trace => {
  const hash = createHash('sha256')
  const buffer = new Uint32Array(16384)
  const view = new Uint8Array(buffer.buffer)
  let used = 0
  let total = 0
  const flush = (): void => {
    hash.update(view.subarray(0, used * 4))
    used = 0
  }
  const word = (w: number): void => {
    buffer[used++] = w >>> 0
    total++
    if (used === buffer.length) flush()
  }
  const bytes4 = (b: Uint8Array, o: number): void =>
    word((((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0)
  const text = (s: string): void => {
    word(s.length)
    for (let i = 0; i < s.length; i += 2) word((s.charCodeAt(i) << 16) | (i + 1 < s.length ? s.charCodeAt(i + 1) : 0))
  }
  const digest = (): string => {
    flush()
    return hash.digest('hex')
  }
  return { word, bytes4, text, words: () => total, digest }
}
