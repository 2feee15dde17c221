/**
 * Example-based tests of RoutingTable: each rule of the paper that the table implements, on
 * small hand-built tables. The model-based properties are in routing-table.model.test.ts.
 */
import { describe, expect, it } from 'vitest'
import { Address, Bucket, NodeId, RoutingTable, Time } from '@kademlia-ts/core'
import { idSharingPrefix } from '@kademlia-ts/core/testing'

/** Freezes every object and array reachable from `x` (typed arrays cannot be frozen; ids are checked by value). */
const deepFreeze = <A>(x: A): A => {
  if (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) && !Object.isFrozen(x)) {
    Object.freeze(x)
    for (const v of Object.values(x as object)) deepFreeze(v)
  }
  return x
}

const id = (hex: string): NodeId.NodeId => {
  const full = hex.padEnd(40, '0')
  const out = new Uint8Array(20)
  for (let i = 0; i < 20; i++) out[i] = parseInt(full.slice(2 * i, 2 * i + 2), 16)
  return NodeId.unsafeFromBytes(out)
}
const addr = (n: number): Address.Address => Address.of(`10.0.0.${n}:4000`)
const at = (ms: number): Time.Instant => Time.instant(ms)

const self = id('00')
const cfg = (over: Partial<RoutingTable.Config> = {}): RoutingTable.Config => ({ ...RoutingTable.defaultConfig, ...over })

const observeAll = (t: RoutingTable.RoutingTable, ids: ReadonlyArray<NodeId.NodeId>, start = 1): RoutingTable.RoutingTable =>
  ids.reduce((acc, x, i) => RoutingTable.observe(deepFreeze(acc), { id: x, address: addr(1) }, at(start + i)).table, t)

const sound = (t: RoutingTable.RoutingTable): void => expect(RoutingTable.checkInvariants(t)).toEqual([])

describe('RoutingTable: examples', () => {
  it('starts empty with one bucket covering the whole space', () => {
    const t = RoutingTable.empty(self, RoutingTable.defaultConfig, at(0))
    expect(RoutingTable.size(t)).toBe(0)
    expect(RoutingTable.buckets(t)).toHaveLength(1)
    expect(RoutingTable.closest(t, id('ff'), 20)).toEqual([])
    sound(t)
  })

  it('rejects our own id', () => {
    const t = deepFreeze(RoutingTable.empty(self, RoutingTable.defaultConfig, at(0)))
    const r = RoutingTable.observe(t, { id: self, address: addr(1) }, at(1))
    expect(r.outcome).toEqual({ _tag: 'Rejected', reason: 'OwnId' })
    expect(r.table).toBe(t)
  })

  it('inserts, then refreshes a known contact to the tail (paper §2.2)', () => {
    const a = id('80'), b = id('90')
    let t = observeAll(RoutingTable.empty(self, cfg(), at(0)), [a, b])
    expect(RoutingTable.contacts(t).map((c) => NodeId.toHex(c.id))).toEqual([NodeId.toHex(a), NodeId.toHex(b)])
    const r = RoutingTable.observe(deepFreeze(t), { id: a, address: addr(1) }, at(10))
    expect(r.outcome._tag).toBe('Refreshed')
    t = r.table
    expect(RoutingTable.contacts(t).map((c) => NodeId.toHex(c.id))).toEqual([NodeId.toHex(b), NodeId.toHex(a)])
    expect(RoutingTable.find(t, a)?.lastSeen).toBe(10)
    sound(t)
  })

  it('splits the bucket holding our own id, and not a far full bucket (paper §2.4)', () => {
    // k = 2, self = 0…: 01 and 02 fill the root; 80 splits it (the root holds self).
    const t0 = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2 }), at(0)), [id('01'), id('02')])
    expect(RoutingTable.buckets(t0)).toHaveLength(1)
    const r0 = RoutingTable.observe(deepFreeze(t0), { id: id('80'), address: addr(1) }, at(3))
    expect(r0.outcome).toMatchObject({ _tag: 'Inserted', splits: 1 })
    const t1 = observeAll(r0.table, [id('c0')], 4)
    expect(RoutingTable.buckets(t1)).toHaveLength(2)
    // The far half [80, c0] is full, does not hold self, and a0 is not among the 2 contacts
    // closest to self (01 and 02 are): a0 is cached and the LRS, 80, is probed.
    const r = RoutingTable.observe(deepFreeze(t1), { id: id('a0'), address: addr(1) }, at(5))
    expect(r.outcome).toEqual({ _tag: 'Pending', probe: RoutingTable.find(t1, id('80')) })
    expect(RoutingTable.buckets(r.table)).toHaveLength(2)
    expect(Bucket.replacements(RoutingTable.bucketOf(r.table, id('a0'))).map((c) => NodeId.toHex(c.id))).toEqual([NodeId.toHex(id('a0'))])
    sound(r.table)
  })

  it('relaxed splitting keeps a newcomer that is among our k closest (paper §2.4, Fig. 5)', () => {
    // k = 2, nothing near self: the root [80, c0] is full; 81 is closer to self than c0, so it is
    // among the 2 closest and the table splits (first the root, which holds self, then the far
    // half, which does not) to keep it.
    const t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2 }), at(0)), [id('80'), id('c0')])
    const r = RoutingTable.observe(deepFreeze(t), { id: id('81'), address: addr(1) }, at(9))
    expect(r.outcome).toMatchObject({ _tag: 'Inserted', splits: 2 })
    expect(RoutingTable.size(r.table)).toBe(3)
    sound(r.table)
    // With 01 and 02 nearer to self, 81 is not among the 2 closest: it waits.
    const near = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2 }), at(0)), [id('80'), id('c0'), id('01'), id('02')])
    expect(Bucket.contacts(RoutingTable.bucketOf(near, id('80')))).toHaveLength(2)
    expect(RoutingTable.observe(deepFreeze(near), { id: id('81'), address: addr(1) }, at(9)).outcome._tag).toBe('Pending')
  })

  it('bitsPerHop b splits any full bucket whose depth is not a multiple of b (paper §4.2)', () => {
    const ids = [id('01'), id('02'), id('80'), id('c0'), id('a0')]
    const plain = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2, bitsPerHop: 1 }), at(0)), ids)
    const b2 = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2, bitsPerHop: 2 }), at(0)), ids)
    expect(RoutingTable.size(plain)).toBe(4)
    expect(RoutingTable.size(b2)).toBe(5)
    expect(RoutingTable.bucketOf(b2, id('a0')).depth).toBe(2)
    sound(b2)
  })

  it('a failed probe evicts the LRS and promotes the newcomer; a live probe keeps it', () => {
    const t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2 }), at(0)), [id('01'), id('02'), id('80'), id('c0')])
    const p = RoutingTable.observe(deepFreeze(t), { id: id('a0'), address: addr(2) }, at(20))
    expect(p.outcome._tag).toBe('Pending')
    const probe = (p.outcome as { probe: RoutingTable.Contact }).probe
    expect(NodeId.toHex(probe.id)).toBe(NodeId.toHex(id('80')))
    // A second newcomer while the probe is pending is only cached.
    const q = RoutingTable.observe(deepFreeze(p.table), { id: id('b0'), address: addr(2) }, at(21))
    expect(q.outcome).toEqual({ _tag: 'Cached' })
    const kept = RoutingTable.resolveProbe(deepFreeze(q.table), probe.id, true, at(22))
    expect(kept.outcome._tag).toBe('Kept')
    expect(Bucket.contacts(RoutingTable.bucketOf(kept.table, probe.id)).map((c) => NodeId.toHex(c.id))).toEqual(
      [NodeId.toHex(id('c0')), NodeId.toHex(id('80'))])
    expect(RoutingTable.bucketOf(kept.table, probe.id).probing).toBeUndefined()
    const failed = RoutingTable.resolveProbe(deepFreeze(q.table), probe.id, false, at(22))
    expect(failed.outcome).toMatchObject({ _tag: 'Evicted', evicted: { id: probe.id, failures: 1 } })
    // The most recently seen replacement (b0) takes the slot, ordered by its last-seen time.
    const promoted = (failed.outcome as { promoted: RoutingTable.Contact }).promoted
    expect(NodeId.toHex(promoted.id)).toBe(NodeId.toHex(id('b0')))
    expect(RoutingTable.find(failed.table, probe.id)).toBeUndefined()
    expect(RoutingTable.size(failed.table)).toBe(4)
    sound(failed.table)
  })

  it('flags failures, and evicts a stale contact only when a replacement exists (paper §4.1)', () => {
    const c = cfg({ bucketSize: 1, staleAfterFailures: 2 })
    let t = observeAll(RoutingTable.empty(self, c, at(0)), [id('80')])
    let r = RoutingTable.markFailed(deepFreeze(t), id('80'), at(1))
    expect(r.outcome).toMatchObject({ _tag: 'Flagged', contact: { failures: 1 } })
    r = RoutingTable.markFailed(deepFreeze(r.table), id('80'), at(2))
    expect(r.outcome).toMatchObject({ _tag: 'Flagged', contact: { failures: 2 } })
    t = r.table
    expect(RoutingTable.size(t)).toBe(1)
    // A newcomer to the full far bucket replaces the stale contact at once.
    const rep = RoutingTable.observe(deepFreeze(t), { id: id('c0'), address: addr(1) }, at(3))
    expect(rep.outcome).toMatchObject({ _tag: 'Replaced', evicted: { failures: 2 } })
    sound(rep.table)
    expect(RoutingTable.markFailed(t, id('ff'), at(4)).outcome).toEqual({ _tag: 'Unknown' })
  })

  it('address conflicts: a live contact keeps its address, a failing one takes the new one', () => {
    const t = observeAll(RoutingTable.empty(self, cfg(), at(0)), [id('80')])
    const r = RoutingTable.observe(deepFreeze(t), { id: id('80'), address: addr(9) }, at(5))
    expect(r.outcome).toEqual({ _tag: 'Rejected', reason: 'AddressConflict' })
    const f = RoutingTable.markFailed(t, id('80'), at(6)).table
    const r2 = RoutingTable.observe(deepFreeze(f), { id: id('80'), address: addr(9) }, at(7))
    expect(r2.outcome).toMatchObject({ _tag: 'Refreshed', contact: { address: addr(9), failures: 0 } })
  })

  it('markResponded resets failures and moves to the tail; unknown ids change nothing', () => {
    let t = observeAll(RoutingTable.empty(self, cfg(), at(0)), [id('80'), id('90')])
    t = RoutingTable.markFailed(t, id('80'), at(3)).table
    const r = RoutingTable.markResponded(deepFreeze(t), id('80'), at(4))
    expect(r.outcome).toMatchObject({ _tag: 'Refreshed', contact: { failures: 0, lastSeen: 4 } })
    expect(RoutingTable.contacts(r.table).map((c) => NodeId.toHex(c.id))).toEqual([NodeId.toHex(id('90')), NodeId.toHex(id('80'))])
    const u = RoutingTable.markResponded(t, id('aa'), at(5))
    expect(u.outcome).toEqual({ _tag: 'Unknown' })
    expect(u.table).toBe(t)
  })

  it('touch, staleBuckets and nextRefreshAt follow each bucket\'s last lookup (paper §2.3)', () => {
    const hour = Time.hours(1)
    const t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 1 }), at(0)), [id('80'), id('40')])
    expect(RoutingTable.buckets(t).length).toBeGreaterThan(1)
    expect(RoutingTable.staleBuckets(t, at(hour - 1), hour)).toEqual([])
    expect(RoutingTable.staleBuckets(t, at(hour), hour)).toHaveLength(RoutingTable.buckets(t).length)
    const touched = RoutingTable.touch(deepFreeze(t), id('80'), at(1000))
    expect(RoutingTable.bucketOf(touched, id('80')).lastLookup).toBe(1000)
    expect(RoutingTable.staleBuckets(touched, at(hour), hour)).toHaveLength(RoutingTable.buckets(t).length - 1)
    expect(RoutingTable.nextRefreshAt(touched, hour)).toBe(hour)
  })

  it('remove promotes a replacement and forgets the id', () => {
    const t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 1 }), at(0)), [id('80'), id('c0')])
    expect(Bucket.replacements(RoutingTable.bucketOf(t, id('c0')))).toHaveLength(1)
    const r = RoutingTable.remove(deepFreeze(t), id('80'))
    expect(RoutingTable.find(r, id('80'))).toBeUndefined()
    expect(RoutingTable.find(r, id('c0'))).toBeDefined()
    expect(RoutingTable.remove(r, id('aa'))).toBe(r)
    sound(r)
  })

  it('closest reads across buckets and is sorted by XOR distance', () => {
    const ids = Array.from({ length: 40 }, (_, i) => idSharingPrefix(self, i % 12, id((i * 37 + 11).toString(16).padStart(2, '0') + 'ab')))
    const t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 3 }), at(0)), ids)
    sound(t)
    const target = id('7f')
    const all = RoutingTable.contacts(t).slice().sort((a, b) => {
      for (let i = 0; i < 20; i++) {
        const d = ((a.id[i] as number) ^ (target[i] as number)) - ((b.id[i] as number) ^ (target[i] as number))
        if (d !== 0) return d
      }
      return 0
    })
    for (const n of [0, 1, 3, 5, 100]) {
      expect(RoutingTable.closest(t, target, n).map((c) => NodeId.toHex(c.id))).toEqual(all.slice(0, n).map((c) => NodeId.toHex(c.id)))
    }
  })

  it('closest is exact when ids agree on their first 30+ bits (deep buckets, equal sort heads)', () => {
    const base = id('c3a5f00d')
    // Ids sharing 28..40 leading bits with `base`, in a table deep enough to split there.
    const ids = Array.from({ length: 60 }, (_, i) =>
      idSharingPrefix(base, 28 + (i % 13), id(((i * 97 + 5) & 0xff).toString(16).padStart(2, '0').repeat(20))))
    const t = observeAll(RoutingTable.empty(idSharingPrefix(base, 34, id('ff'.repeat(20))), cfg({ bucketSize: 4 }), at(0)), ids)
    sound(t)
    expect(RoutingTable.buckets(t).some((b) => b.depth > 30)).toBe(true)
    for (const target of [base, idSharingPrefix(base, 31, id('00')), idSharingPrefix(base, 29, id('5a'.repeat(20))), id('00')]) {
      const all = RoutingTable.contacts(t).slice().sort((a, b) => {
        for (let i = 0; i < 20; i++) {
          const d = ((a.id[i] as number) ^ (target[i] as number)) - ((b.id[i] as number) ^ (target[i] as number))
          if (d !== 0) return d
        }
        return 0
      })
      for (const n of [1, 4, 7, 20, 100]) {
        expect(RoutingTable.closest(t, target, n).map((c) => NodeId.toHex(c.id))).toEqual(all.slice(0, n).map((c) => NodeId.toHex(c.id)))
      }
    }
  })

  it('regression: a replacement promoted into the last slot keeps the least-recently-seen order', () => {
    // Found by the model test: evicting the tail contact put an older replacement at the tail.
    let t = observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2, staleAfterFailures: 1 }), at(0)),
      [id('01'), id('02'), id('80'), id('c0'), id('a0')])
    expect(Bucket.replacements(RoutingTable.bucketOf(t, id('a0'))).map((c) => c.lastSeen)).toEqual([5])
    t = RoutingTable.markResponded(deepFreeze(t), id('80'), at(6)).table
    t = RoutingTable.markResponded(deepFreeze(t), id('c0'), at(7)).table
    const r = RoutingTable.markFailed(deepFreeze(t), id('c0'), at(8))
    expect(r.outcome).toMatchObject({ _tag: 'Evicted', promoted: { lastSeen: 5 } })
    expect(Bucket.contacts(RoutingTable.bucketOf(r.table, id('80'))).map((c) => NodeId.toHex(c.id).slice(0, 2))).toEqual(['a0', '80'])
    sound(r.table)
  })

  it('a bucket stores the caller\'s id and address instances in parallel arrays, and updates copy them', () => {
    const peer = deepFreeze({ id: id('80'), address: addr(1) })
    const t1 = RoutingTable.observe(RoutingTable.empty(id('01'), cfg(), at(0)), peer, at(7)).table
    const t2 = RoutingTable.observe(RoutingTable.empty(id('02'), cfg(), at(0)), peer, at(7)).table
    for (const t of [t1, t2]) {
      const b = RoutingTable.bucketOf(t, peer.id)
      expect(b.peers).toEqual([peer.id, peer.address])
      expect(b.seen).toEqual([7])
      expect(b.heads).toEqual([0x80 << 22])
      expect(b.failures).toBe(Bucket.EMPTY)
      expect(Bucket.idAt(b, 0)).toBe(peer.id)
      expect(Bucket.addressAt(b, 0)).toBe(peer.address)
      expect(RoutingTable.find(t, peer.id)).toEqual({ ...peer, lastSeen: 7, failures: 0 })
    }
    // A change makes new entries; the other table and the old one are untouched.
    const before = RoutingTable.bucketOf(t1, peer.id)
    const f = RoutingTable.markFailed(deepFreeze(t1), peer.id, at(8)).table
    expect(RoutingTable.find(f, peer.id)?.failures).toBe(1)
    expect(RoutingTable.failuresOf(f, peer.id)).toBe(1)
    expect(RoutingTable.bucketOf(f, peer.id).failures).toEqual([1])
    expect(RoutingTable.bucketOf(f, peer.id).peers).toBe(before.peers)
    // A reply resets the count: the failures are the shared empty list again.
    const ok = RoutingTable.markResponded(deepFreeze(f), peer.id, at(9)).table
    expect(RoutingTable.bucketOf(ok, peer.id).failures).toBe(Bucket.EMPTY)
    expect(RoutingTable.bucketOf(ok, peer.id).peers).toBe(before.peers)
    expect(RoutingTable.find(t1, peer.id)?.failures).toBe(0)
    expect(RoutingTable.find(t2, peer.id)?.failures).toBe(0)
    expect(RoutingTable.failuresOf(f, id('90'))).toBe(0)
    expect(RoutingTable.ids(f)).toEqual([peer.id])
  })

  it('the same peer heard again in the same instant changes nothing: the same table', () => {
    const a = id('80'), b = id('90')
    const t = deepFreeze(observeAll(RoutingTable.empty(self, cfg(), at(0)), [a, b]))
    // b is the tail, seen at 2: again at 2 from the same address is a no-op.
    const same = RoutingTable.observe(t, { id: b, address: addr(1) }, at(2))
    expect(same.table).toBe(t)
    expect(same.outcome).toMatchObject({ _tag: 'Refreshed', contact: { lastSeen: 2, failures: 0 } })
    // Not the tail (a), a later instant, or another address: a real refresh (a new table).
    expect(RoutingTable.observe(t, { id: a, address: addr(1) }, at(2)).table).not.toBe(t)
    expect(RoutingTable.observe(t, { id: b, address: addr(1) }, at(3)).table).not.toBe(t)
    // After a failure the contact takes the new address: not a no-op either.
    const f = deepFreeze(RoutingTable.markFailed(t, b, at(2)).table)
    const moved = RoutingTable.observe(f, { id: b, address: addr(9) }, at(2))
    expect(moved.table).not.toBe(f)
    expect(RoutingTable.find(moved.table, b)).toEqual({ id: b, address: addr(9), lastSeen: 2, failures: 0 })
    // A contact being probed that is heard from clears its probe: not a no-op.
    const full = deepFreeze(observeAll(RoutingTable.empty(self, cfg({ bucketSize: 2 }), at(0)), [id('01'), id('02'), id('80'), id('c0')]))
    const p = RoutingTable.observe(full, { id: id('a0'), address: addr(2) }, at(4))
    expect(p.outcome._tag).toBe('Pending')
    const c0 = RoutingTable.observe(deepFreeze(p.table), { id: id('80'), address: addr(1) }, at(4))
    expect(RoutingTable.bucketOf(c0.table, id('80')).probing).toBeUndefined()
    // The newest replacement heard again in the same instant (probe pending): unchanged too.
    const again = RoutingTable.observe(deepFreeze(p.table), { id: id('a0'), address: addr(2) }, at(4))
    expect(again.outcome).toEqual({ _tag: 'Cached' })
    expect(again.table).toBe(p.table)
    const later = RoutingTable.observe(deepFreeze(p.table), { id: id('a0'), address: addr(2) }, at(5))
    expect(later.table).not.toBe(p.table)
    expect(Bucket.replacements(RoutingTable.bucketOf(later.table, id('a0'))).map((c) => c.lastSeen)).toEqual([5])
    sound(later.table)
  })

  it('shallow bucket prefixes are one instance shared by every table; deep ones are exact', () => {
    const spread = Array.from({ length: 63 }, (_, i) => id(((i + 1) * 4).toString(16).padStart(2, '0')))
    const peers = [...spread, id('0040'), id('0020'), id('0010'), id('0008'), id('0004')]
    const t1 = observeAll(RoutingTable.empty(id('00'), cfg({ bucketSize: 2 }), at(0)), peers)
    const t2 = observeAll(RoutingTable.empty(id('01'), cfg({ bucketSize: 2 }), at(0)), peers)
    sound(t1)
    sound(t2)
    const shallow = RoutingTable.buckets(t1).filter((b) => b.depth <= 10)
    expect(shallow.length).toBeGreaterThan(2)
    let matched = 0
    for (const b of shallow) {
      const other = RoutingTable.buckets(t2).find((x) => x.depth === b.depth && NodeId.equals(x.prefix, b.prefix))
      if (other !== undefined) {
        expect(other.prefix).toBe(b.prefix)
        matched++
      }
    }
    expect(matched).toBeGreaterThan(2)
    expect(RoutingTable.buckets(t1).some((b) => b.depth > 10)).toBe(true)
  })

  it('closest is exact in buckets of more than 64 contacts and in buckets deeper than 30 bits', () => {
    // Brute force: the ids sorted by XOR distance to the target.
    const brute = (ids: ReadonlyArray<NodeId.NodeId>, target: NodeId.NodeId, n: number): string[] =>
      [...ids]
        .sort((a, b) => {
          for (let i = 0; i < 20; i++) {
            const d = ((a[i] as number) ^ (target[i] as number)) - ((b[i] as number) ^ (target[i] as number))
            if (d !== 0) return d
          }
          return 0
        })
        .slice(0, n)
        .map(NodeId.toHex)
    let seed = 7
    const byte = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % 256
    const random = (shared: number, base: NodeId.NodeId): NodeId.NodeId =>
      NodeId.unsafeFromBytes(Uint8Array.from({ length: 20 }, (_, i) => (i < shared ? (base[i] as number) : byte())))
    const me = random(0, self)
    // Large buckets (k = 150: the whole table is one bucket of more than 64 contacts), and ids
    // sharing 5 bytes with ours (so deep buckets whose contacts agree on every bit of their heads).
    const large = Array.from({ length: 150 }, () => random(0, me))
    const deep = Array.from({ length: 60 }, () => random(5, me))
    for (const [k, ids] of [[150, large], [4, [...large.slice(0, 40), ...deep]]] as const) {
      let t = RoutingTable.empty(me, cfg({ bucketSize: k }), at(0))
      ids.forEach((x, i) => (t = RoutingTable.observe(t, { id: x, address: addr(i % 250) }, at(i)).table))
      sound(t)
      const held = RoutingTable.ids(t)
      for (const target of [me, ...ids.slice(0, 10), random(5, me), random(0, me)]) {
        for (const n of [1, 7, 20, 65, 200]) {
          expect(RoutingTable.closest(t, target, n).map((c) => NodeId.toHex(c.id))).toEqual(brute(held, target, n))
        }
      }
      if (k === 150) expect(Bucket.size(RoutingTable.buckets(t)[0] as Bucket.Bucket)).toBeGreaterThan(64)
      else expect(RoutingTable.buckets(t).some((b) => b.depth > 30 && Bucket.size(b) > 1)).toBe(true)
    }
  })
})
