/**
 * io-ts building blocks for scenario files, chosen so that a bad scenario is an error naming the
 * field (`network.latency.sigma: expected a number ≥ 0, got "x"`): closed objects that reject
 * unknown fields, unions tagged by `kind` that decode the matching branch only, and durations
 * written as `30s` / `2h`.
 */
import * as t from 'io-ts'
import * as E from 'fp-ts/lib/Either.js'
import * as Duration from './duration.js'

// model

/** One problem in a scenario: the dotted path of the field and what was wrong with it. */
export interface FieldError {
  readonly path: string
  readonly message: string
}

// constructors

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  try {
    const s = JSON.stringify(u)
    return s.length > 60 ? `${s.slice(0, 57)}...` : s
  } catch {
    return String(u)
  }
}

/** A number satisfying `ok`, described as `what` in errors. */
export const number = (what: string, ok: (n: number) => boolean): t.Type<number, number, unknown> =>
  new t.Type<number, number, unknown>(
    what,
    (u): u is number => typeof u === 'number' && ok(u),
    (u, c) => (typeof u === 'number' && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c)),
    t.identity,
  )

export const nonNegative = number('a number ≥ 0', (n) => n >= 0)
export const positive = number('a number > 0', (n) => n > 0)
export const probability = number('a probability in [0, 1]', (n) => n >= 0 && n <= 1)
export const positiveInt = number('an integer ≥ 1', (n) => Number.isInteger(n) && n >= 1)
export const nonNegativeInt = number('an integer ≥ 0', (n) => Number.isInteger(n) && n >= 0)
export const int32 = number('an integer in [0, 2^32)', (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32)

/** Milliseconds, written as a number or as `500ms`, `30s`, `5m`, `2h`, `1d`, `1h30m`. */
export const duration: t.Type<number, number, unknown> = new t.Type<number, number, unknown>(
  'a duration (a number of ms, or like "30s", "5m", "2h")',
  (u): u is number => typeof u === 'number' && u >= 0,
  (u, c) => {
    if (typeof u === 'number' && Number.isFinite(u) && u >= 0) return t.success(u)
    if (typeof u === 'string') {
      const ms = Duration.parse(u)
      if (ms !== undefined) return t.success(ms)
    }
    return t.failure(u, c)
  },
  t.identity,
)

/**
 * An object with required and optional fields that rejects fields it does not know, so a typo
 * (`latncy`) is reported rather than silently ignored.
 */
export const closed = <R extends t.Props, O extends t.Props>(
  name: string,
  required: R,
  optional: O,
): t.Type<t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>, unknown, unknown> => {
  const req = t.type(required)
  const opt = t.partial(optional)
  const known = new Set([...Object.keys(required), ...Object.keys(optional)])
  type A = t.TypeOf<t.TypeC<R>> & Partial<t.TypeOf<t.TypeC<O>>>
  return new t.Type<A, unknown, unknown>(
    name,
    (u): u is A => req.is(u) && opt.is(u),
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c, `expected ${name}, got ${show(u)}`)
      const extra = Object.keys(u).filter((key) => !known.has(key))
      const errors: t.ValidationError[] = extra.map((key) => ({
        value: (u as Record<string, unknown>)[key],
        context: [...c, { key, type: t.unknown, actual: (u as Record<string, unknown>)[key] }],
        message: `unknown field (expected one of: ${[...known].join(', ')})`,
      }))
      // Both halves decode against the same context, so error paths name the fields directly.
      const a = req.validate(u, c)
      const b = opt.validate(u, c)
      if (E.isLeft(a)) errors.push(...a.left)
      if (E.isLeft(b)) errors.push(...b.left)
      if (errors.length > 0 || E.isLeft(a) || E.isLeft(b)) return t.failures(errors)
      // Drop `undefined` optional fields so exactOptionalPropertyTypes holds for the result.
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(required)) out[key] = (a.right as Record<string, unknown>)[key]
      for (const key of Object.keys(optional)) {
        const v = (b.right as Record<string, unknown>)[key]
        if (v !== undefined) out[key] = v
      }
      return t.success(out as A)
    },
    t.identity,
  )
}

/**
 * A union of closed objects told apart by their `kind` field: the branch named by `kind` decodes
 * the rest, so its errors name its own fields.
 */
export const tagged = <B extends Record<string, t.Mixed>>(
  name: string,
  branches: B,
): t.Type<t.TypeOf<B[keyof B]>, unknown, unknown> =>
  new t.Type<t.TypeOf<B[keyof B]>, unknown, unknown>(
    name,
    (u): u is t.TypeOf<B[keyof B]> => Object.values(branches).some((b) => b.is(u)),
    (u, c) => {
      const kind = typeof u === 'object' && u !== null ? (u as Record<string, unknown>)['kind'] : undefined
      const branch = typeof kind === 'string' && Object.hasOwn(branches, kind) ? branches[kind] : undefined
      if (branch === undefined) {
        return t.failures([
          {
            value: kind,
            context: [...c, { key: 'kind', type: t.unknown, actual: kind }],
            message: `expected one of: ${Object.keys(branches).map((k) => JSON.stringify(k)).join(', ')}, got ${show(kind)}`,
          },
        ])
      }
      return branch.validate(u, c) as t.Validation<t.TypeOf<B[keyof B]>>
    },
    t.identity,
  )

// queries

/** io-ts errors as `path: message` lines, the path made of the object keys and array indices. */
export const fieldErrors = (errors: t.Errors): ReadonlyArray<FieldError> => {
  const out: FieldError[] = []
  const seen = new Set<string>()
  for (const e of errors) {
    const keys = e.context
      .slice(1)
      .map((entry) => entry.key)
      .filter((key) => key !== '')
    const path = keys.length === 0 ? '(scenario)' : keys.join('.')
    const last = e.context[e.context.length - 1]
    const message = e.message ?? `expected ${last?.type.name ?? 'a value'}, got ${show(e.value)}`
    const line = `${path}: ${message}`
    if (!seen.has(line)) {
      seen.add(line)
      out.push({ path, message })
    }
  }
  return out
}
