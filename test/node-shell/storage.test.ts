import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Address, NodeId, Time } from '@kademlia-ts/core'
import type { Record } from '@kademlia-ts/core'
import { LmdbStorage, MemoryStorage, StorageError } from '@kademlia-ts/node-shell'
import type { RecordStorage } from '@kademlia-ts/node-shell'

/** The few lmdb calls this test makes (lmdb is the shell's dependency, not the test workspace's). */
interface LmdbModule {
  readonly open: (options: { path: string; maxDbs: number }) => {
    openDB(options: { name: string }): { putSync(key: string, value: unknown): void }
    close(): Promise<void>
  }
}

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kad-lmdb-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const record = (key: string, value: Record.StoredRecord['value'], origin: Record.Origin = 'Replica'): Record.StoredRecord => ({
  key: NodeId.fromKey(key),
  value,
  origin,
  storedAt: Time.instant(1_700_000_000_000),
  expiresAt: Time.instant(1_700_086_400_000),
})

const byKey = (rs: ReadonlyArray<Record.StoredRecord>): ReadonlyArray<Record.StoredRecord> =>
  [...rs].sort((a, b) => NodeId.compare(a.key, b.key))

const exercise = (storage: RecordStorage): ReadonlyArray<Record.StoredRecord> => {
  const records = [
    record('bytes', Uint8Array.from([0, 1, 2, 255])),
    record('text', 'héllo'),
    record('int', -42, 'Published'),
    record('float', 3.25, 'Cached'),
    record('bool', false),
    record('gone', 'x'),
  ]
  for (const r of records) storage.recordStored(r)
  storage.recordRemoved(NodeId.fromKey('gone'))
  storage.recordStored(record('text', 'overwritten'))
  storage.saveNodeId(NodeId.fromKey('me'))
  storage.contactAdded(NodeId.fromKey('a'), Address.of('127.0.0.1:1'))
  storage.contactAdded(NodeId.fromKey('b'), Address.of('[::1]:2'))
  storage.contactEvicted(NodeId.fromKey('a'))
  return byKey([...records.filter((r) => r.value !== 'x' && r.value !== 'héllo'), record('text', 'overwritten')])
}

describe('MemoryStorage', () => {
  it('remembers what it is told', () => {
    const s = new MemoryStorage()
    const expected = exercise(s)
    const loaded = s.load()
    expect(byKey(loaded.records)).toEqual(expected)
    expect(loaded.nodeId).toEqual(NodeId.fromKey('me'))
    expect(loaded.contacts).toEqual([{ id: NodeId.fromKey('b'), address: '[::1]:2' }])
  })
})

describe('LmdbStorage', () => {
  it('keeps records, contacts and the node id across close and reopen, values typed exactly', async () => {
    const path = join(dir, 'db')
    const s = new LmdbStorage(path)
    const expected = exercise(s)
    await s.close()
    const again = new LmdbStorage({ path, durability: 'commit' })
    try {
      const loaded = again.load()
      expect(byKey(loaded.records)).toEqual(expected)
      const bytes = loaded.records.find((r) => r.value instanceof Uint8Array)
      expect(bytes?.value.constructor).toBe(Uint8Array)
      expect(loaded.nodeId).toEqual(NodeId.fromKey('me'))
      expect(loaded.contacts).toEqual([{ id: NodeId.fromKey('b'), address: '[::1]:2' }])
      expect(loaded.skipped).toBe(0)
      expect(again.size).toBe(expected.length)
    } finally {
      await again.close()
    }
  })

  it('skips corrupt entries instead of failing to start', async () => {
    const path = join(dir, 'db')
    const s = new LmdbStorage(path)
    s.recordStored(record('good', 'ok'))
    await s.close()
    // lmdb is a dependency of the shell, not of the test workspace: load the shell's copy.
    const lmdbPath = createRequire(new URL('../../packages/node-shell/package.json', import.meta.url)).resolve('lmdb')
    const { open } = (await import(pathToFileURL(lmdbPath).href)) as LmdbModule
    const raw = open({ path, maxDbs: 4 })
    const records = raw.openDB({ name: 'records' })
    records.putSync('not-hex', ['v', 'Replica', 1, 2])
    records.putSync('ab'.repeat(20), ['v', 'Stolen', 1, 2])
    records.putSync('cd'.repeat(20), { wrong: 'shape' })
    records.putSync('ef'.repeat(20), [[1, 2], 'Replica', 1, 2])
    await raw.close()
    const again = new LmdbStorage(path)
    try {
      const loaded = again.load()
      expect(loaded.records.map((r) => r.value)).toEqual(['ok'])
      expect(loaded.skipped).toBe(4)
    } finally {
      await again.close()
    }
  })

  it('is a typed error when the directory cannot be opened, and after close', async () => {
    const file = join(dir, 'a-file')
    await writeFile(file, 'not a directory')
    expect(() => new LmdbStorage(join(file, 'db'))).toThrow(StorageError)
    const s = new LmdbStorage(join(dir, 'db'))
    await s.close()
    expect(() => s.recordStored(record('k', 'v'))).toThrow(StorageError)
  })
})
