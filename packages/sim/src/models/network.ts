/**
 * The network model: how long a datagram takes between two simulated nodes and whether it
 * arrives. Pure functions of the scenario, the node numbers, the virtual time and the draws from
 * the driver's random stream; no state of its own. Node placement (the region of a node in a
 * latency matrix, the side of a partition) is a hash of the node number and the seed, so it never
 * depends on the order in which things happen.
 */
import * as Random from '../random.js'
import type { Latency, Partition } from '../scenario.js'

// model

export interface Network {
  /** One-way delay in whole milliseconds (≥ 0) for a datagram from `from` to `to`. */
  readonly latency: (rng: Random.Random, from: number, to: number) => number
  /** Whether the datagram is lost (random loss, or the two ends are on opposite sides of an active partition). */
  readonly lost: (rng: Random.Random, from: number, to: number, at: number) => boolean
  /** The region of a node (0 when the latency model has no regions). */
  readonly region: (node: number) => number
  /** Whether any partition is active at `at`. */
  readonly partitioned: (at: number) => boolean
}

export interface NetworkConfig {
  readonly latency: Latency
  readonly loss: number
  readonly partitions: ReadonlyArray<Partition>
}

// queries

/** A well-mixed 32-bit hash of two integers (murmur3 finaliser), as a float in [0, 1). */
export const hashUnit = (a: number, b: number): number => {
  let h = Math.imul(a ^ 0x5bd1e995, 0xcc9e2d51) ^ b
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  return (h >>> 0) / 4294967296
}

// constructors

export const make = (config: NetworkConfig, seed: number): Network => {
  const { latency: model, loss, partitions } = config
  let regionOf: (node: number) => number = () => 0
  let delay: (rng: Random.Random, from: number, to: number) => number
  switch (model.kind) {
    case 'constant': {
      const ms = model.ms
      delay = () => ms
      break
    }
    case 'uniform': {
      const { min, max } = model
      delay = (rng) => min + (max - min) * rng.float()
      break
    }
    case 'lognormal': {
      const { median, sigma } = model
      delay = (rng) => Random.logNormal(rng, median, sigma)
      break
    }
    case 'matrix': {
      const total = model.regions.reduce((a, b) => a + b, 0)
      const cdf: number[] = []
      let acc = 0
      for (const w of model.regions) cdf.push((acc += w / total))
      regionOf = (node) => {
        const u = hashUnit(node, seed ^ 0x7e57)
        const r = cdf.findIndex((c) => u < c)
        return r < 0 ? cdf.length - 1 : r
      }
      const ms = model.ms
      const jitter = model.jitter ?? 0
      delay = (rng, from, to) => {
        const base = ms[regionOf(from)]?.[regionOf(to)] ?? 0
        return jitter === 0 ? base : base * (1 - jitter + 2 * jitter * rng.float())
      }
      break
    }
  }
  const side = (node: number, p: number): boolean => hashUnit(node, (seed + 0x9e3779b9 * (p + 1)) | 0) < (partitions[p]?.fraction ?? 0)
  const lost = (rng: Random.Random, from: number, to: number, at: number): boolean => {
    for (let p = 0; p < partitions.length; p++) {
      const q = partitions[p] as Partition
      if (at >= q.at && at < q.heal && side(from, p) !== side(to, p)) return true
    }
    return loss > 0 && rng.float() < loss
  }
  return {
    latency: (rng, from, to) => Math.max(0, Math.round(delay(rng, from, to))),
    lost,
    region: regionOf,
    partitioned: (at) => partitions.some((p) => at >= p.at && at < p.heal),
  }
}
