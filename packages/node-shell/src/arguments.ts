/**
 * Checks of the Server API's arguments: every check either returns the argument in the core's
 * terms or throws `InvalidArgumentError` naming the argument.
 */
import { NodeId, Value } from '@kademlia-ts/core'
import { InvalidArgumentError } from './errors.js'
import type { RecordStorage } from './storage/storage.js'

/** Not a type guard on purpose: narrowing a typed options object to a record would lose its type. */
export const isPlainObject = (u: unknown): boolean => typeof u === 'object' && u !== null && !Array.isArray(u)

export const isKey = (u: unknown): u is NodeId.KeyInput =>
  u instanceof Uint8Array || typeof u === 'string' || typeof u === 'boolean' || (typeof u === 'number' && Number.isFinite(u))

export const checkSignal = (options: unknown): AbortSignal | undefined => {
  if (options === undefined) return undefined
  if (!isPlainObject(options)) throw new InvalidArgumentError('options', 'must be an object')
  const signal = (options as { readonly signal?: unknown }).signal
  if (signal === undefined) return undefined
  if (!(signal instanceof AbortSignal)) throw new InvalidArgumentError('options.signal', 'must be an AbortSignal')
  return signal
}

export const digestOf = (argument: string, digest: unknown): NodeId.NodeId => {
  if (!(digest instanceof Uint8Array) || digest.length !== NodeId.BYTES)
    throw new InvalidArgumentError(argument, `must be a Uint8Array of ${NodeId.BYTES} bytes (a SHA-1 digest)`)
  return Uint8Array.from(digest) as NodeId.NodeId
}

export const checkValue = (value: unknown): Value.Value => {
  if (!Value.isValue(value))
    throw new InvalidArgumentError('value', 'must be a Uint8Array, a string, a finite number or a boolean')
  return value instanceof Uint8Array ? Uint8Array.from(value) : value
}

export const isStorage = (u: unknown): u is RecordStorage =>
  typeof u === 'object' && u !== null &&
  ['load', 'saveNodeId', 'recordStored', 'recordRemoved', 'contactAdded', 'contactEvicted', 'close'].every(
    (m) => typeof (u as Record<string, unknown>)[m] === 'function',
  )
