/**
 * The Server API's contract at its edges: bad arguments are typed errors naming the argument,
 * operations before `listen` / after `stop` / aborted are typed errors, events and metrics report
 * what happened, and sends to an unusable address become `SendFailed` for the core.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Socket } from 'node:dgram'
import { NodeId, Wire } from '@kademlia-ts/core'
import {
  AbortError,
  InvalidArgumentError,
  KademliaError,
  LmdbStorage,
  ListenFailedError,
  LookupFailedError,
  NotListeningError,
  Server,
  ServerStoppedError,
  TimeoutError,
} from '@kademlia-ts/node-shell'
import type { Peer, ServerOptions } from '@kademlia-ts/node-shell'
import { eventually, startNetwork, startServer, stopAll, within } from './helpers.js'

const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  await stopAll(servers)
})

const argumentOf = (f: () => unknown): string | undefined => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidArgumentError)
    return (e as InvalidArgumentError).argument
  }
  return undefined
}

const rejectsWith = async (p: Promise<unknown>, argument: string): Promise<void> => {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e, `expected a rejection naming ${argument}`).toBeInstanceOf(InvalidArgumentError)
  expect((e as InvalidArgumentError).argument).toBe(argument)
  expect((e as InvalidArgumentError).code).toBe('INVALID_ARGUMENT')
}

describe('bad arguments', () => {
  it('to the constructor name the option', () => {
    const cases: ReadonlyArray<readonly [unknown, string]> = [
      [{ ksize: 0 }, 'ksize'],
      [{ ksize: 1.5 }, 'ksize'],
      [{ ksize: 'twenty' }, 'ksize'],
      [{ alpha: 0 }, 'alpha'],
      [{ alpha: -3 }, 'alpha'],
      [{ nodeId: new Uint8Array(19) }, 'nodeId'],
      [{ nodeId: 'f'.repeat(40) }, 'nodeId'],
      [{ seed: -1 }, 'seed'],
      [{ seed: 2 ** 40 }, 'seed'],
      [{ storage: {} }, 'storage'],
      [{ config: 'fast' }, 'config'],
      [{ config: { maxRpcTimeout: -5 } }, 'config.maxRpcTimeout'],
      [5, 'options'],
    ]
    for (const [options, argument] of cases)
      expect(argumentOf(() => new Server(options as ServerOptions)), JSON.stringify(options)).toBe(argument)
  })

  it('to listen name the port or the host', async () => {
    const s = new Server()
    servers.push(s)
    await rejectsWith(s.listen(-1, '127.0.0.1'), 'port')
    await rejectsWith(s.listen(65536, '127.0.0.1'), 'port')
    await rejectsWith(s.listen(1.5, '127.0.0.1'), 'port')
    await rejectsWith(s.listen(0, 'my-host'), 'host')
    await rejectsWith(s.listen(0, []), 'host')
    await rejectsWith(s.listen(0, ['127.0.0.1', '127.0.0.2']), 'host[1]')
    // A taken port is a typed error, and the server can still listen elsewhere afterwards.
    const other = await startServer()
    servers.push(other)
    await expect(s.listen(other.port as number, '127.0.0.1')).rejects.toBeInstanceOf(ListenFailedError)
    await within(5_000, 'listen', s.listen(0, '127.0.0.1'))
    expect(s.port).toBeGreaterThan(0)
    await expect(s.listen(0, '127.0.0.1')).rejects.toBeInstanceOf(ListenFailedError)
  })

  it('to the operations name the argument', async () => {
    const s = await startServer()
    servers.push(s)
    const p = `127.0.0.1:${s.port}`
    await rejectsWith(s.bootstrap([]), 'addrs')
    await rejectsWith(s.bootstrap('127.0.0.1:1' as never), 'addrs')
    await rejectsWith(s.bootstrap(['nonsense']), 'addrs[0]')
    await rejectsWith(s.bootstrap([p, ['127.0.0.1', 70000] as never]), 'addrs[1]')
    await rejectsWith(s.bootstrap(['127.0.0.1:0']), 'addrs[0]')
    for (const key of [undefined, null, {}, [], NaN, Infinity, () => 1]) await rejectsWith(s.get(key as never), 'key')
    for (const value of [undefined, null, {}, [1], NaN, -Infinity, new Date(), Symbol('v')]) await rejectsWith(s.set('k', value as never), 'value')
    await rejectsWith(s.set({} as never, 'v'), 'key')
    await rejectsWith(s.setDigest(new Uint8Array(19), 'v'), 'digest')
    await rejectsWith(s.setDigest('ab'.repeat(20) as never, 'v'), 'digest')
    await rejectsWith(s.getDigest(new Uint8Array(21)), 'digest')
    await rejectsWith(s.findNode(new Uint8Array(3)), 'target')
    await rejectsWith(s.ping('localhost'), 'addr')
    await rejectsWith(s.saveState(''), 'path')
    await rejectsWith(s.saveStateRegularly('/tmp/x', 0), 'seconds')
    await rejectsWith(s.saveStateRegularly('/tmp/x', Number.NaN), 'seconds')
    await rejectsWith(s.get('k', { signal: 'stop' as never }), 'options.signal')
    await rejectsWith(Server.loadState(''), 'path')
    expect(s.pendingOperations).toBe(0)
  })
})

describe('lifecycle', () => {
  it('needs listen before network operations, and refuses everything after stop', async () => {
    const s = new Server()
    await expect(s.get('k')).rejects.toBeInstanceOf(NotListeningError)
    await expect(s.set('k', 'v')).rejects.toBeInstanceOf(NotListeningError)
    await expect(s.bootstrap(['127.0.0.1:9'])).rejects.toBeInstanceOf(NotListeningError)
    await expect(s.refreshTable()).rejects.toBeInstanceOf(NotListeningError)
    await s.stop()
    await s.stop()
    await expect(s.get('k')).rejects.toBeInstanceOf(ServerStoppedError)
    await expect(s.listen(0, '127.0.0.1')).rejects.toBeInstanceOf(ServerStoppedError)
    expect(new ServerStoppedError()).toBeInstanceOf(KademliaError)
  })

  it('holds nothing that keeps the process alive once stopped, or when it never listened', async () => {
    const script = fileURLToPath(new URL('./fixtures/exit-child.mjs', import.meta.url))
    expect(existsSync(fileURLToPath(new URL('../../packages/node-shell/dist/index.js', import.meta.url))), 'run `npx tsc -b` first').toBe(true)
    const dir = await mkdtemp(join(tmpdir(), 'kad-exit-'))
    try {
      const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
      const code = await within(20_000, 'the child exits by itself', new Promise<number | null>((resolve) => child.once('exit', resolve))).catch((e: unknown) => {
        child.kill('SIGKILL')
        throw e
      })
      expect(code).toBe(0)
      expect(JSON.parse(out)).toEqual({ value: 'v', idleRecords: 1 })
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('rejects pending operations with ServerStoppedError on stop', async () => {
    const s = await startServer()
    const silent = createSocket('udp4')
    sockets.push(silent)
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    const pending = s.ping(`127.0.0.1:${silent.address().port}`)
    await s.stop()
    await expect(pending).rejects.toBeInstanceOf(ServerStoppedError)
  })

  it('rejects a ping nobody answers with TimeoutError once the core gives up', async () => {
    const s = await startServer({ config: { initialRpcTimeout: 100, minRpcTimeout: 50 } })
    servers.push(s)
    const silent = createSocket('udp4')
    sockets.push(silent)
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    await expect(within(10_000, 'ping', s.ping(`127.0.0.1:${silent.address().port}`))).rejects.toBeInstanceOf(TimeoutError)
    expect(s.metrics().core.rpcsTimedOut).toBe(1)
  })

  it('cancels an aborted operation through the core', async () => {
    const s = await startServer()
    servers.push(s)
    const silent = createSocket('udp4')
    sockets.push(silent)
    let heard = 0
    silent.on('message', () => heard++)
    await new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve))
    const target = `127.0.0.1:${silent.address().port}`

    await expect(s.ping(target, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    expect(heard).toBe(0)
    await expect(new Server().listen(0, '127.0.0.1', { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    await expect(Server.loadState('/nonexistent/kad.state', { ignoreUnreadable: true, host: '127.0.0.1', signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    const dir = await mkdtemp(join(tmpdir(), 'kad-abort-'))
    await expect(s.saveState(join(dir, 'never.state'), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError)
    expect(existsSync(join(dir, 'never.state'))).toBe(false)
    await rm(dir, { recursive: true, force: true })

    const controller = new AbortController()
    const pending = s.ping(target, { signal: controller.signal })
    await eventually(5_000, 'ping sent', () => heard === 1)
    expect(s.pendingOperations).toBe(1)
    controller.abort()
    await expect(pending).rejects.toBeInstanceOf(AbortError)
    expect(s.pendingOperations).toBe(0)
  })
})

describe('events, metrics and send failures', () => {
  it('reports contacts and records as typed events', async () => {
    await startNetwork(3, { ksize: 4 }, servers)
    const late = new Server({ ksize: 4 })
    servers.push(late)
    const added: Peer[] = []
    const stored: string[] = []
    late.on('contactAdded', (p) => added.push(p))
    late.on('recordStored', (r) => stored.push(NodeId.toHex(r.key)))
    await within(5_000, 'listen', late.listen(0, '127.0.0.1'))
    await within(10_000, 'bootstrap', late.bootstrap([`127.0.0.1:${servers[0]?.port}`]))
    expect(added.length).toBe(3)
    expect(new Set(added.map((p) => p.port))).toEqual(new Set(servers.slice(0, 3).map((s) => s.port)))
    expect(added.every((p) => p.host === '127.0.0.1' && p.address === `127.0.0.1:${p.port}`)).toBe(true)
    await within(10_000, 'set', (servers[1] as Server).set('observed', 1))
    expect(stored).toEqual([NodeId.toHex(NodeId.fromKey('observed'))])
    const m = late.metrics()
    expect(m.routingTableSize).toBe(3)
    expect(m.records).toBe(1)
    expect(m.datagramsIn).toBeGreaterThan(0)
    expect(m.datagramsOut).toBeGreaterThan(0)
    expect(m.core.requestsAnswered).toBeGreaterThan(0)
    expect(late.bootstrappableNeighbors().length).toBe(3)
  })

  it('lets a listener call the API from inside the drain loop', async () => {
    await startNetwork(3, { ksize: 4 }, servers)
    const late = new Server({ ksize: 4 })
    servers.push(late)
    const pings: Array<Promise<unknown>> = []
    late.on('contactAdded', (p) => pings.push(late.ping(p.address)))
    await within(5_000, 'listen', late.listen(0, '127.0.0.1'))
    await within(10_000, 'bootstrap', late.bootstrap([`127.0.0.1:${servers[0]?.port}`]))
    const pongs = (await within(10_000, 'pings from the listener', Promise.all(pings))) as Array<{ id: Uint8Array }>
    expect(pongs.map((p) => NodeId.toHex(p.id)).sort()).toEqual(servers.slice(0, 3).map((s) => NodeId.toHex(s.nodeId)).sort())
  })

  it('expires records on the one timer and removes them from the durable storage too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kad-expiry-'))
    try {
      const config = { expireAfter: 300 }
      const publisher = await startServer({ config, seed: 1 })
      const storage = new LmdbStorage(join(dir, 'db'))
      const holder = await startServer({ config, seed: 2, storage })
      servers.push(publisher, holder)
      const expired: string[] = []
      holder.on('recordExpired', (e) => expired.push(NodeId.toHex(e.key)))
      await within(10_000, 'bootstrap', holder.bootstrap([`127.0.0.1:${publisher.port}`]))
      expect(await within(10_000, 'set', publisher.set('short-lived', 'v'))).toBe(1)
      expect(storage.size).toBe(1)
      await eventually(10_000, 'expiry', () => expired.length === 1)
      expect(expired).toEqual([NodeId.toHex(NodeId.fromKey('short-lived'))])
      expect(holder.records()).toEqual([])
      expect(storage.size).toBe(0)
    } finally {
      await stopAll(servers)
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('turns a send to a family we do not listen on into SendFailed, not an exception', async () => {
    const s = await startServer()
    servers.push(s)
    const failed: string[] = []
    s.on('sendFailed', (e) => failed.push(e.to))
    await expect(s.bootstrap(['[::1]:4000'])).rejects.toBeInstanceOf(LookupFailedError)
    expect(failed).toEqual(['[::1]:4000'])
    expect(s.metrics().sendFailures).toBe(1)
    expect(s.metrics().core.rpcsFailed).toBe(1)
  })

  it('counts and reports malformed datagrams by reason', async () => {
    const s = await startServer()
    servers.push(s)
    const dropped: string[] = []
    s.on('datagramDropped', (e) => dropped.push(e.reason))
    const raw = createSocket('udp4')
    sockets.push(raw)
    await new Promise<void>((resolve) => raw.bind(0, '127.0.0.1', resolve))
    for (const d of [new Uint8Array(0), Uint8Array.of(0xff, 0x00), new Uint8Array(Wire.MAX_DATAGRAM_BYTES + 1)])
      await new Promise<void>((resolve) => raw.send(d, s.port as number, '127.0.0.1', () => resolve()))
    await eventually(5_000, 'drops', () => dropped.length === 3)
    expect(dropped).toEqual(['Empty', 'Malformed', 'Oversized'])
    expect(s.metrics().malformed).toEqual({ total: 3, byReason: { Empty: 1, Malformed: 1, Oversized: 1 } })
  })
})
