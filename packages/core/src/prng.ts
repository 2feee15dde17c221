/**
 * A seeded, immutable pseudo-random number generator that lives in state (xoroshiro128+, the
 * same sequence as `pure-rand`'s `xoroshiro128plus`, state words in its order). A `Prng` is plain
 * data (four 32-bit words); every draw returns the value and the next `Prng`, so the same seed
 * and the same draws give the same values on every driver.
 *
 * The generator is stepped here rather than through `pure-rand`, whose `xoroshiro128plusFromState`
 * builds a generator object (and checks the state) on every draw: on the node's hot path (an RPC
 * id per request) that was an allocation and a megamorphic call for nothing.
 */

// model

export interface Prng {
  readonly state: readonly number[]
}

// constructors

/** murmur3's 32-bit finaliser: a bijection on 32-bit integers with full avalanche. */
const mix32 = (x: number): number => {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) | 0
}

/**
 * A generator seeded with a 32-bit integer (other numbers are truncated). The seed is spread over
 * the 128-bit state with a mixing function: xoroshiro128+ seeded directly with a small integer
 * (pure-rand's `xoroshiro128plus(seed)`) starts from a nearly all-ones state, and its first draws
 * were nearly all ones for every small seed (the first id drawn from seeds 0, 1, 2, … began with
 * `ffffff`), so ids drawn first from consecutive seeds shared long prefixes.
 */
export const fromSeed = (seed: number): Prng => {
  const s = seed | 0
  const state = [
    mix32((s + 0x9e3779b9) | 0),
    mix32((s + 0x3c6ef372) | 0),
    mix32((s + 0xdaa66d2b) | 0),
    mix32((s + 0x78dde6e4) | 0),
  ]
  // xoroshiro's one forbidden state is all zeros.
  if (state.reduce((acc, w) => acc | w, 0) === 0) state[3] = 1
  return { state }
}

// transitions (each returns the drawn value and the next generator)

/** A generator being stepped: local to one draw, never shared. Words as in `Prng.state`. */
interface Gen {
  s01: number
  s00: number
  s11: number
  s10: number
}

const load = (prng: Prng): Gen => {
  const st = prng.state
  return { s01: (st[0] as number) | 0, s00: (st[1] as number) | 0, s11: (st[2] as number) | 0, s10: (st[3] as number) | 0 }
}

const save = (g: Gen): Prng => ({ state: [g.s01, g.s00, g.s11, g.s10] })

/** One xoroshiro128+ step: the next signed 32-bit output (as `pure-rand`'s `next()`). */
const next = (g: Gen): number => {
  const out = (g.s00 + g.s10) | 0
  const a0 = g.s10 ^ g.s00
  const a1 = g.s11 ^ g.s01
  const s00 = g.s00
  const s01 = g.s01
  g.s00 = (s00 << 24) ^ (s01 >>> 8) ^ a0 ^ (a0 << 16)
  g.s01 = (s01 << 24) ^ (s00 >>> 8) ^ a1 ^ ((a1 << 16) | (a0 >>> 16))
  g.s10 = (a1 << 5) ^ (a0 >>> 27)
  g.s11 = (a0 << 5) ^ (a1 >>> 27)
  return out
}

/** A uniformly distributed unsigned 32-bit integer. */
export const nextUint32 = (prng: Prng): readonly [number, Prng] => {
  const g = load(prng)
  const n = next(g) >>> 0
  return [n, save(g)]
}

/** A uniform integer in [min, max] (both inclusive, max - min < 2^32). */
export const nextInt = (prng: Prng, min: number, max: number): readonly [number, Prng] => {
  const range = max - min + 1
  const g = load(prng)
  // Rejection sampling keeps the distribution exactly uniform.
  const limit = Math.floor(0x1_0000_0000 / range) * range
  let n = next(g) >>> 0
  while (n >= limit) n = next(g) >>> 0
  return [min + (n % range), save(g)]
}

/** A uniform float in [0, 1) with 53 bits of precision. */
export const nextFloat = (prng: Prng): readonly [number, Prng] => {
  const g = load(prng)
  const hi = (next(g) >>> 0) >>> 5
  const lo = (next(g) >>> 0) >>> 6
  return [(hi * 67108864 + lo) / 9007199254740992, save(g)]
}

/** `count` uniformly random bytes in a new array that the caller owns. */
export const bytes = (prng: Prng, count: number): readonly [Uint8Array, Prng] => {
  const g = load(prng)
  const out = new Uint8Array(count)
  for (let i = 0; i < count; i += 4) {
    const n = next(g) >>> 0
    for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (n >>> (24 - 8 * j)) & 0xff
  }
  return [out, save(g)]
}

/**
 * Two generators for two independent streams: the parent's continuation and a child whose state
 * is drawn from the parent, so a child machine (a lookup, a simulated node) can own its stream.
 */
export const split = (prng: Prng): readonly [Prng, Prng] => {
  const g = load(prng)
  const words = [next(g) | 0, next(g) | 0, next(g) | 0, next(g) | 0 || 1]
  return [save(g), { state: words }]
}
