/**
 * The simulator's own seeded random stream (sfc32, 128 bits of state). The core's `Prng` is
 * immutable and allocates on every draw, which is right inside `NodeState` but too slow for the
 * driver, which draws several numbers per simulated message. This generator is mutable on purpose
 * and never leaves the simulator; every node's core seed is drawn from it, so one scenario seed
 * fixes the whole run.
 */

// model

export interface Random {
  /** A uniform unsigned 32-bit integer. */
  readonly uint32: () => number
  /** A uniform float in [0, 1). */
  readonly float: () => number
  /** A uniform integer in [0, n) (n ≥ 1). */
  readonly int: (n: number) => number
  /** An independent child stream (its state is drawn from this one). */
  readonly fork: () => Random
  /** `count` uniform bytes in a new array. */
  readonly bytes: (count: number) => Uint8Array
}

// constructors

/** Mixes a 32-bit seed into well-spread words (splitmix32), so seeds 1 and 2 look unrelated. */
const splitmix32 = (seed: number): (() => number) => {
  let s = seed >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

const fromWords = (a0: number, b0: number, c0: number, d0: number): Random => {
  let a = a0 | 0
  let b = b0 | 0
  let c = c0 | 0
  let d = d0 | 0
  const uint32 = (): number => {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  const float = (): number => {
    const hi = uint32() >>> 5
    const lo = uint32() >>> 6
    return (hi * 67108864 + lo) / 9007199254740992
  }
  const int = (n: number): number => Math.floor(float() * n)
  const fork = (): Random => fromWords(uint32(), uint32(), uint32(), uint32())
  const bytes = (count: number): Uint8Array => {
    const out = new Uint8Array(count)
    for (let i = 0; i < count; i += 4) {
      const n = uint32()
      for (let j = 0; j < 4 && i + j < count; j++) out[i + j] = (n >>> (24 - 8 * j)) & 0xff
    }
    return out
  }
  const r: Random = { uint32, float, int, fork, bytes }
  // Discard the first outputs: sfc32 needs a few rounds to mix a fresh state.
  for (let i = 0; i < 12; i++) uint32()
  return r
}

/** A stream fixed by a 32-bit seed (other numbers are truncated). */
export const fromSeed = (seed: number): Random => {
  const m = splitmix32(seed)
  return fromWords(m(), m(), m(), m())
}

// queries (draws from common distributions; each consumes a fixed number of uniforms)

/** Exponential with the given mean (inverse transform). */
export const exponential = (r: Random, mean: number): number => -mean * Math.log(1 - r.float())

/** Weibull with shape k and scale λ: λ·(−ln U)^(1/k). */
export const weibull = (r: Random, shape: number, scale: number): number =>
  scale * Math.pow(-Math.log(1 - r.float()), 1 / shape)

/** Pareto (type I) with shape α and minimum x_m: x_m / U^(1/α). */
export const pareto = (r: Random, shape: number, min: number): number => min / Math.pow(1 - r.float(), 1 / shape)

/** Standard normal (Box–Muller, two uniforms per draw, the second value discarded for simplicity). */
export const normal = (r: Random): number => {
  const u = 1 - r.float()
  const v = r.float()
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
}

/** Log-normal with the given median (e^μ) and σ of the underlying normal. */
export const logNormal = (r: Random, median: number, sigma: number): number => median * Math.exp(sigma * normal(r))
