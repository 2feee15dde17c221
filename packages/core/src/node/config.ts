/**
 * The node's protocol parameters. `decode` is the only way in from untrusted input (a CLI flag
 * file, a JSON blob): it fills the paper's defaults for missing fields and names every bad field
 * in a typed `ConfigError`, never throws. Durations are whole milliseconds.
 */
import * as E from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Duration } from '../time.js'
import * as Time from '../time.js'

// model

export interface Config {
  /** k: bucket size, replication factor, lookup result size (paper §2.2; 20; at most 64). */
  readonly bucketSize: number
  /** α: RPCs of one lookup in flight at once (paper §2.3; 3). */
  readonly parallelism: number
  /** b: bits per routing hop (paper §4.2; 1 = plain Kademlia). */
  readonly bitsPerHop: number
  /** Replacement-cache size per bucket (paper §4.1; k). */
  readonly replacementCacheSize: number
  /** Consecutive failed RPCs after which a contact is stale (paper §4.1; 5). */
  readonly staleAfterFailures: number
  /** tRefresh: a bucket without a lookup for this long is refreshed (paper §2.3; 1 h). */
  readonly refreshInterval: Duration
  /** tReplicate: a held record is pushed to the k closest this often (paper §2.5; 1 h). */
  readonly replicateInterval: Duration
  /** tRepublish: the original publisher republishes this often (paper §2.3; 24 h). */
  readonly republishInterval: Duration
  /** tExpire: a record lives this long after its publication (paper §2.3; 24 h). */
  readonly expireAfter: Duration
  /** RPC timeout before the first round-trip sample (RFC 6298 §2.1 uses 1 s). */
  readonly initialRpcTimeout: Duration
  /** Lower clamp of the adaptive RPC timeout. */
  readonly minRpcTimeout: Duration
  /** Upper clamp of the adaptive RPC timeout; also how long a late reply is still accepted. */
  readonly maxRpcTimeout: Duration
  /** Most records a node holds; STOREs of new keys beyond it are refused (no answer). */
  readonly maxRecords: number
  /** Cache a found value at the closest node that did not return it (paper §2.3). */
  readonly cacheValues: boolean
}

export interface FieldError {
  readonly field: string
  readonly message: string
}

/** A config that could not be decoded; `fields` names every bad field. */
export interface ConfigError {
  readonly _tag: 'ConfigError'
  readonly fields: ReadonlyArray<string>
  readonly errors: ReadonlyArray<FieldError>
}

/** The paper's parameters (§2.2–§4.1) with RFC 6298-style RPC timeouts. */
export const defaults: Config = {
  bucketSize: 20,
  parallelism: 3,
  bitsPerHop: 1,
  replacementCacheSize: 20,
  staleAfterFailures: 5,
  refreshInterval: Time.hours(1),
  replicateInterval: Time.hours(1),
  republishInterval: Time.hours(24),
  expireAfter: Time.hours(24),
  initialRpcTimeout: Time.seconds(1),
  minRpcTimeout: Time.millis(50),
  maxRpcTimeout: Time.seconds(5),
  maxRecords: 65_536,
  cacheValues: true,
}

// codec

const int = (min: number, max: number): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    `integer in [${min}, ${max}]`,
    (u): u is number => typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max,
    (u, c) => (typeof u === 'number' && Number.isInteger(u) && u >= min && u <= max ? t.success(u) : t.failure(u, c)),
    (n) => n,
  )

const DAY_MS = 86_400_000
const ms = int(1, 366 * DAY_MS)

const codec = t.exact(
  t.partial({
    // a NODES reply carries at most k contacts and the wire at most 64 (Wire.MAX_CONTACTS)
    bucketSize: int(1, 64),
    parallelism: int(1, 1024),
    bitsPerHop: int(1, 8),
    replacementCacheSize: int(0, 1024),
    staleAfterFailures: int(1, 1024),
    refreshInterval: ms,
    replicateInterval: ms,
    republishInterval: ms,
    expireAfter: ms,
    initialRpcTimeout: ms,
    minRpcTimeout: ms,
    maxRpcTimeout: ms,
    maxRecords: int(0, 1 << 30),
    cacheValues: t.boolean,
  }),
)

// constructors

const fieldOf = (e: t.ValidationError): string =>
  e.context
    .map((c) => c.key)
    .filter((k) => k !== '')
    .join('.') || '(root)'

/**
 * A config from an untrusted partial object: missing fields take `defaults`, unknown fields are
 * dropped, every ill-typed or out-of-range field is reported. Also checks the relations
 * `minRpcTimeout ≤ initialRpcTimeout ≤ maxRpcTimeout`.
 */
export const decode = (input: unknown): E.Either<ConfigError, Config> => {
  const raw = input === undefined ? {} : input
  const decoded = codec.decode(raw)
  if (E.isLeft(decoded)) {
    const errors = decoded.left.map((e) => ({
      field: fieldOf(e),
      message: `expected ${e.context[e.context.length - 1]?.type.name ?? 'a value'}, got ${JSON.stringify(e.value) ?? String(e.value)}`,
    }))
    return E.left(configError(errors))
  }
  const partial = decoded.right as Partial<Record<keyof Config, number | boolean>>
  const merged = { ...defaults, ...partial } as Config
  const errors: FieldError[] = []
  if (merged.minRpcTimeout > merged.maxRpcTimeout)
    errors.push({ field: 'minRpcTimeout', message: 'must not exceed maxRpcTimeout' })
  if (merged.initialRpcTimeout < merged.minRpcTimeout || merged.initialRpcTimeout > merged.maxRpcTimeout)
    errors.push({ field: 'initialRpcTimeout', message: 'must lie in [minRpcTimeout, maxRpcTimeout]' })
  return errors.length > 0 ? E.left(configError(errors)) : E.right(merged)
}

const configError = (errors: ReadonlyArray<FieldError>): ConfigError => ({
  _tag: 'ConfigError',
  fields: [...new Set(errors.map((e) => e.field))],
  errors,
})

// queries

/** The routing-table part of a config. */
export const tableConfig = (c: Config): {
  readonly bucketSize: number
  readonly bitsPerHop: number
  readonly replacementCacheSize: number
  readonly staleAfterFailures: number
} => ({
  bucketSize: c.bucketSize,
  bitsPerHop: c.bitsPerHop,
  replacementCacheSize: c.replacementCacheSize,
  staleAfterFailures: c.staleAfterFailures,
})
