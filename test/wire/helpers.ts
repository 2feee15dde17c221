/** Helpers shared by the wire tests. */
import { NodeId, type Message } from '@kademlia-ts/core'

/** Freezes `value` and everything it holds (typed arrays cannot be frozen: they are made non-extensible). */
export const deepFreeze = <A>(value: A): A => {
  if (ArrayBuffer.isView(value)) {
    Object.preventExtensions(value)
    return value
  }
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v)
    Object.freeze(value)
  }
  return value
}

export const fromHex = (hex: string): Uint8Array => {
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16)
  return out
}

export const toHex = (bytes: Uint8Array): string => NodeId.toHex(bytes)

/** Every byte string inside a decoded message, to check none is a Node `Buffer` or shares memory. */
export const byteFields = (m: Message.Message): Uint8Array[] => {
  const out: Uint8Array[] = [m.rpcId, m.sender]
  switch (m._tag) {
    case 'Store':
      out.push(m.key)
      if (m.value instanceof Uint8Array) out.push(m.value)
      break
    case 'FindNode':
      out.push(m.target)
      break
    case 'FindValue':
      out.push(m.key)
      break
    case 'Nodes':
      for (const c of m.contacts) out.push(c.id)
      break
    case 'ValueFound':
      if (m.value instanceof Uint8Array) out.push(m.value)
      break
    default:
  }
  return out
}

/**
 * A minimal CBOR writer (RFC 8949 heads) for test inputs that no valid message encodes to: it
 * writes what it is given, wrong types and all. Numbers: integers as CBOR integers when they fit
 * 64 bits, everything else as float64.
 */
export type Item = number | bigint | string | boolean | null | Uint8Array | ReadonlyArray<Item> | { readonly map: ReadonlyArray<readonly [Item, Item]> }

const head = (major: number, n: number | bigint): number[] => {
  const v = BigInt(n)
  if (v < 24n) return [(major << 5) | Number(v)]
  const sizes: ReadonlyArray<readonly [number, number]> = [[24, 1], [25, 2], [26, 4], [27, 8]]
  for (const [info, size] of sizes) {
    if (v < 1n << BigInt(8 * size)) {
      const out = [(major << 5) | info]
      for (let i = size - 1; i >= 0; i--) out.push(Number((v >> BigInt(8 * i)) & 0xffn))
      return out
    }
  }
  throw new Error(`integer too large: ${v}`)
}

export const writeCbor = (item: Item): Uint8Array => {
  const out: number[] = []
  const write = (x: Item): void => {
    if (x === null) out.push(0xf6)
    else if (x === true) out.push(0xf5)
    else if (x === false) out.push(0xf4)
    else if (x instanceof Uint8Array) out.push(...head(2, x.length), ...x)
    else if (typeof x === 'string') {
      const bytes = new TextEncoder().encode(x)
      out.push(...head(3, bytes.length), ...bytes)
    } else if (Array.isArray(x)) {
      out.push(...head(4, x.length))
      for (const y of x as ReadonlyArray<Item>) write(y)
    } else if (typeof x === 'bigint' || (typeof x === 'number' && Number.isInteger(x) && Math.abs(x) < 2 ** 64 && !Object.is(x, -0))) {
      const v = BigInt(x as number | bigint)
      out.push(...(v >= 0n ? head(0, v) : head(1, -1n - v)))
    } else if (typeof x === 'number') {
      const view = new DataView(new ArrayBuffer(8))
      view.setFloat64(0, x)
      out.push(0xfb, ...new Uint8Array(view.buffer))
    } else {
      const { map } = x as { readonly map: ReadonlyArray<readonly [Item, Item]> }
      out.push(...head(5, map.length))
      for (const [k, v] of map) {
        write(k)
        write(v)
      }
    }
  }
  write(item)
  return Uint8Array.from(out)
}
