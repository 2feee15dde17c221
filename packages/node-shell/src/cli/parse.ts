/**
 * Parsers of command-line values for commander: each returns the value or throws commander's
 * `InvalidArgumentError`, which commander reports as "error: option '--x' argument ... is invalid".
 */
import { InvalidArgumentError } from 'commander'
import * as E from 'fp-ts/lib/Either.js'
import * as Addr from '../address.js'
import type { Value } from '@kademlia-ts/core'

// constructors

export const integer =
  (min: number, max: number) =>
  (text: string): number => {
    const n = Number(text)
    if (!/^-?\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min || n > max)
      throw new InvalidArgumentError(`expected an integer in ${min}..${max}`)
    return n
  }

export const fraction = (text: string): number => {
  const x = Number(text)
  if (text.trim() === '' || !Number.isFinite(x) || x < 0 || x >= 1) throw new InvalidArgumentError('expected a number in [0, 1)')
  return x
}

/** `host:port` or `[v6]:port` (host names are resolved later, by the server). */
export const peer = (text: string, previous: ReadonlyArray<string> | undefined): ReadonlyArray<string> => {
  const parts = Addr.hostPort(text)
  if (E.isLeft(parts)) throw new InvalidArgumentError(`${parts.left}`)
  if (parts.right.port === 0) throw new InvalidArgumentError('port 0 is not a peer')
  return [...(previous ?? []), text]
}

export const host = (text: string): string => {
  if (Addr.canonicalHost(text) === undefined) throw new InvalidArgumentError('expected an IPv4 or IPv6 address')
  return text
}

export type ValueType = 'string' | 'number' | 'boolean' | 'hex'
export const VALUE_TYPES: ReadonlyArray<ValueType> = ['string', 'number', 'boolean', 'hex']

/** The VALUE argument of `set` as the type asked for with `--type`. */
export const value = (text: string, type: ValueType): E.Either<string, Value.Value> => {
  switch (type) {
    case 'string':
      return E.right(text)
    case 'number': {
      const n = Number(text)
      return text.trim() !== '' && Number.isFinite(n) ? E.right(n) : E.left(`${JSON.stringify(text)} is not a finite number`)
    }
    case 'boolean':
      return text === 'true' ? E.right(true) : text === 'false' ? E.right(false) : E.left('a boolean is `true` or `false`')
    case 'hex': {
      const hex = text.startsWith('0x') ? text.slice(2) : text
      if (!/^(?:[0-9a-fA-F]{2})*$/.test(hex)) return E.left(`${JSON.stringify(text)} is not an even number of hexadecimal digits`)
      return E.right(Uint8Array.from({ length: hex.length / 2 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16)))
    }
  }
}
