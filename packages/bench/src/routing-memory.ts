/**
 * Heap bytes per contact of `bench:routing` (needs `node --expose-gc`).
 *
 * Method: every id, address and k-bucket input exists before the baseline (a simulator allocates
 * each node's id once and every table shares it), then after two full GCs the heap is read before
 * and after building `tables` routing tables, each for its own random id, each fed `feed` random
 * peers of a shared pool, and still referenced at the second reading. The growth divided by the
 * contacts the tables hold is the figure; it includes the buckets, the bucket spine and the
 * replacement caches, so it is the whole cost of the tables, not just of the contact records.
 */
import { Bucket, Contact, NodeId, Prng, RoutingTable, Time } from '@kademlia-ts/core'
import KBucket from 'k-bucket'
import type { KContact, Peer } from './routing-workload.js'
import { randomPeers } from './routing-workload.js'
import { settledHeapUsed } from './util/heap.js'

// model

export interface MemoryReport {
  readonly tables: number
  readonly feed: number
  readonly bucketSize: number
  /** Contacts held, summed over the tables (replacements not counted). */
  readonly contacts: number
  readonly replacements: number
  readonly oursBytesPerContact: number
  readonly kbucketContacts: number
  readonly kbucketBytesPerContact: number
  /** What one more Uint8Array(20) id costs, for readers who want to add an id per contact. */
  readonly bytesPerId: number
}

// queries

const heap = (): number => settledHeapUsed('bench:routing')

/** A small deterministic index stream (xorshift32), so the feed costs no allocation. */
const indices = (seed: number, count: number, bound: number): Uint32Array => {
  const out = new Uint32Array(count)
  let x = seed | 0 || 1
  for (let i = 0; i < count; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = (x >>> 0) % bound
  }
  return out
}

/**
 * `records`: feed every table the same pre-made `Contact` records, all at time 0, as a simulator's
 * prefill can (`observe` stores a fresh record as is), instead of `{ id, address }` peers at
 * increasing times (one new record per table and contact).
 */
export const measureMemory = (
  seed: number,
  tables: number,
  feed: number,
  bucketSize: number,
  pool: number,
  records = false,
): MemoryReport => {
  let g = Prng.fromSeed(seed)
  const [peers, g1] = randomPeers(g, pool)
  g = g1
  const selves: NodeId.NodeId[] = []
  for (let i = 0; i < tables; i++) {
    const [id, next] = NodeId.random(g)
    g = next
    selves.push(id)
  }
  const picks = indices(seed, tables * feed, pool)
  const inputs: ReadonlyArray<Peer> = records ? peers.map((p) => Contact.of(p.id, p.address, Time.ZERO)) : peers
  const config: RoutingTable.Config = { ...RoutingTable.defaultConfig, bucketSize }

  const before = heap()
  const ours: RoutingTable.RoutingTable[] = []
  for (let i = 0; i < tables; i++) {
    let t = RoutingTable.empty(selves[i] as NodeId.NodeId, config, Time.ZERO)
    for (let j = 0; j < feed; j++) {
      t = RoutingTable.observe(t, inputs[picks[i * feed + j] as number] as Peer, records ? Time.ZERO : Time.instant(j)).table
    }
    ours.push(t)
  }
  const afterOurs = heap()
  let contacts = 0
  let replacements = 0
  for (const t of ours) {
    contacts += RoutingTable.size(t)
    for (const b of RoutingTable.buckets(t)) replacements += Bucket.cacheSize(b)
  }
  ours.length = 0

  const beforeK = heap()
  const theirs: KBucket<KContact>[] = []
  for (let i = 0; i < tables; i++) {
    const kb = new KBucket<KContact>({ localNodeId: selves[i] as NodeId.NodeId, numberOfNodesPerKBucket: bucketSize })
    for (let j = 0; j < feed; j++) {
      const p = peers[picks[i * feed + j] as number] as Peer
      // k-bucket keeps the caller's object: a user makes one per message, as we do here.
      kb.add({ id: p.id, address: p.address, vectorClock: j })
    }
    theirs.push(kb)
  }
  const afterK = heap()
  let kContacts = 0
  for (const kb of theirs) kContacts += kb.count()
  theirs.length = 0

  const idsBefore = heap()
  const ids: Uint8Array[] = []
  for (let i = 0; i < 100_000; i++) ids.push(new Uint8Array(20))
  const idsAfter = heap()

  // Keep the shared inputs alive up to here: a dead pool would be collected mid-measurement.
  if (peers.length + inputs.length + selves.length + picks.length + ours.length + theirs.length < 0) {
    throw new Error('unreachable')
  }

  return {
    tables,
    feed,
    bucketSize,
    contacts,
    replacements,
    oursBytesPerContact: (afterOurs - before) / contacts,
    kbucketContacts: kContacts,
    kbucketBytesPerContact: (afterK - beforeK) / kContacts,
    bytesPerId: (idsAfter - idsBefore) / ids.length,
  }
}
