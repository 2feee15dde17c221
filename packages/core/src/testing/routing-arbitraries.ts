/**
 * fast-check arbitraries for ids, addresses and routing-table configurations. Ids near a given
 * id (sharing a chosen number of leading bits) reach the deep buckets that uniform ids almost
 * never do, so properties exercise splitting, relaxed splitting and full buckets.
 */
import * as fc from 'fast-check'
import * as Address from '../address.js'
import * as NodeId from '../id/node-id.js'
import type { Config } from '../routing-table/model.js'
import * as Time from '../time.js'

// constructors

/** A uniformly random 160-bit id. */
export const nodeIdArb: fc.Arbitrary<NodeId.NodeId> = fc
  .uint8Array({ minLength: NodeId.BYTES, maxLength: NodeId.BYTES })
  .map((bytes) => NodeId.unsafeFromBytes(bytes))

/** The id whose first `shared` bits equal `near`'s, bit `shared` differs, the rest from `noise`. */
export const idSharingPrefix = (near: NodeId.NodeId, shared: number, noise: NodeId.NodeId): NodeId.NodeId => {
  if (shared >= NodeId.BITS) return near
  const out = Uint8Array.from(noise)
  const full = shared >>> 3
  for (let i = 0; i < full; i++) out[i] = near[i] as number
  const rest = shared & 7
  const keep = (0xff << (8 - rest)) & 0xff
  const flip = 0x80 >>> rest
  const mixed = ((near[full] as number) & keep) | ((noise[full] as number) & ~keep & 0xff)
  out[full] = (mixed & ~flip & 0xff) | (~(near[full] as number) & flip)
  return NodeId.unsafeFromBytes(out)
}

/**
 * An id whose common prefix with `near` is biased towards being long (up to `maxShared` bits),
 * so a table for `near` gets contacts in its deep buckets; sometimes `near` itself.
 */
export const nodeIdNearArb = (near: NodeId.NodeId, maxShared = 24): fc.Arbitrary<NodeId.NodeId> =>
  fc.oneof(
    { weight: 3, arbitrary: nodeIdArb },
    {
      weight: 16,
      arbitrary: fc
        .tuple(fc.integer({ min: 0, max: maxShared }), nodeIdArb)
        .map(([shared, noise]) => idSharingPrefix(near, shared, noise)),
    },
    { weight: 1, arbitrary: fc.constant(near) },
  )

/** Mostly one transport address, sometimes two others (so address conflicts happen). */
export const addressArb: fc.Arbitrary<Address.Address> = fc
  .oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.integer({ min: 2, max: 3 }) })
  .map((n) => Address.of(`10.0.0.${n}:4000`))

/** Small buckets and caches, so that splits, full buckets and evictions all happen often. */
export const routingConfigArb: fc.Arbitrary<Config> = fc.record({
  bucketSize: fc.integer({ min: 1, max: 4 }),
  bitsPerHop: fc.integer({ min: 1, max: 3 }),
  replacementCacheSize: fc.integer({ min: 0, max: 3 }),
  staleAfterFailures: fc.integer({ min: 1, max: 3 }),
})

/** A gap between two events, in milliseconds (zero included: equal instants happen). */
export const stepMillisArb: fc.Arbitrary<number> = fc.integer({ min: 0, max: 120_000 })

/** An instant on the driver's time line. */
export const instantArb: fc.Arbitrary<Time.Instant> = fc.integer({ min: 0, max: 2 ** 40 }).map(Time.instant)
