/**
 * Model-based tests of RoutingTable (fast-check `commands`): random sequences of observe /
 * markFailed / markResponded / resolveProbe / remove / touch / closest run against the real table
 * and against a brute-force oracle that only knows which contacts the table must hold. After every
 * command: the structural invariants hold (buckets partition the id space, ≤ k contacts, bounded
 * replacement caches, no duplicates, never our own id, ordered by last seen), the table holds
 * exactly the oracle's contacts, `closest` (and `closestPeersExcept`, without one id) equals the oracle's sort, and every contact that left
 * the table left for a reason the paper allows (a failed probe, staleness with a replacement, an
 * explicit remove): a full bucket never drops a live contact without a probe.
 * Every input table is deep-frozen, so a transition that mutated it would throw.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Address, Bucket, NodeId, RoutingTable, Time } from '@kademlia-ts/core'
import { addressArb, nodeIdArb, nodeIdNearArb, routingConfigArb, routingTableArb, stepMillisArb } from '@kademlia-ts/core/testing'

type Table = RoutingTable.RoutingTable
type Contact = RoutingTable.Contact

const deepFreeze = <A>(x: A): A => {
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && !Object.isFrozen(x)) {
    Object.freeze(x)
    for (const v of Object.values(x as object)) deepFreeze(v)
  }
  return x
}

// The oracle: the contacts the table must hold, by hex id, and the probes it asked for.
interface Entry {
  readonly address: Address.Address
  readonly lastSeen: number
  readonly failures: number
}
interface Model {
  readonly self: NodeId.NodeId
  readonly config: RoutingTable.Config
  contacts: Map<string, Entry>
  now: number
}
interface Real {
  table: Table
}

const hex = NodeId.toHex
const entryOf = (c: Contact): Entry => ({ address: c.address, lastSeen: c.lastSeen, failures: c.failures })

/** Brute force: every contact the oracle holds, sorted by XOR distance to `target`. */
const oracleClosest = (m: Model, target: NodeId.NodeId, n: number): string[] => {
  const ids = [...m.contacts.keys()].map((h) => NodeId.unsafeFromBytes(Uint8Array.from(Buffer.from(h, 'hex'))))
  ids.sort((a, b) => {
    for (let i = 0; i < 20; i++) {
      const d = ((a[i] as number) ^ (target[i] as number)) - ((b[i] as number) ^ (target[i] as number))
      if (d !== 0) return d
    }
    return 0
  })
  return ids.slice(0, Math.max(0, n)).map(hex)
}

/** Checks run after every command. */
const verify = (m: Model, t: Table, target: NodeId.NodeId): void => {
  expect(RoutingTable.checkInvariants(t)).toEqual([])
  const actual = new Map(RoutingTable.contacts(t).map((c) => [hex(c.id), entryOf(c)]))
  expect(actual).toEqual(m.contacts)
  expect(RoutingTable.size(t)).toBe(m.contacts.size)
  for (const n of [1, m.config.bucketSize, 3 * m.config.bucketSize + 1]) {
    expect(RoutingTable.closest(t, target, n).map((c) => hex(c.id))).toEqual(oracleClosest(m, target, n))
    // without one contact (a FIND_NODE's requester): the second closest, or an id it does not hold
    const all = oracleClosest(m, target, m.contacts.size)
    for (const except of [all[1], all[0], hex(target)]) {
      if (except === undefined) continue
      const want = all.filter((h) => h !== except).slice(0, Math.max(0, n))
      const id = NodeId.unsafeFromBytes(Uint8Array.from(Buffer.from(except, 'hex')))
      expect(RoutingTable.closestPeersExcept(t, target, n, id).map((c) => hex(c.id))).toEqual(want)
    }
  }
}

/** Ids worth aiming a command at: contacts, replacements, pending probes (deterministic order). */
const knownIds = (t: Table): NodeId.NodeId[] => {
  const out: NodeId.NodeId[] = []
  for (const b of t.buckets) {
    for (const c of Bucket.contacts(b)) out.push(c.id)
    for (const c of Bucket.replacements(b)) out.push(c.id)
  }
  return out
}
const pick = (t: Table, index: number, fallback: NodeId.NodeId): NodeId.NodeId => {
  const ids = knownIds(t)
  return ids.length === 0 ? fallback : (ids[index % ids.length] as NodeId.NodeId)
}

/** The outcome of removing `id` from the oracle and promoting `promoted` (checked against `before`). */
const applyEviction = (m: Model, before: Table, evicted: NodeId.NodeId, promoted: Contact | undefined): void => {
  expect(m.contacts.has(hex(evicted))).toBe(true)
  m.contacts.delete(hex(evicted))
  const bucket = RoutingTable.bucketOf(before, evicted)
  if (promoted === undefined) {
    expect(Bucket.replacements(bucket)).toHaveLength(0)
  } else {
    // The most recently seen replacement of the same bucket, unchanged.
    expect(Bucket.replacements(bucket)[0]).toEqual(promoted)
    m.contacts.set(hex(promoted.id), entryOf(promoted))
  }
}

/**
 * A newcomer left out of a full bucket: the split rules (paper §2.4, Fig. 5, §4.2) must all have
 * said no. The bucket does not hold our own id, its depth is a multiple of b, and at least k
 * contacts are closer to our own id than the newcomer (brute force over the oracle).
 */
const mustNotSplit = (m: Model, t: Table, id: NodeId.NodeId): void => {
  const b = RoutingTable.bucketOf(t, id)
  expect(RoutingTable.bucketOf(t, m.self)).not.toBe(b)
  expect(b.depth % m.config.bitsPerHop).toBe(0)
  const closer = oracleClosest(m, m.self, m.contacts.size).filter((h) => {
    const c = NodeId.unsafeFromBytes(Uint8Array.from(Buffer.from(h, 'hex')))
    for (let i = 0; i < 20; i++) {
      const d = ((c[i] as number) ^ (m.self[i] as number)) - ((id[i] as number) ^ (m.self[i] as number))
      if (d !== 0) return d < 0
    }
    return false
  })
  expect(closer.length).toBeGreaterThanOrEqual(m.config.bucketSize)
}

/** Brute force: how many of the oracle's contacts are strictly closer to our own id than `id`. */
const closerToSelf = (m: Model, id: NodeId.NodeId): number => {
  let n = 0
  for (const h of m.contacts.keys()) {
    const c = NodeId.unsafeFromBytes(Uint8Array.from(Buffer.from(h, 'hex')))
    for (let i = 0; i < 20; i++) {
      const d = ((c[i] as number) ^ (m.self[i] as number)) - ((id[i] as number) ^ (m.self[i] as number))
      if (d !== 0) {
        if (d < 0) n++
        break
      }
    }
  }
  return n
}

/** A newcomer was inserted after splits: the first split was allowed by one of the rules. */
const mayHaveSplit = (m: Model, before: Table, id: NodeId.NodeId): void => {
  const b = RoutingTable.bucketOf(before, id)
  expect(Bucket.contacts(b)).toHaveLength(m.config.bucketSize)
  const holdsSelf = RoutingTable.bucketOf(before, m.self) === b
  const offStride = b.depth % m.config.bitsPerHop !== 0
  expect(holdsSelf || offStride || closerToSelf(m, id) < m.config.bucketSize).toBe(true)
}

type Cmd = fc.Command<Model, Real>

const at = (m: Model, dt: number): Time.Instant => {
  m.now += dt
  return Time.instant(m.now)
}

const observeCmd = (
  id: NodeId.NodeId | number,
  address: Address.Address,
  dt: number,
  target: NodeId.NodeId,
  asRecord = false,
): Cmd => ({
  check: () => true,
  toString: () => `observe(${typeof id === 'number' ? `#${id}` : hex(id)}, ${address}, +${dt}${asRecord ? ', record' : ''})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    const peer = typeof id === 'number' ? pick(before, id, m.self) : id
    const now = at(m, dt)
    // Sometimes the peer comes as a ready Contact record (stored as is when fresh).
    const input = asRecord ? deepFreeze({ id: peer, address, lastSeen: now, failures: 0 }) : { id: peer, address }
    const { table, outcome } = RoutingTable.observe(before, input, now)
    const h = hex(peer)
    const known = m.contacts.get(h)
    if (NodeId.equals(peer, m.self)) {
      expect(outcome).toEqual({ _tag: 'Rejected', reason: 'OwnId' })
      expect(table).toBe(before)
    } else if (known !== undefined) {
      if (known.address !== address && known.failures === 0) {
        expect(outcome).toEqual({ _tag: 'Rejected', reason: 'AddressConflict' })
        expect(table).toBe(before)
      } else {
        expect(outcome).toEqual({ _tag: 'Refreshed', contact: { id: peer, address, lastSeen: now, failures: 0 } })
        m.contacts.set(h, { address, lastSeen: now, failures: 0 })
        // Moved to the tail of its bucket.
        const cs = Bucket.contacts(RoutingTable.bucketOf(table, peer))
        expect(hex((cs[cs.length - 1] as Contact).id)).toBe(h)
      }
    } else {
      const bucket = RoutingTable.bucketOf(table, peer)
      switch (outcome._tag) {
        case 'Inserted':
          expect(outcome.contact).toEqual({ id: peer, address, lastSeen: now, failures: 0 })
          if (outcome.splits > 0) mayHaveSplit(m, before, peer)
          m.contacts.set(h, entryOf(outcome.contact))
          break
        case 'Replaced': {
          const ev = m.contacts.get(hex(outcome.evicted.id))
          // Only a stale contact makes room for a newcomer without a probe (paper §4.1).
          expect(ev).toBeDefined()
          expect((ev as Entry).failures).toBeGreaterThanOrEqual(m.config.staleAfterFailures)
          m.contacts.delete(hex(outcome.evicted.id))
          m.contacts.set(h, entryOf(outcome.inserted))
          break
        }
        case 'Pending':
          mustNotSplit(m, table, peer)
          // Full bucket: the newcomer waits in the cache, the LRS is probed.
          expect(Bucket.contacts(bucket)).toHaveLength(m.config.bucketSize)
          expect(hex(outcome.probe.id)).toBe(hex((Bucket.contacts(bucket)[0] as Contact).id))
          expect(bucket.probing && hex(bucket.probing)).toBe(hex(outcome.probe.id))
          expect(RoutingTable.bucketOf(before, peer).probing).toBeUndefined()
          if (m.config.replacementCacheSize > 0) expect(hex((Bucket.replacements(bucket)[0] as Contact).id)).toBe(h)
          break
        case 'Cached':
          mustNotSplit(m, table, peer)
          expect(Bucket.contacts(bucket)).toHaveLength(m.config.bucketSize)
          expect(bucket.probing).toBeDefined()
          if (m.config.replacementCacheSize > 0) expect(hex((Bucket.replacements(bucket)[0] as Contact).id)).toBe(h)
          break
        default:
          expect.fail(`unexpected outcome ${outcome._tag} for a newcomer`)
      }
    }
    r.table = table
    verify(m, table, target)
  },
})

const failedCmd = (index: number, dt: number, target: NodeId.NodeId): Cmd => ({
  check: () => true,
  toString: () => `markFailed(#${index}, +${dt})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    const id = pick(before, index, target)
    const { table, outcome } = RoutingTable.markFailed(before, id, at(m, dt))
    const known = m.contacts.get(hex(id))
    if (known === undefined) {
      expect(outcome).toEqual({ _tag: 'Unknown' })
      expect(Bucket.replacements(RoutingTable.bucketOf(table, id)).some((c) => NodeId.equals(c.id, id))).toBe(false)
    } else {
      const failures = known.failures + 1
      const mayEvict = failures >= m.config.staleAfterFailures && Bucket.replacements(RoutingTable.bucketOf(before, id)).length > 0
      if (mayEvict) {
        expect(outcome._tag).toBe('Evicted')
        if (outcome._tag === 'Evicted') applyEviction(m, before, id, outcome.promoted)
      } else {
        expect(outcome).toEqual({ _tag: 'Flagged', contact: { id, address: known.address, lastSeen: known.lastSeen, failures } })
        m.contacts.set(hex(id), { ...known, failures })
      }
    }
    r.table = table
    verify(m, table, target)
  },
})

const respondedCmd = (index: number, dt: number, target: NodeId.NodeId): Cmd => ({
  check: () => true,
  toString: () => `markResponded(#${index}, +${dt})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    const id = pick(before, index, target)
    const now = at(m, dt)
    const { table, outcome } = RoutingTable.markResponded(before, id, now)
    const known = m.contacts.get(hex(id))
    if (known === undefined) {
      expect(outcome).toEqual({ _tag: 'Unknown' })
      expect(table).toBe(before)
    } else {
      expect(outcome).toEqual({ _tag: 'Refreshed', contact: { id, address: known.address, lastSeen: now, failures: 0 } })
      m.contacts.set(hex(id), { address: known.address, lastSeen: now, failures: 0 })
    }
    r.table = table
    verify(m, table, target)
  },
})

const probeCmd = (index: number, responded: boolean, dt: number, target: NodeId.NodeId): Cmd => ({
  check: () => true,
  toString: () => `resolveProbe(#${index}, ${responded}, +${dt})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    // Aim at a pending probe when there is one.
    const probes = before.buckets.flatMap((b) => (b.probing === undefined ? [] : [b.probing]))
    const id = probes.length > 0 ? (probes[index % probes.length] as NodeId.NodeId) : pick(before, index, target)
    const now = at(m, dt)
    const { table, outcome } = RoutingTable.resolveProbe(before, id, responded, now)
    const known = m.contacts.get(hex(id))
    const bucket = RoutingTable.bucketOf(before, id)
    const wasProbe = bucket.probing !== undefined && NodeId.equals(bucket.probing, id)
    if (known === undefined) {
      expect(outcome).toEqual({ _tag: 'Unknown' })
    } else if (responded) {
      expect(outcome).toEqual({ _tag: 'Kept', contact: { id, address: known.address, lastSeen: now, failures: 0 } })
      m.contacts.set(hex(id), { address: known.address, lastSeen: now, failures: 0 })
    } else {
      const failures = known.failures + 1
      const mayEvict = Bucket.replacements(bucket).length > 0 && (wasProbe || failures >= m.config.staleAfterFailures)
      if (mayEvict) {
        expect(outcome._tag).toBe('Evicted')
        if (outcome._tag === 'Evicted') applyEviction(m, before, id, outcome.promoted)
      } else {
        expect(outcome).toEqual({ _tag: 'Flagged', contact: { id, address: known.address, lastSeen: known.lastSeen, failures } })
        m.contacts.set(hex(id), { ...known, failures })
      }
    }
    // The probe question is settled.
    const after = RoutingTable.bucketOf(table, id).probing
    expect(after !== undefined && NodeId.equals(after, id)).toBe(false)
    r.table = table
    verify(m, table, target)
  },
})

const removeCmd = (index: number, target: NodeId.NodeId): Cmd => ({
  check: () => true,
  toString: () => `remove(#${index})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    const id = pick(before, index, target)
    const table = RoutingTable.remove(before, id)
    if (m.contacts.has(hex(id))) {
      const added = RoutingTable.contacts(table).filter((c) => !m.contacts.has(hex(c.id)))
      expect(added.length).toBeLessThanOrEqual(1)
      applyEviction(m, before, id, added[0])
    }
    expect(knownIds(table).some((x) => NodeId.equals(x, id))).toBe(false)
    r.table = table
    verify(m, table, target)
  },
})

const touchCmd = (target: NodeId.NodeId, dt: number): Cmd => ({
  check: () => true,
  toString: () => `touch(${hex(target)}, +${dt})`,
  run: (m, r) => {
    const before = deepFreeze(r.table)
    const now = at(m, dt)
    const table = RoutingTable.touch(before, target, now)
    expect(RoutingTable.bucketOf(table, target).lastLookup).toBe(now)
    expect(table.buckets.filter((b, i) => b !== before.buckets[i])).toHaveLength(1)
    r.table = table
    verify(m, table, target)
  },
})

const scenario = fc
  .tuple(nodeIdArb, routingConfigArb, nodeIdArb)
  .chain(([self, config, target]) => {
    const near = nodeIdNearArb(self, 20)
    const index = fc.nat({ max: 1000 })
    const cmds = [
      fc.tuple(near, addressArb, stepMillisArb).map(([id, a, dt]) => observeCmd(id, a, dt, target)),
      fc.tuple(near, addressArb, stepMillisArb).map(([id, a, dt]) => observeCmd(id, a, dt, target)),
      fc.tuple(near, addressArb, stepMillisArb, fc.boolean()).map(([id, a, dt, rec]) => observeCmd(id, a, dt, target, rec)),
      fc.tuple(index, addressArb, stepMillisArb, fc.boolean()).map(([i, a, dt, rec]) => observeCmd(i, a, dt, target, rec)),
      fc.tuple(index, stepMillisArb).map(([i, dt]) => failedCmd(i, dt, target)),
      fc.tuple(index, stepMillisArb).map(([i, dt]) => respondedCmd(i, dt, target)),
      fc.tuple(index, fc.boolean(), stepMillisArb).map(([i, ok, dt]) => probeCmd(i, ok, dt, target)),
      index.map((i) => removeCmd(i, target)),
      fc.tuple(near, stepMillisArb).map(([t, dt]) => touchCmd(t, dt)),
    ]
    return fc.tuple(fc.constant(self), fc.constant(config), fc.commands(cmds, { maxCommands: 200, size: 'max' }))
  })

describe('RoutingTable: model-based', () => {
  it('matches the brute-force oracle and keeps its invariants under any sequence of transitions', () => {
    fc.assert(
      fc.property(scenario, ([self, config, cmds]) => {
        const model: Model = { self, config, contacts: new Map(), now: 0 }
        fc.modelRun(() => ({ model, real: { table: RoutingTable.empty(self, config, Time.instant(0)) } }), cmds)
      }),
      { numRuns: 150 },
    )
  })

  it('with k = 20 (b = 1, 2 or 5) and many observations near our own id', () => {
    fc.assert(
      fc.property(
        nodeIdArb,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 }), nodeIdArb), { minLength: 50, maxLength: 600 }),
        nodeIdArb,
        fc.constantFrom(1, 2, 5),
        (self, draws, target, bitsPerHop) => {
          const config = { ...RoutingTable.defaultConfig, bitsPerHop }
          const model: Model = { self, config, contacts: new Map(), now: 0 }
          const real: Real = { table: RoutingTable.empty(self, config, Time.instant(0)) }
          for (const [shared, noise] of draws) {
            const out = Uint8Array.from(noise)
            // Share `shared` leading bits with self so the deep buckets fill up too.
            for (let b = 0; b < shared; b++) {
              const byte = b >>> 3
              const mask = 0x80 >>> (b & 7)
              out[byte] = ((out[byte] as number) & ~mask) | ((self[byte] as number) & mask)
            }
            observeCmd(NodeId.unsafeFromBytes(out), Address.of('10.0.0.1:4000'), 1, target).run(model, real)
          }
          expect(RoutingTable.size(real.table)).toBeGreaterThan(0)
        },
      ),
      { numRuns: 20 },
    )
  })

  it('observeAll is the fold of observe, with keyed peers or not, and never writes to its input table', () => {
    fc.assert(
      fc.property(
        nodeIdArb.chain((self) =>
          fc.tuple(
            fc.constant(self),
            fc.oneof(routingConfigArb, fc.constant(RoutingTable.defaultConfig)),
            fc.array(
              fc.record({
                id: fc.oneof({ weight: 3, arbitrary: nodeIdArb }, { weight: 2, arbitrary: nodeIdNearArb(self, 24) }, { weight: 1, arbitrary: fc.constant(self) }),
                address: addressArb,
              }),
              { maxLength: 150, size: 'max' },
            ),
            fc.nat({ max: 3 }),
          ),
        ),
        ([self, config, peers, seeded]) => {
          // Start from a table that already holds some of the peers (their arrays are the input's).
          let start = RoutingTable.empty(self, config, Time.instant(0))
          for (const p of peers.slice(0, seeded * 10)) start = RoutingTable.observe(start, p, Time.instant(1)).table
          start = deepFreeze(start)
          const at = Time.instant(2)
          // Duplicates, our own id and re-observations are all in `peers`: every path of observe.
          const all = [...peers, ...peers.slice(0, 20)]
          let folded = start
          for (const p of all) folded = RoutingTable.observe(folded, p, at).table
          const bulk = RoutingTable.observeAll(start, all, at)
          expect(bulk).toEqual(folded)
          expect(RoutingTable.checkInvariants(bulk)).toEqual([])
          // Keyed peers (the head of their id given, not read from the id) build the same table.
          const keyed = all.map((p, j) => (j % 3 === 0 ? p : RoutingTable.keyedPeer(p.id, p.address)))
          expect(RoutingTable.observeAll(start, keyed, at)).toEqual(folded)
          // Again from the result: its arrays are now someone's, so they must not be extended.
          const snapshot = JSON.stringify(RoutingTable.contacts(bulk).map((c) => [NodeId.toHex(c.id), c.lastSeen]))
          const more = RoutingTable.observeAll(bulk, peers.slice(0, 30).map((p) => ({ ...p, id: NodeId.unsafeFromBytes(Uint8Array.from(p.id).reverse()) })), at)
          expect(JSON.stringify(RoutingTable.contacts(bulk).map((c) => [NodeId.toHex(c.id), c.lastSeen]))).toBe(snapshot)
          expect(RoutingTable.checkInvariants(more)).toEqual([])
        },
      ),
      { numRuns: 100 },
    )
  })

  it('observeAll builds the routing-table arbitrary\'s tables the same way as observe', () => {
    fc.assert(
      fc.property(routingTableArb({ maxPeers: 60 }), nodeIdArb, (t, noise) => {
        const frozen = deepFreeze(t)
        const peers = [{ id: noise, address: Address.of('x') }, ...RoutingTable.contacts(frozen).slice(0, 5)]
        let folded = frozen
        for (const p of peers) folded = RoutingTable.observe(folded, p, Time.instant(2 ** 41)).table
        expect(RoutingTable.observeAll(frozen, peers, Time.instant(2 ** 41))).toEqual(folded)
      }),
      { numRuns: 50 },
    )
  })
})
