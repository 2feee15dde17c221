/**
 * The shell's time line (clock.ts): small-integer instants for the core, wall-clock instants for
 * everything that leaves the shell (storage, `records()`, the `recordStored` event) or comes back
 * from the storage after a restart.
 */
import { describe, expect, it } from 'vitest'
import { NodeId, Node, Time } from '@kademlia-ts/core'
import type { Record } from '@kademlia-ts/core'
import { MemoryStorage, Server } from '@kademlia-ts/node-shell'

const DAY = 86_400_000
/** Generous: the test checks which time line an instant is on, not how fast anything runs. */
const SLACK = 10 * 60_000

const isWall = (ms: number, around: number): boolean => Math.abs(ms - around) < SLACK

describe('the shell time line', () => {
  it('gives the core small integers and the storage, records() and recordStored wall-clock instants', async () => {
    const storage = new MemoryStorage()
    const a = new Server({ storage })
    const b = new Server()
    const events: Record.StoredRecord[] = []
    a.on('recordStored', (r) => events.push(r))
    try {
      await a.listen(0, '127.0.0.1')
      await b.listen(0, '127.0.0.1')
      await b.bootstrap([`127.0.0.1:${a.port ?? 0}`])
      expect(await b.set('clock-key', 'v')).toBeGreaterThan(0)
      const key = NodeId.fromKey('clock-key')
      const now = Date.now()

      const core = Node.records(a.state).find((r) => NodeId.equals(r.key, key))
      expect(core).toBeDefined()
      expect(Number.isInteger(core?.storedAt)).toBe(true)
      expect(core?.storedAt).toBeLessThan(2 ** 30)

      const shown = a.records().find((r) => NodeId.equals(r.key, key))
      expect(isWall(shown?.storedAt ?? 0, now)).toBe(true)
      expect(isWall(shown?.expiresAt ?? 0, now + DAY)).toBe(true)
      expect(isWall(events.find((r) => NodeId.equals(r.key, key))?.storedAt ?? 0, now)).toBe(true)
      const stored = storage.load().records.find((r) => NodeId.equals(r.key, key))
      expect(isWall(stored?.storedAt ?? 0, now)).toBe(true)
      expect(isWall(stored?.expiresAt ?? 0, now + DAY)).toBe(true)
      expect((stored?.expiresAt ?? 0) - (stored?.storedAt ?? 0)).toBe((core?.expiresAt ?? 0) - (core?.storedAt ?? 0))
    } finally {
      await a.stop()
      await b.stop()
    }
  })

  it('restores wall-clock records: an expired one is dropped, a live one keeps its wall-clock expiry', async () => {
    const now = Date.now()
    const storage = new MemoryStorage()
    const live: Record.StoredRecord = {
      key: NodeId.fromKey('live'), value: 'x', origin: 'Replica', storedAt: Time.instant(now - DAY / 2), expiresAt: Time.instant(now + DAY / 2),
    }
    const dead: Record.StoredRecord = {
      key: NodeId.fromKey('dead'), value: 'y', origin: 'Replica', storedAt: Time.instant(now - 2 * DAY), expiresAt: Time.instant(now - DAY),
    }
    storage.recordStored(live)
    storage.recordStored(dead)
    const s = new Server({ storage })
    try {
      await s.listen(0, '127.0.0.1')
      expect(s.records()).toEqual([live])
      expect(storage.load().records.map((r) => r.key)).toEqual([live.key])
      const core = Node.records(s.state)
      expect(core[0]?.expiresAt).toBeLessThan(2 ** 30)
    } finally {
      await s.stop()
    }
  })
})
