/**
 * The `kademlia` CLI end to end: a `kademlia node` started by the test, `set` and `get` round
 * trips against it (text and `--json`), a restart from `--data`, and argument errors. All on
 * 127.0.0.1; every child is killed after each test.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { cli, killAll, lastJson, requireBuild, type Proc } from './cli-process.js'

beforeAll(requireBuild)
afterEach(killAll)

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

/** Starts `kademlia node --json` on a free port; resolves with it and its `listening` event. */
const startNode = async (extra: ReadonlyArray<string> = []): Promise<{ node: Proc; port: number; id: string }> => {
  const node = cli(['node', '--port', '0', '--host', '127.0.0.1', '--stats', '0', '--json', ...extra])
  const listening = JSON.parse(await node.line(/"event":"listening"/)) as { port: number; id: string; addresses: string[] }
  expect(listening.addresses).toEqual([`127.0.0.1:${listening.port}`])
  expect(listening.id).toMatch(/^[0-9a-f]{40}$/)
  return { node, port: listening.port, id: listening.id }
}

const stop = async (node: Proc): Promise<Record<string, unknown>> => {
  node.child.kill('SIGTERM')
  expect(await node.exit(20_000)).toBe(0)
  return lastJson(node)
}

describe('kademlia node / set / get', () => {
  it('stores a value through one ephemeral node and fetches it through another', async () => {
    const { node, port } = await startNode()
    const peer = `127.0.0.1:${port}`

    const set = cli(['set', 'greeting', 'hello, world', '--bootstrap', peer, '--json'])
    expect(await set.exit()).toBe(0)
    const stored = lastJson(set)
    expect(stored).toMatchObject({ ok: true, key: 'greeting', replicas: 1 })
    // The key is hashed with SHA-1, as in the Python library: sha1("greeting").
    expect(stored.digest).toBe('a0f7e779f9247566c84036f07f7bdf4a40a869bd')

    const get = cli(['get', 'greeting', '--bootstrap', peer, '--json'])
    expect(await get.exit()).toBe(0)
    expect(lastJson(get)).toMatchObject({ ok: true, key: 'greeting', found: true, type: 'string', value: 'hello, world' })

    const text = cli(['get', 'greeting', '-b', peer])
    expect(await text.exit()).toBe(0)
    expect(text.stdout()).toBe('hello, world\n')

    const missing = cli(['get', 'no such key', '-b', peer, '--json'])
    expect(await missing.exit()).toBe(1)
    expect(lastJson(missing)).toMatchObject({ ok: true, found: false })

    const stopped = await stop(node)
    expect(stopped).toMatchObject({ event: 'stopped', signal: 'SIGTERM', records: 1 })
  })

  it('stores typed values: numbers, booleans and bytes', async () => {
    const { node, port } = await startNode()
    const peer = `127.0.0.1:${port}`
    for (const [key, value, type, expected] of [
      ['n', '42.5', 'number', 42.5],
      ['b', 'true', 'boolean', true],
      ['x', '0x00ff10', 'hex', '00ff10'],
    ] as const) {
      const set = cli(['set', key, value, '--type', type, '-b', peer, '--json'])
      expect(await set.exit()).toBe(0)
      const get = cli(['get', key, '-b', peer, '--json'])
      expect(await get.exit()).toBe(0)
      expect(lastJson(get)).toMatchObject({ found: true, value: expected, type: type === 'hex' ? 'bytes' : type })
    }
    await stop(node)
  })

  it('keeps its id and records across a restart with --data', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kademlia-cli-'))
    dirs.push(dir)
    const first = await startNode(['--data', dir])
    const set = cli(['set', 'durable', 'yes', '-b', `127.0.0.1:${first.port}`, '--json'])
    expect(await set.exit()).toBe(0)
    await stop(first.node)

    const second = await startNode(['--data', dir])
    expect(second.id).toBe(first.id)
    const get = cli(['get', 'durable', '-b', `127.0.0.1:${second.port}`, '--json'])
    expect(await get.exit()).toBe(0)
    expect(lastJson(get)).toMatchObject({ found: true, value: 'yes' })
    await stop(second.node)
  })

  it('fails with exit code 2 and a JSON error when no peer answers', async () => {
    // A port nobody listens on: reserve one with a node, then stop that node.
    const { node, port } = await startNode()
    await stop(node)
    const get = cli(['get', 'k', '-b', `127.0.0.1:${port}`, '--timeout', '5000', '--json'])
    expect(await get.exit()).toBe(2)
    expect(lastJson(get)).toMatchObject({ ok: false, error: { code: 'LOOKUP_FAILED' } })
  })

  it('rejects bad arguments with exit code 2', async () => {
    const noBootstrap = cli(['get', 'k'])
    expect(await noBootstrap.exit()).toBe(2)
    expect(noBootstrap.stderr()).toMatch(/--bootstrap/)

    const badPeer = cli(['set', 'k', 'v', '-b', 'not-an-address'])
    expect(await badPeer.exit()).toBe(2)
    expect(badPeer.stderr()).toMatch(/host:port/)

    const badNumber = cli(['set', 'k', 'abc', '--type', 'number', '-b', '127.0.0.1:9', '--json'])
    expect(await badNumber.exit()).toBe(2)
    expect(lastJson(badNumber)).toMatchObject({ ok: false, error: { code: 'INVALID_VALUE' } })

    const help = cli(['--help'])
    expect(await help.exit()).toBe(0)
    expect(help.stdout()).toMatch(/demo/)
  })
})
