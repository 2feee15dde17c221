/**
 * How the CLI talks: results on stdout (text for people, or with `--json` one JSON object per
 * line, the last line being the result), diagnostics on stderr, and exit codes:
 * 0 done, 1 not found (`get`), 2 failed (bad arguments, no peer answered, ...).
 */
import type { Value } from '@kademlia-ts/core'
import { NodeId } from '@kademlia-ts/core'
import { KademliaError } from '../errors.js'

// model

export const EXIT_OK = 0
export const EXIT_NOT_FOUND = 1
export const EXIT_FAILED = 2

/** A value as JSON: its type and a JSON-safe form (bytes as hex). */
export interface JsonValue {
  readonly type: 'string' | 'number' | 'boolean' | 'bytes'
  readonly value: string | number | boolean
}

/** A failure the CLI reports and exits with `EXIT_FAILED`. */
export class CliError extends Error {
  readonly code: string
  constructor(code: string, message: string) {
    super(message)
    this.code = code
  }
}

// queries

export const jsonValue = (v: Value.Value): JsonValue =>
  v instanceof Uint8Array
    ? { type: 'bytes', value: NodeId.toHex(v) }
    : typeof v === 'string'
      ? { type: 'string', value: v }
      : typeof v === 'number'
        ? { type: 'number', value: v }
        : { type: 'boolean', value: v }

/** A value as text: strings as they are, bytes as `0x` + hex, numbers and booleans printed. */
export const textValue = (v: Value.Value): string => (v instanceof Uint8Array ? `0x${NodeId.toHex(v)}` : String(v))

const errorCode = (e: unknown): string =>
  e instanceof KademliaError || e instanceof CliError ? e.code : e instanceof Error && e.name === 'TimeoutError' ? 'TIMEOUT' : 'ERROR'

const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e))

// transitions

export const printLine = (line: string): void => void process.stdout.write(`${line}\n`)
export const printJson = (o: object): void => printLine(JSON.stringify(o))
export const warn = (line: string): void => void process.stderr.write(`${line}\n`)

/** Reports `e` (JSON on stdout with `--json`, text on stderr otherwise); returns `EXIT_FAILED`. */
export const fail = (e: unknown, json: boolean): number => {
  if (json) printJson({ ok: false, error: { code: errorCode(e), message: errorMessage(e) } })
  else warn(`kademlia: ${errorMessage(e)}`)
  return EXIT_FAILED
}
