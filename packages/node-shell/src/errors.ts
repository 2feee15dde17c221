/**
 * The typed errors of the Server API. Every rejection and every throw of this package is one of
 * these, so callers can branch with `instanceof` or on `code` (a stable string, handy across
 * realms and in logs). Bad arguments name the argument; failed operations name the core's reason.
 */
import type { FailureReason } from '@kademlia-ts/core'

// model

export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'VALUE_TOO_LARGE'
  | 'NO_REPLICAS'
  | 'LOOKUP_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'NOT_LISTENING'
  | 'STOPPED'
  | 'STATE_FILE'
  | 'STORAGE'
  | 'LISTEN_FAILED'
  | 'SOCKET'

/** The base class of every error this package throws or rejects with. */
export class KademliaError extends Error {
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.name = new.target.name
  }
}

/** An API argument was malformed; `argument` names it (`'key'`, `'value'`, `'addrs[2]'`, …). */
export class InvalidArgumentError extends KademliaError {
  readonly argument: string
  constructor(argument: string, message: string, code: ErrorCode = 'INVALID_ARGUMENT') {
    super(code, `invalid argument \`${argument}\`: ${message}`)
    this.argument = argument
  }
}

/** The value does not fit one datagram with a STORE around it (the core's `TooLarge`). */
export class ValueTooLargeError extends InvalidArgumentError {
  constructor(message = 'the value does not fit in one datagram with a STORE around it') {
    super('value', message, 'VALUE_TOO_LARGE')
  }
}

/** `set` found peers but none acknowledged the STORE (Python's `set` would return True here). */
export class NoReplicasError extends KademliaError {
  constructor() {
    super('NO_REPLICAS', 'no peer acknowledged the STORE')
  }
}

/**
 * A lookup, a bootstrap or a refresh could not run or got no answer: the routing table was empty,
 * or no peer replied (the core's `NoPeers`).
 */
export class LookupFailedError extends KademliaError {
  readonly reason: FailureReason
  constructor(reason: FailureReason, message: string) {
    super('LOOKUP_FAILED', message)
    this.reason = reason
  }
}

/** A ping got no answer within the core's RPC timeout. */
export class TimeoutError extends KademliaError {
  constructor(message = 'the peer did not answer') {
    super('TIMEOUT', message)
  }
}

/** The operation's `AbortSignal` fired; the core abandoned the operation. */
export class AbortError extends KademliaError {
  constructor(options?: { cause?: unknown }) {
    super('ABORTED', 'the operation was aborted', options)
  }
}

/** A network operation was called before `listen`. */
export class NotListeningError extends KademliaError {
  constructor(operation: string) {
    super('NOT_LISTENING', `\`${operation}\` needs a listening server: call listen(port, host) first`)
  }
}

/** The server was stopped: the operation was pending at `stop()` or was called after it. */
export class ServerStoppedError extends KademliaError {
  constructor() {
    super('STOPPED', 'the server is stopped')
  }
}

/** A socket could not be bound. */
export class ListenFailedError extends KademliaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LISTEN_FAILED', message, options)
  }
}

/**
 * A state file could not be read or written. `reason` says what went wrong: unreadable (I/O), not
 * JSON, not a state file of a known version, the write failed, or the write would have replaced a
 * file that is not a readable state file (`WouldOverwrite`: we never destroy what we cannot read).
 */
export class StateFileError extends KademliaError {
  readonly path: string
  readonly reason: 'Unreadable' | 'NotJson' | 'Invalid' | 'UnsupportedVersion' | 'WriteFailed' | 'WouldOverwrite'
  constructor(path: string, reason: StateFileError['reason'], detail: string, options?: { cause?: unknown }) {
    super('STATE_FILE', `state file ${path}: ${detail}`, options)
    this.path = path
    this.reason = reason
  }
}

/** The durable storage failed (cannot open, cannot write). */
export class StorageError extends KademliaError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options)
  }
}
