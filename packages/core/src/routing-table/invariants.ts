/**
 * The structural invariants of a routing table, as a list of violations (empty when sound). The
 * model-based tests check them after every transition, and the simulator may check them on its
 * nodes' tables. Linear in the table's size; not for hot paths.
 */
import * as NodeId from '../id/node-id.js'
import type { Bucket } from './bucket.js'
import * as B from './bucket.js'
import type { Contact } from './contact.js'
import type { RoutingTable } from './model.js'
import * as Walk from './walk.js'

// queries

const SPACE = 1n << BigInt(NodeId.BITS)

const toBigInt = (id: Uint8Array): bigint => {
  let n = 0n
  for (let i = 0; i < id.length; i++) n = (n << 8n) | BigInt(id[i] as number)
  return n
}

const checkBucket = (t: RoutingTable, b: Bucket, index: number, problems: string[]): void => {
  const where = `bucket ${index} (depth ${b.depth})`
  const cfg = t.config
  if (!Number.isInteger(b.depth) || b.depth < 0 || b.depth > NodeId.BITS) problems.push(`${where}: bad depth`)
  if (!NodeId.isNodeId(b.prefix)) problems.push(`${where}: prefix is not a 20-byte id`)
  const n = b.seen.length
  if (b.peers.length !== 2 * n) problems.push(`${where}: ${b.peers.length} peer slots for ${n} contacts`)
  if (b.heads.length !== n) problems.push(`${where}: ${b.heads.length} heads for ${n} contacts`)
  for (let i = 0; i < n && b.peers.length === 2 * n && b.heads.length === n; i++) {
    const id = B.idAt(b, i)
    if (NodeId.isNodeId(id) && b.heads[i] !== Walk.head(id)) problems.push(`${where}: head ${i} is not its id's`)
  }
  if (b.failures.length !== 0 && b.failures.length !== n) problems.push(`${where}: ${b.failures.length} failure counts for ${n} contacts`)
  if (b.failures.length !== 0 && b.failures.every((f) => f === 0)) problems.push(`${where}: all-zero failure counts not shared`)
  if (b.cache.length % B.CACHE_STRIDE !== 0) problems.push(`${where}: the cache is not whole entries`)
  if (b.peers.length !== 2 * n || b.heads.length !== n || (b.failures.length !== 0 && b.failures.length !== n) || b.cache.length % B.CACHE_STRIDE !== 0) return
  if (B.size(b) > cfg.bucketSize) problems.push(`${where}: ${B.size(b)} contacts > k = ${cfg.bucketSize}`)
  if (B.cacheSize(b) > cfg.replacementCacheSize) {
    problems.push(`${where}: ${B.cacheSize(b)} replacements > ${cfg.replacementCacheSize}`)
  }
  const contacts = B.contacts(b)
  const replacements = B.replacements(b)
  const check = (records: ReadonlyArray<Contact>, what: string): void => {
    for (let j = 0; j < records.length; j++) {
      const c = records[j] as Contact
      const hex = NodeId.isNodeId(c.id) ? NodeId.toHex(c.id) : '?'
      if (!NodeId.isNodeId(c.id)) problems.push(`${where}: ${what} ${j} has no 20-byte id`)
      else if (!B.covers(b, c.id)) problems.push(`${where}: ${what} ${hex} outside the bucket's range`)
      if (NodeId.isNodeId(c.id) && NodeId.equals(c.id, t.self)) problems.push(`${where}: ${what} is our own id`)
      if (typeof c.address !== 'string') problems.push(`${where}: ${what} ${hex} has no address`)
      if (!Number.isInteger(c.lastSeen)) problems.push(`${where}: ${what} ${hex} bad last-seen instant`)
      if (!Number.isInteger(c.failures) || c.failures < 0) problems.push(`${where}: ${what} ${hex} bad failures`)
      if (records.findIndex((r) => NodeId.isNodeId(r.id) && NodeId.isNodeId(c.id) && NodeId.equals(r.id, c.id)) !== j) {
        problems.push(`${where}: ${what} ${hex} duplicated`)
      }
    }
  }
  check(contacts, 'contact')
  check(replacements, 'replacement')
  for (let j = 1; j < contacts.length; j++) {
    if ((contacts[j - 1] as Contact).lastSeen > (contacts[j] as Contact).lastSeen) {
      problems.push(`${where}: contacts not ordered least-recently seen first at ${j}`)
    }
  }
  for (let j = 1; j < replacements.length; j++) {
    if ((replacements[j - 1] as Contact).lastSeen < (replacements[j] as Contact).lastSeen) {
      problems.push(`${where}: replacements not ordered most-recently seen first at ${j}`)
    }
  }
  for (const r of replacements) {
    if (B.indexOf(b, r.id) >= 0) problems.push(`${where}: ${NodeId.toHex(r.id)} both contact and replacement`)
  }
  if (b.probing !== undefined && B.indexOf(b, b.probing) < 0) {
    problems.push(`${where}: probing ${NodeId.toHex(b.probing)}, not a contact of the bucket`)
  }
}

/**
 * Every violated invariant: the buckets are prefix-tree leaves in id order that partition the id
 * space; each holds ≤ k contacts and ≤ replacementCacheSize replacements, all inside its range,
 * no duplicates, never our own id; contacts ordered least-recently seen first, replacements most
 * recently seen first; a pending probe is a contact of its bucket; `size` counts the contacts.
 */
export const checkInvariants = (t: RoutingTable): ReadonlyArray<string> => {
  const problems: string[] = []
  if (t.buckets.length === 0) return ['no buckets']
  let next = 0n
  let count = 0
  for (let i = 0; i < t.buckets.length; i++) {
    const b = t.buckets[i] as Bucket
    const lo = toBigInt(b.prefix)
    const width = SPACE >> BigInt(b.depth)
    if (lo % width !== 0n) problems.push(`bucket ${i}: prefix has bits set past depth ${b.depth}`)
    if (lo !== next) problems.push(`bucket ${i}: starts at ${lo.toString(16)}, expected ${next.toString(16)}`)
    next = lo + width
    count += B.size(b)
    checkBucket(t, b, i, problems)
  }
  if (t.heads.length !== t.buckets.length) problems.push(`${t.heads.length} heads for ${t.buckets.length} buckets`)
  for (let i = 0; i < t.buckets.length && i < t.heads.length; i++) {
    if (t.heads[i] !== Walk.head((t.buckets[i] as Bucket).prefix)) problems.push(`bucket ${i}: head is not its prefix's`)
  }
  if (next !== SPACE) problems.push(`buckets end at ${next.toString(16)}, not 2^160`)
  if (count !== t.size) problems.push(`size ${t.size} but ${count} contacts`)
  const oldest = Math.min(...t.buckets.map((b) => b.lastLookup))
  if (t.oldestLookup !== oldest) problems.push(`oldestLookup ${t.oldestLookup} but the earliest bucket lookup is ${oldest}`)
  return problems
}
