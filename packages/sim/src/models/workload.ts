/**
 * The workload model: puts, gets and node lookups arriving as Poisson processes at given
 * network-wide rates, on a fixed set of keys whose popularity is uniform or Zipf-distributed.
 * Gets only ask for keys that have been published, so a failed get means the DHT lost or could
 * not find a record, never that nobody stored it.
 */
import { NodeId } from '@kademlia-ts/core'
import * as Random from '../random.js'
import type { Popularity } from '../scenario.js'

// model

export interface Keys {
  readonly ids: ReadonlyArray<NodeId.NodeId>
  /** Cumulative popularity of ranks 0..n-1 (rank 0 the most popular), unnormalised. */
  readonly cdf: Float64Array
}

// constructors

/** `count` keys (SHA-1 of `key-<seed>-<i>`), with the popularity of rank i by the given law. */
export const keys = (count: number, popularity: Popularity, seed: number): Keys => {
  const ids = Array.from({ length: count }, (_, i) => NodeId.fromKey(`key-${seed}-${i}`))
  const cdf = new Float64Array(count)
  let acc = 0
  for (let i = 0; i < count; i++) {
    acc += popularity.kind === 'uniform' ? 1 : 1 / Math.pow(i + 1, popularity.exponent)
    cdf[i] = acc
  }
  return { ids, cdf }
}

// queries

/** Time to the next arrival of a Poisson process with `perSecond` arrivals per second. */
export const nextArrival = (rng: Random.Random, perSecond: number): number =>
  perSecond <= 0 ? Infinity : Random.exponential(rng, 1000 / perSecond)

/** A rank in [0, limit) drawn by popularity, restricted to the first `limit` ranks. */
export const pickRank = (rng: Random.Random, k: Keys, limit: number): number => {
  const n = Math.min(limit, k.cdf.length)
  if (n <= 0) return -1
  const u = rng.float() * (k.cdf[n - 1] as number)
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((k.cdf[mid] as number) > u) hi = mid
    else lo = mid + 1
  }
  return lo
}
