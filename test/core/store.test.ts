/**
 * The record store against a plain Map model: any sequence of puts, reschedules and expiries
 * leaves the same records, the right size, and `next` equal to the earliest due or expiry; plus
 * the storage policy of a put (§2.3, §2.5).
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Config, NodeId, Store, Time } from '@kademlia-ts/core'
import { deepFreeze } from './node-harness.js'

type Origin = 'Published' | 'Replica' | 'Cached'
const iv = Config.defaults
const keyArb = fc.oneof(
  fc.integer({ min: 0, max: 40 }).map((n) => NodeId.fromKey(`k${n}`)),
  fc.uint8Array({ minLength: 20, maxLength: 20 }).map(NodeId.unsafeFromBytes),
)
const opArb = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    key: keyArb,
    value: fc.constantFrom('a', 'b'),
    origin: fc.constantFrom<Origin>('Published', 'Replica', 'Cached'),
    ttl: fc.integer({ min: 1, max: 200 }),
    dt: fc.nat({ max: 50 }),
  }),
  fc.record({ op: fc.constant('expire' as const), dt: fc.nat({ max: 100 }) }),
)

describe('Store', () => {
  it('matches a Map model under any sequence of puts and expiries', () => {
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 80 }), fc.integer({ min: 1, max: 30 }), (ops, max) => {
        let s = Store.empty
        const model = new Map<string, { value: string; expiresAt: number }>()
        let now = 0
        for (const o of ops) {
          now += o.dt
          const at = Time.instant(now)
          deepFreeze(s)
          if (o.op === 'put') {
            const hex = NodeId.toHex(o.key)
            const r = Store.put(s, { key: o.key, value: o.value, origin: o.origin, expiresAt: Time.instant(now + o.ttl) }, at, iv, max)
            const old = model.get(hex)
            if (old === undefined && model.size >= max) expect(r.outcome._tag).toBe('Full')
            else {
              expect(r.outcome._tag).not.toBe('Full')
              const live = old !== undefined && old.expiresAt > now
              const same = live && old.value === o.value
              // same value: the lifetime only grows (our own publication's is set); else overwritten
              const expiresAt = same && o.origin !== 'Published' ? Math.max(old.expiresAt, now + o.ttl) : now + o.ttl
              if (same && o.origin === 'Published') model.set(hex, { value: o.value, expiresAt: now + o.ttl })
              else if (same) model.set(hex, { value: old.value, expiresAt })
              else model.set(hex, { value: o.value, expiresAt: now + o.ttl })
            }
            s = r.store
          } else {
            const r = Store.expire(s, at)
            const gone = [...model].filter(([, v]) => v.expiresAt <= now).map(([k]) => k)
            expect(r.expired.map((k) => NodeId.toHex(k)).sort()).toEqual(gone.sort())
            for (const k of gone) model.delete(k)
            s = r.store
          }
          expect(Store.size(s)).toBe(model.size)
          const recs = Store.records(s)
          expect(new Map(recs.map((r) => [NodeId.toHex(r.key), { value: r.value, expiresAt: r.expiresAt }]))).toEqual(model)
          const next = recs.reduce<number | undefined>((m, r) => {
            const due = r.origin === 'Cached' ? undefined : r.storedAt + (r.origin === 'Published' ? iv.republishInterval : iv.replicateInterval)
            const t = due === undefined ? r.expiresAt : Math.min(due, r.expiresAt)
            return m === undefined ? t : Math.min(m, t)
          }, undefined)
          expect(s.next).toBe(next)
        }
      }),
      { numRuns: 200 },
    )
  })

  it('a replica received again restarts its replication clock (§2.5) and never shortens its life', () => {
    const key = NodeId.fromKey('x')
    let s = Store.put(Store.empty, { key, value: 1, origin: 'Replica', expiresAt: Time.instant(1000) }, Time.instant(0), iv, 10).store
    const r = Store.put(s, { key, value: 1, origin: 'Replica', expiresAt: Time.instant(500) }, Time.instant(100), iv, 10)
    expect(r.outcome._tag).toBe('Stored')
    s = r.store
    expect(Store.get(s, key, Time.instant(100))).toMatchObject({ storedAt: 100, expiresAt: 1000 })
    expect(Store.dueAt(s, Time.instant(iv.replicateInterval))).toEqual([])
  })

  it('a peer copy of our own publication keeps it Published and keeps its republish clock', () => {
    const key = NodeId.fromKey('mine')
    let s = Store.put(Store.empty, { key, value: 'v', origin: 'Published', expiresAt: Time.instant(iv.expireAfter) }, Time.instant(0), iv, 10).store
    s = Store.put(s, { key, value: 'v', origin: 'Replica', expiresAt: Time.instant(10) }, Time.instant(5), iv, 10).store
    expect(Store.get(s, key, Time.instant(5))).toMatchObject({ origin: 'Published', storedAt: 0, expiresAt: iv.expireAfter })
    expect(Store.dueAt(s, Time.instant(iv.republishInterval)).map((e) => e.record.origin)).toEqual(['Published'])
  })
})
