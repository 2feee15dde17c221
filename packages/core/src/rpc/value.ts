/**
 * What a DHT record holds: bytes, a string, a number or a boolean (the Python library's
 * `int, float, bool, str, bytes`). Bytes and strings stay distinct on the wire.
 */

// model

export type Value = Uint8Array | string | number | boolean

// queries

export const isValue = (u: unknown): u is Value =>
  u instanceof Uint8Array || typeof u === 'string' || typeof u === 'boolean' || (typeof u === 'number' && Number.isFinite(u))

export const equals = (a: Value, b: Value): boolean => {
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    if (a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  return a === b
}
