/**
 * Transport addresses of the shell: `host:port` for IPv4 and `[host]:port` for IPv6, always in
 * canonical form (lower case, compressed IPv6), because the core compares addresses as opaque
 * strings: the address we send a request to must be byte-equal to the one its reply comes from.
 * Only IP literals are addresses; host names are resolved (`resolve`) before they reach the core.
 */
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'
import * as E from 'fp-ts/lib/Either.js'
import { Address } from '@kademlia-ts/core'
import type { Endpoint, Family } from './endpoint.js'
import * as Intern from './intern.js'

// model

export type { Endpoint, Family } from './endpoint.js'

/** What the API accepts for a peer: `'host:port'`, `'[v6]:port'`, `[host, port]` (Python) or `{ host, port }`. */
export type AddressInput = string | readonly [string, number] | { readonly host: string; readonly port: number }

// constructors

const isPort = (port: unknown): port is number =>
  typeof port === 'number' && Number.isInteger(port) && port >= 0 && port <= 65535

/** Canonical text of an IP literal, or undefined if `host` is not one. */
export const canonicalHost = (host: string): { readonly host: string; readonly family: Family } | undefined => {
  const family = isIP(host)
  if (family === 4) {
    // isIP accepts only dotted quads; strip leading zeros ("127.000.0.1" is refused by isIP already).
    return { host, family: 4 }
  }
  if (family === 6) {
    const zoneAt = host.indexOf('%')
    const bare = zoneAt < 0 ? host : host.slice(0, zoneAt)
    const zone = zoneAt < 0 ? '' : host.slice(zoneAt)
    try {
      const hostname = new URL(`http://[${bare}]/`).hostname
      return { host: `${hostname.slice(1, -1)}${zone}`, family: 6 }
    } catch {
      return undefined
    }
  }
  return undefined
}

/** An endpoint from an IP literal and a port; `Left` with a reason otherwise. */
export const endpoint = (host: string, port: unknown): E.Either<string, Endpoint> => {
  if (!isPort(port)) return E.left(`port must be an integer in 0..65535, got ${String(port)}`)
  const canonical = canonicalHost(host)
  return canonical === undefined
    ? E.left(`${JSON.stringify(host)} is not an IPv4 or IPv6 address`)
    : E.right({ host: canonical.host, port, family: canonical.family })
}

const HOST_PORT = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/

/** Splits `'host:port'` / `'[v6]:port'` without checking the host. */
const split = (text: string): { readonly host: string; readonly port: number } | undefined => {
  const m = HOST_PORT.exec(text)
  if (m === null) return undefined
  return { host: (m[1] ?? m[2]) as string, port: Number(m[3]) }
}

/** Parses `'1.2.3.4:5'` or `'[::1]:5'` (IP literals only). */
export const parse = (text: string): E.Either<string, Endpoint> => {
  const parts = split(text)
  return parts === undefined
    ? E.left(`${JSON.stringify(text)} is not host:port or [ipv6]:port`)
    : endpoint(parts.host, parts.port)
}

/** The host and port of any accepted input, unchecked beyond its shape. */
export const hostPort = (input: unknown): E.Either<string, { readonly host: string; readonly port: number }> => {
  if (typeof input === 'string') {
    const parts = split(input)
    return parts === undefined ? E.left(`${JSON.stringify(input)} is not host:port or [ipv6]:port`) : E.right(parts)
  }
  if (Array.isArray(input) && input.length === 2 && typeof input[0] === 'string')
    return isPort(input[1]) ? E.right({ host: input[0], port: input[1] }) : E.left(`port must be an integer in 0..65535`)
  if (typeof input === 'object' && input !== null && 'host' in input && 'port' in input) {
    const { host, port } = input as { host: unknown; port: unknown }
    if (typeof host !== 'string') return E.left('host must be a string')
    return isPort(port) ? E.right({ host, port }) : E.left(`port must be an integer in 0..65535`)
  }
  return E.left(`expected 'host:port', [host, port] or { host, port }`)
}

/**
 * Resolves any accepted input to an endpoint: IP literals directly, host names through the
 * system resolver (`dns.lookup`, first answer; Python's `bootstrap` accepts only literals).
 */
export const resolve = async (input: unknown): Promise<E.Either<string, Endpoint>> => {
  const parts = hostPort(input)
  if (E.isLeft(parts)) return parts
  const { host, port } = parts.right
  if (isIP(host) !== 0) return endpoint(host, port)
  if (host.length === 0 || host.length > 253) return E.left(`${JSON.stringify(host)} is not a host`)
  try {
    const found = await lookup(host)
    return endpoint(found.address, port)
  } catch (e) {
    return E.left(`cannot resolve ${JSON.stringify(host)}: ${(e as Error).message}`)
  }
}

/** The core's opaque address of an endpoint: `host:port` or `[host]:port`. */
export const toAddress = (e: { readonly host: string; readonly port: number; readonly family?: Family | undefined }): Address.Address =>
  Address.of((e.family ?? isIP(e.host)) === 6 ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`)

/**
 * The address a datagram came from (`rinfo`): the only sender address the core ever sees. Shared
 * process-wide (`Intern.address`), so every contact of that peer holds the same string.
 */
export const fromRemote = (rinfo: { readonly address: string; readonly port: number; readonly family: string }): Address.Address =>
  Intern.remote(rinfo.address, rinfo.port, rinfo.family === 'IPv6')

// queries

const parseSendable = (address: Address.Address): Endpoint | undefined => {
  const parsed = parse(address)
  return E.isRight(parsed) && parsed.right.port !== 0 ? parsed.right : undefined
}

/**
 * Parses an address the core handed back; `undefined` for anything we could not send to. Parsed
 * once per address and process (`Intern.endpoint`): a send does not re-run the parser.
 */
export const toEndpoint = (address: Address.Address): Endpoint | undefined => Intern.endpoint(address, parseSendable)
