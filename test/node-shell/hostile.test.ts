/**
 * Hostile traffic at a real node: 10^5 random and mutated datagrams (no crash, every one counted,
 * the node still answers), and forged replies (wrong RPC id; right RPC id from the wrong address)
 * that must be ignored.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { createSocket } from 'node:dgram'
import type { Socket } from 'node:dgram'
import { NodeId, RpcId, Time, Wire } from '@kademlia-ts/core'
import type { Message } from '@kademlia-ts/core'
import type { Server } from '@kademlia-ts/node-shell'
import { eventually, startServer, stopAll, within } from './helpers.js'

const servers: Server[] = []
const sockets: Socket[] = []
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close()
  await stopAll(servers)
})

const rawSocket = async (): Promise<Socket> => {
  const socket = createSocket('udp4')
  sockets.push(socket)
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  return socket
}

const send = (socket: Socket, bytes: Uint8Array, port: number): Promise<void> =>
  new Promise((resolve, reject) => socket.send(bytes, port, '127.0.0.1', (e) => (e ? reject(e) : resolve())))

/** mulberry32: a tiny seeded generator for the fuzz input (the seed is printed on failure). */
const generator = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('hostile traffic', () => {
  it('survives 10^5 random and mutated datagrams, counts every one, and still answers', async () => {
    const seed = Number(process.env['FUZZ_SEED'] ?? 20261125)
    // The target hears only the fuzzer until the storm is over, so every datagram it counts is ours.
    const target = await startServer({ seed: 7 })
    servers.push(target)
    const fuzzer = await rawSocket()
    fuzzer.on('message', () => undefined)

    const random = generator(seed)
    const int = (n: number): number => Math.floor(random() * n)
    const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, () => int(256))
    const id = (): NodeId.NodeId => NodeId.unsafeFromBytes(bytes(20))
    const rpcId = (): RpcId.RpcId => RpcId.unsafeFromBytes(bytes(20))
    // Contacts in forged NODES replies point back at the fuzzer, never at someone else's port.
    const peer = { id: id(), address: `127.0.0.1:${fuzzer.address().port}` } as Message.PeerInfo
    const valid = (): Message.Message => {
      const header = { rpcId: rpcId(), sender: id() }
      switch (int(8)) {
        case 0: return { _tag: 'Ping', ...header }
        case 1: return { _tag: 'Pong', ...header }
        case 2: return { _tag: 'Store', ...header, key: id(), value: int(2) === 0 ? bytes(int(64)) : 'v', ttl: Time.seconds(60) }
        case 3: return { _tag: 'Stored', ...header }
        case 4: return { _tag: 'FindNode', ...header, target: id() }
        case 5: return { _tag: 'Nodes', ...header, contacts: Array.from({ length: int(4) }, () => peer) }
        case 6: return { _tag: 'FindValue', ...header, key: id() }
        default: return { _tag: 'ValueFound', ...header, value: int(1000), ttl: Time.seconds(60) }
      }
    }
    const mutate = (b: Uint8Array): Uint8Array => {
      const out = Uint8Array.from(b)
      switch (int(5)) {
        case 0: // flip a few bits
          for (let i = 0, n = 1 + int(4); i < n && out.length > 0; i++) {
            const at = int(out.length)
            out[at] = (out[at] as number) ^ (1 << int(8))
          }
          return out
        case 1: // overwrite a byte
          if (out.length > 0) out[int(out.length)] = int(256)
          return out
        case 2: // truncate
          return out.slice(0, int(out.length))
        case 3: { // append junk
          const extra = bytes(1 + int(16))
          const joined = new Uint8Array(out.length + extra.length)
          joined.set(out)
          joined.set(extra, out.length)
          return joined
        }
        default: // keep it valid: a well-formed message from an unknown peer
          return out
      }
    }
    const datagram = (): Uint8Array => {
      const r = random()
      if (r < 0.45) return bytes(int(80))
      if (r < 0.48) return bytes(Wire.MAX_DATAGRAM_BYTES - 64 + int(256)) // around the size limit
      return mutate(Wire.encode(valid()))
    }

    const TOTAL = 100_000
    const BATCH = 250
    let sent = 0
    for (let b = 0; b < TOTAL / BATCH; b++) {
      const batch = Array.from({ length: BATCH }, datagram)
      await Promise.all(batch.map((d) => send(fuzzer, d, target.port as number)))
      sent += BATCH
      // Let the node drain the batch before the next one, so the kernel drops nothing.
      await eventually(10_000, `batch ${b} (seed ${seed})`, () => target.metrics().datagramsIn === sent)
    }
    const m = target.metrics()
    expect(m.datagramsIn).toBe(TOTAL)
    // Every datagram is either dropped as malformed (counted by reason) or decoded and seen by the core.
    expect(m.malformed.total + m.core.messagesReceived).toBe(TOTAL)
    expect(m.malformed.total).toBeGreaterThan(TOTAL / 3)
    expect(m.core.messagesReceived).toBeGreaterThan(TOTAL / 20)
    expect(Object.keys(m.malformed.byReason).length).toBeGreaterThanOrEqual(3)
    expect(m.malformed.byReason['Oversized']).toBeGreaterThan(0)

    // Still a working node: it answers a ping through the API, and answers STORE and FIND_VALUE
    // directly (direct RPCs only: lookups would wander through the junk contacts the storm left
    // in its table, all at the fuzzer's silent address, which is the core's business, not ours).
    const friend = await startServer({ seed: 8 })
    servers.push(friend)
    const pong = await within(10_000, 'ping after fuzz', friend.ping(`127.0.0.1:${target.port}`))
    expect(NodeId.toHex(pong.id)).toBe(NodeId.toHex(target.nodeId))
    const checker = await rawSocket()
    const replies: Message.Message[] = []
    checker.on('message', (b) => {
      const m = Wire.decode(new Uint8Array(b))
      if (m._tag === 'Right') replies.push(m.right)
    })
    const sender = NodeId.fromKey('checker')
    const key = NodeId.fromKey('after the storm')
    const storeId = RpcId.unsafeFromBytes(NodeId.fromKey('store rpc'))
    await send(checker, Wire.encode({ _tag: 'Store', rpcId: storeId, sender, key, value: 'calm', ttl: Time.seconds(60) }), target.port as number)
    await eventually(10_000, 'Stored', () => replies.some((r) => r._tag === 'Stored' && RpcId.equals(r.rpcId, storeId)))
    const findId = RpcId.unsafeFromBytes(NodeId.fromKey('find rpc'))
    await send(checker, Wire.encode({ _tag: 'FindValue', rpcId: findId, sender, key }), target.port as number)
    await eventually(10_000, 'ValueFound', () => replies.some((r) => r._tag === 'ValueFound' && RpcId.equals(r.rpcId, findId) && r.value === 'calm'))
  })

  it('ignores a reply with the wrong RPC id, and the right RPC id from the wrong address', async () => {
    const node = await startServer({ seed: 11 })
    servers.push(node)
    const peer = await rawSocket()
    const impostor = await rawSocket()
    const peerId = NodeId.fromKey('the real peer')
    const pings: Array<Message.Message> = []
    peer.on('message', (bytes) => {
      const m = Wire.decode(new Uint8Array(bytes))
      if (m._tag === 'Right' && m.right._tag === 'Ping') pings.push(m.right)
    })
    const ignored: string[] = []
    node.on('messageIgnored', (e) => ignored.push(e.reason))

    let settled = false
    const ping = node.ping(`127.0.0.1:${peer.address().port}`)
    void ping.finally(() => {
      settled = true
    })
    await eventually(5_000, 'ping sent', () => pings.length === 1)
    const request = pings[0] as Message.Message

    const wrongId = Wire.encode({ _tag: 'Pong', rpcId: RpcId.unsafeFromBytes(new Uint8Array(20).fill(7)), sender: peerId })
    await send(peer, wrongId, node.port as number)
    await eventually(5_000, 'wrong id ignored', () => ignored.length === 1)
    const forged = Wire.encode({ _tag: 'Pong', rpcId: request.rpcId, sender: peerId })
    await send(impostor, forged, node.port as number)
    await eventually(5_000, 'wrong address ignored', () => ignored.length === 2)
    expect(ignored).toEqual(['UnknownRpcId', 'WrongAddress'])
    expect(settled).toBe(false)
    expect(node.contacts().length).toBe(0)

    await send(peer, forged, node.port as number)
    const pong = await within(5_000, 'genuine reply', ping)
    expect(NodeId.toHex(pong.id)).toBe(NodeId.toHex(peerId))
    expect(node.metrics().core.ignored.UnknownRpcId).toBe(1)
    expect(node.metrics().core.ignored.WrongAddress).toBe(1)
  })

  it('turns a contact with an unusable address (from a NODES reply) into SendFailed', async () => {
    const node = await startServer({ seed: 12 })
    servers.push(node)
    const peer = await rawSocket()
    const peerId = NodeId.fromKey('raw peer')
    const bogus = NodeId.fromKey('bogus contact')
    peer.on('message', (bytes) => {
      const m = Wire.decode(new Uint8Array(bytes))
      if (m._tag !== 'Right') return
      const reply: Message.Message | undefined =
        m.right._tag === 'Ping' ? { _tag: 'Pong', rpcId: m.right.rpcId, sender: peerId }
        : m.right._tag === 'FindNode' ? { _tag: 'Nodes', rpcId: m.right.rpcId, sender: peerId, contacts: [{ id: bogus, address: 'not-an-address' as Message.PeerInfo['address'] }] }
        : undefined
      if (reply !== undefined) void send(peer, Wire.encode(reply), node.port as number)
    })
    const failed: string[] = []
    node.on('sendFailed', (e) => failed.push(e.to))
    await within(5_000, 'ping', node.ping(`127.0.0.1:${peer.address().port}`))
    const found = await within(10_000, 'findNode', node.findNode(bogus))
    expect(failed).toContain('not-an-address')
    expect(node.metrics().sendFailures).toBeGreaterThanOrEqual(1)
    expect(node.metrics().core.rpcsFailed).toBeGreaterThanOrEqual(1)
    expect(found.map((p) => p.address)).not.toContain('not-an-address')
  })
})
