/**
 * The node reducer one event at a time: config decoding, answers to the four RPCs (§2.3), the
 * table updated by every message (§2.2), which replies count (RPC id in flight AND the address we
 * sent to), timeouts from state, commands and their single `Complete`.
 */
import { describe, expect, it } from 'vitest'
const E = {
  isLeft: <L, R>(e: { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R }): e is { _tag: 'Left'; left: L } => e._tag === 'Left',
  isRight: <L, R>(e: { _tag: 'Left'; left: L } | { _tag: 'Right'; right: R }): e is { _tag: 'Right'; right: R } => e._tag === 'Right',
  right: <R>(right: R) => ({ _tag: 'Right' as const, right }),
}
import { Address, Config, Distance, Node, NodeId, RoutingTable, RpcId, Time, Wire } from '@kademlia-ts/core'
import type { Effect, Event, Message, NodeState, OpId } from '@kademlia-ts/core'
import { deepFreeze } from './node-harness.js'

const id = (n: number, first = 0): NodeId.NodeId => {
  const b = new Uint8Array(20)
  b[0] = first
  b[19] = n
  return NodeId.unsafeFromBytes(b)
}
const rpc = (n: number): RpcId.RpcId => RpcId.unsafeFromBytes(Uint8Array.from({ length: 20 }, () => n))
const addr = (s: string): Address.Address => Address.of(s)
const at = (ms: number) => Time.instant(ms)
const ME = id(0, 0x80)
const fresh = (config: Partial<Config.Config> = {}): NodeState =>
  Node.init({ ...Config.defaults, ...config }, { id: ME, seed: 1, at: at(0) })

const step = (s: NodeState, e: Event) => Node.step(deepFreeze(s), deepFreeze(e))
const received = (from: string, message: Message.Message, ms = 0): Event => ({ _tag: 'MessageReceived', at: at(ms), from: addr(from), message })
const sends = (fx: ReadonlyArray<Effect>) => fx.flatMap((e) => (e._tag === 'Send' ? [e] : []))
const completes = (fx: ReadonlyArray<Effect>) => fx.flatMap((e) => (e._tag === 'Complete' ? [e] : []))
const notes = (fx: ReadonlyArray<Effect>) => fx.flatMap((e) => (e._tag === 'Notify' ? [e.notification] : []))
const op = (n: number) => n as OpId

describe('Config', () => {
  it('has the paper defaults', () => {
    expect(Config.defaults).toMatchObject({
      bucketSize: 20,
      parallelism: 3,
      bitsPerHop: 1,
      staleAfterFailures: 5,
      refreshInterval: 3_600_000,
      replicateInterval: 3_600_000,
      republishInterval: 86_400_000,
      expireAfter: 86_400_000,
    })
  })
  it('decodes a partial object, filling defaults, dropping unknown fields', () => {
    const r = Config.decode({ bucketSize: 8, nonsense: true })
    expect(E.isRight(r) && r.right).toEqual({ ...Config.defaults, bucketSize: 8 })
    expect(Config.decode(undefined)).toEqual(E.right(Config.defaults))
  })
  it('names every bad field in a typed error', () => {
    const r = Config.decode({ bucketSize: 0, parallelism: 'three', expireAfter: 1.5 })
    expect(E.isLeft(r)).toBe(true)
    if (E.isLeft(r)) {
      expect(r.left._tag).toBe('ConfigError')
      expect([...r.left.fields].sort()).toEqual(['bucketSize', 'expireAfter', 'parallelism'])
    }
    const rel = Config.decode({ minRpcTimeout: 6000 })
    expect(E.isLeft(rel) && rel.left.fields).toEqual(['minRpcTimeout', 'initialRpcTimeout'])
    const root = Config.decode(42)
    expect(E.isLeft(root) && root.left.fields).toEqual(['(root)'])
  })
})

describe('answering the four RPCs (§2.3) and recording the sender (§2.2)', () => {
  it('PING: PONG to the source address with the same RPC id; the sender is added', () => {
    const { state, effects } = step(fresh(), received('a:1', { _tag: 'Ping', rpcId: rpc(1), sender: id(1) }))
    expect(sends(effects)).toEqual([{ _tag: 'Send', to: 'a:1', message: { _tag: 'Pong', rpcId: rpc(1), sender: ME } }])
    expect(notes(effects)).toContainEqual({ _tag: 'ContactAdded', contact: { id: id(1), address: 'a:1' } })
    expect(RoutingTable.find(Node.routingTable(state), id(1))?.address).toBe('a:1')
  })

  it('FIND_NODE: the k closest contacts, requester excluded, target included, closest first', () => {
    let s = fresh({ bucketSize: 4 })
    for (let i = 1; i <= 10; i++) s = step(s, received(`p${i}`, { _tag: 'Ping', rpcId: rpc(i), sender: id(i) })).state
    const target = id(3)
    const { effects } = step(s, received('p2', { _tag: 'FindNode', rpcId: rpc(50), sender: id(2), target }))
    const reply = sends(effects)[0]?.message
    expect(reply?._tag).toBe('Nodes')
    if (reply?._tag !== 'Nodes') return
    const want = Node.closest(s, target, 5).filter((c) => !NodeId.equals(c.id, id(2))).slice(0, 4)
    expect(reply.contacts.map((c) => NodeId.toHex(c.id))).toEqual(want.map((c) => NodeId.toHex(c.id)))
    expect(NodeId.equals(reply.contacts[0]?.id as NodeId.NodeId, target)).toBe(true)
  })

  it('STORE then FIND_VALUE: the value with its remaining lifetime; tExpire caps the ttl', () => {
    const key = NodeId.fromKey('k')
    let r = step(fresh(), received('a', { _tag: 'Store', rpcId: rpc(1), sender: id(1), key, value: 'v', ttl: Time.hours(100) }, 1000))
    expect(sends(r.effects).map((e) => e.message._tag)).toEqual(['Stored'])
    // durable before acknowledged: RecordStored comes before the STORED reply
    const noted = r.effects.findIndex((e) => e._tag === 'Notify' && e.notification._tag === 'RecordStored')
    expect(noted).toBeGreaterThanOrEqual(0)
    expect(noted).toBeLessThan(r.effects.findIndex((e) => e._tag === 'Send'))
    expect(Node.records(r.state)[0]).toMatchObject({ value: 'v', storedAt: 1000, expiresAt: 1000 + 86_400_000 })
    r = step(r.state, received('b', { _tag: 'FindValue', rpcId: rpc(2), sender: id(2), key }, 5000))
    expect(sends(r.effects)[0]?.message).toEqual({ _tag: 'ValueFound', rpcId: rpc(2), sender: ME, value: 'v', ttl: 86_400_000 - 4000 })
  })

  it('FIND_VALUE without the value answers like FIND_NODE', () => {
    const s = step(fresh(), received('a', { _tag: 'Ping', rpcId: rpc(1), sender: id(1) })).state
    const r = step(s, received('b', { _tag: 'FindValue', rpcId: rpc(2), sender: id(2), key: id(9) }))
    expect(sends(r.effects)[0]?.message).toMatchObject({ _tag: 'Nodes', contacts: [{ id: id(1), address: 'a' }] })
  })

  it('ignores a request signed with our own id, and a STORE with a zero ttl', () => {
    const own = step(fresh(), received('x', { _tag: 'Ping', rpcId: rpc(1), sender: ME }))
    expect(sends(own.effects)).toEqual([])
    expect(Node.metrics(own.state).ignored.OwnId).toBe(1)
    const zero = step(fresh(), received('x', { _tag: 'Store', rpcId: rpc(1), sender: id(1), key: id(2), value: 1, ttl: Time.millis(0) }))
    expect(sends(zero.effects)).toEqual([])
    expect(Node.metrics(zero.state).ignored.Invalid).toBe(1)
  })
})

describe('replies count only with an RPC id in flight from the address we sent to', () => {
  const pinging = () => {
    const r = step(fresh(), { _tag: 'PingRequested', at: at(0), opId: op(1), address: addr('peer') })
    const sent = sends(r.effects)[0]?.message as Message.Message
    return { s: r.state, rpcId: sent.rpcId }
  }

  it('a PingRequested completes Pinged with the measured round trip', () => {
    const { s, rpcId } = pinging()
    const r = step(s, received('peer', { _tag: 'Pong', rpcId, sender: id(7) }, 12))
    expect(completes(r.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Pinged', id: id(7), rtt: 12 } }])
    expect(Node.metrics(r.state).repliesAccepted).toBe(1)
    expect(Node.requestsInFlight(r.state)).toBe(0)
  })

  it('an unknown RPC id or another address is ignored and counted; the genuine reply still counts', () => {
    const { s, rpcId } = pinging()
    const unknown = step(s, received('peer', { _tag: 'Pong', rpcId: rpc(99), sender: id(7) }, 5))
    expect(completes(unknown.effects)).toEqual([])
    expect(Node.metrics(unknown.state).ignored.UnknownRpcId).toBe(1)
    expect(RoutingTable.size(Node.routingTable(unknown.state))).toBe(0)
    const forged = step(unknown.state, received('forger', { _tag: 'Pong', rpcId, sender: id(8) }, 6))
    expect(completes(forged.effects)).toEqual([])
    expect(Node.metrics(forged.state).ignored.WrongAddress).toBe(1)
    expect(RoutingTable.size(Node.routingTable(forged.state))).toBe(0)
    const genuine = step(forged.state, received('peer', { _tag: 'Pong', rpcId, sender: id(7) }, 7))
    expect(completes(genuine.effects)[0]?.outcome._tag).toBe('Pinged')
  })

  it('a reply of the wrong type fails the request', () => {
    const { s, rpcId } = pinging()
    const r = step(s, received('peer', { _tag: 'Nodes', rpcId, sender: id(7), contacts: [] }, 5))
    expect(completes(r.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Failed', reason: 'Timeout' } }])
    expect(Node.metrics(r.state).ignored.UnexpectedReply).toBe(1)
  })

  it('a timeout is kept in state: nextDeadline, then Failed at the deadline; an early tick does nothing', () => {
    const { s } = pinging()
    const deadline = Node.nextDeadline(s)
    expect(deadline).toBe(Config.defaults.initialRpcTimeout)
    const early = step(s, { _tag: 'Ticked', at: at((deadline as number) - 1) })
    expect(early.effects).toEqual([])
    const late = step(s, { _tag: 'Ticked', at: deadline as Time.Instant })
    expect(completes(late.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Failed', reason: 'Timeout' } }])
    expect(Node.metrics(late.state).rpcsTimedOut).toBe(1)
  })

  it('SendFailed fails the request at once', () => {
    const { s, rpcId } = pinging()
    const r = step(s, { _tag: 'SendFailed', at: at(1), to: addr('peer'), rpcId })
    expect(completes(r.effects)[0]?.outcome).toEqual({ _tag: 'Failed', reason: 'Timeout' })
    expect(Node.requestsInFlight(r.state)).toBe(0)
  })

  it('the timeout adapts to measured round trips, clamped to [min, max]', () => {
    let s = fresh()
    for (let i = 0; i < 20; i++) {
      const r = step(s, { _tag: 'PingRequested', at: at(s.now), opId: op(i), address: addr('p') })
      const m = sends(r.effects)[0]?.message as Message.Message
      s = step(r.state, received('p', { _tag: 'Pong', rpcId: m.rpcId, sender: id(3) }, s.now + 2)).state
    }
    expect(Node.rpcTimeout(s)).toBe(Config.defaults.minRpcTimeout)
    const r = step(s, { _tag: 'PingRequested', at: at(s.now), opId: op(99), address: addr('p') })
    expect((Node.nextDeadline(r.state) as number) - s.now).toBe(Config.defaults.minRpcTimeout)
  })
})

describe('late replies (§2.3: out of consideration until they answer)', () => {
  it('a peer that answers after its timeout still feeds the running lookup', () => {
    const target = id(0, 0x10)
    const [A, B, C, D] = [id(1, 0x70), id(2, 0x60), id(3, 0x20), id(4, 0x11)]
    let s = fresh()
    s = step(s, received('a', { _tag: 'Ping', rpcId: rpc(1), sender: A })).state
    s = step(s, received('b', { _tag: 'Ping', rpcId: rpc(2), sender: B })).state
    const start = step(s, { _tag: 'FindNodeRequested', at: at(0), opId: op(1), target })
    const q = (to: string, fx: ReadonlyArray<Effect>) => sends(fx).find((e) => e.to === to)?.message.rpcId as RpcId.RpcId
    const toA = q('a', start.effects)
    // B answers just before the 1 s timeout with C; the lookup then waits for C
    const b = step(start.state, received('b', { _tag: 'Nodes', rpcId: q('b', start.effects), sender: B, contacts: [{ id: C, address: addr('c') }] }, 990))
    expect(q('c', b.effects)).toBeDefined()
    // A times out: out of consideration, the lookup goes on with C
    const t = step(b.state, { _tag: 'Ticked', at: at(1000) })
    expect(Node.metrics(t.state).rpcsTimedOut).toBe(1)
    expect(completes(t.effects)).toEqual([])
    // A's late reply names D, closer than anyone: D is queried
    const late = step(t.state, received('a', { _tag: 'Nodes', rpcId: toA, sender: A, contacts: [{ id: D, address: addr('d') }] }, 1500))
    expect(Node.metrics(late.state).repliesLate).toBe(1)
    expect(sends(late.effects).map((e) => [e.to, e.message._tag])).toEqual([['d', 'FindNode']])
    expect(RoutingTable.find(Node.routingTable(late.state), A)?.failures).toBe(0)
  })
})

describe('put: STORE at the k closest found, count the acknowledgements', () => {
  const putWithTwoPeers = () => {
    const [A, B] = [id(1, 0x90), id(2, 0x91)]
    let s = fresh()
    s = step(s, received('a', { _tag: 'Ping', rpcId: rpc(1), sender: A })).state
    s = step(s, received('b', { _tag: 'Ping', rpcId: rpc(2), sender: B })).state
    const key = id(7, 0x90)
    const put = step(s, { _tag: 'PutRequested', at: at(0), opId: op(1), key, value: 'v' })
    const q = (to: string, fx: ReadonlyArray<Effect>) => sends(fx).find((e) => e.to === to)?.message.rpcId as RpcId.RpcId
    s = step(put.state, received('a', { _tag: 'Nodes', rpcId: q('a', put.effects), sender: A, contacts: [] }, 10)).state
    const last = step(s, received('b', { _tag: 'Nodes', rpcId: q('b', put.effects), sender: B, contacts: [] }, 10))
    expect(sends(last.effects).map((e) => [e.to, e.message._tag]).sort()).toEqual([['a', 'Store'], ['b', 'Store']])
    return { s: last.state, storeA: q('a', last.effects), storeB: q('b', last.effects), A, B }
  }

  it('a slow acknowledgement after the timeout still counts', () => {
    const { s, storeA, storeB, A, B } = putWithTwoPeers()
    const a = step(s, received('a', { _tag: 'Stored', rpcId: storeA, sender: A }, 20))
    const timedOut = step(a.state, { _tag: 'Ticked', at: Node.nextDeadline(a.state) as Time.Instant })
    expect(Node.metrics(timedOut.state).rpcsTimedOut).toBe(1)
    expect(completes(timedOut.effects)).toEqual([])
    const b = step(timedOut.state, received('b', { _tag: 'Stored', rpcId: storeB, sender: B }, 3000))
    expect(completes(b.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Stored', replicas: 2 } }])
  })

  it('a STORE never acknowledged is settled when its late window ends', () => {
    const { s, storeA, A } = putWithTwoPeers()
    const a = step(s, received('a', { _tag: 'Stored', rpcId: storeA, sender: A }, 20))
    const before = step(a.state, { _tag: 'Ticked', at: at(10 + Config.defaults.maxRpcTimeout - 1) })
    expect(completes(before.effects)).toEqual([])
    const end = step(before.state, { _tag: 'Ticked', at: at(10 + Config.defaults.maxRpcTimeout) })
    expect(completes(end.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Stored', replicas: 1 } }])
  })

  it('a reply signed with our own id from a peer we asked fails its STORE once, not twice', () => {
    const { s, storeA, storeB, B } = putWithTwoPeers()
    const forged = step(s, received('a', { _tag: 'Stored', rpcId: storeA, sender: ME }, 20))
    expect(completes(forged.effects)).toEqual([])
    expect(Node.metrics(forged.state).ignored).toMatchObject({ WrongSender: 1, OwnId: 1 })
    const b = step(forged.state, received('b', { _tag: 'Stored', rpcId: storeB, sender: B }, 30))
    expect(completes(b.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Stored', replicas: 1 } }])
  })

  it('nobody acknowledging is a failure, never a success (Python F9)', () => {
    const { s } = putWithTwoPeers()
    const end = step(s, { _tag: 'Ticked', at: at(10 + Config.defaults.maxRpcTimeout) })
    expect(completes(end.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Failed', reason: 'NoReplicas' } }])
  })
})

describe('commands', () => {
  it('a value too large for one datagram fails TooLarge; one that fits does not', () => {
    const key = NodeId.fromKey('big')
    const big = step(fresh(), { _tag: 'PutRequested', at: at(0), opId: op(1), key, value: new Uint8Array(Wire.MAX_DATAGRAM_BYTES) })
    expect(completes(big.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Failed', reason: 'TooLarge' } }])
    expect(Node.records(big.state)).toEqual([])
    const ok = step(fresh(), { _tag: 'PutRequested', at: at(0), opId: op(2), key, value: new Uint8Array(8000) })
    expect(completes(ok.effects)[0]?.outcome).toEqual({ _tag: 'Failed', reason: 'NoPeers' })
  })

  it('malformed commands fail InvalidRequest; every command completes exactly once', () => {
    const bad = step(fresh(), { _tag: 'BootstrapRequested', at: at(0), opId: op(1), contacts: [] })
    expect(completes(bad.effects)).toEqual([{ _tag: 'Complete', opId: op(1), outcome: { _tag: 'Failed', reason: 'InvalidRequest' } }])
    const badKey = step(fresh(), { _tag: 'GetRequested', at: at(0), opId: op(2), key: new Uint8Array(3) as NodeId.NodeId })
    expect(completes(badKey.effects)[0]?.outcome).toEqual({ _tag: 'Failed', reason: 'InvalidRequest' })
  })

  it('Cancelled completes the operation with Cancelled, and nothing completes it again', () => {
    let s = step(fresh(), received('a', { _tag: 'Ping', rpcId: rpc(1), sender: id(1) })).state
    const get = step(s, { _tag: 'GetRequested', at: at(1), opId: op(5), key: id(9) })
    const sent = sends(get.effects)[0]?.message as Message.Message
    expect(sent._tag).toBe('FindValue')
    const cancel = step(get.state, { _tag: 'Cancelled', at: at(2), opId: op(5) })
    expect(completes(cancel.effects)).toEqual([{ _tag: 'Complete', opId: op(5), outcome: { _tag: 'Failed', reason: 'Cancelled' } }])
    s = cancel.state
    const reply = step(s, received('a', { _tag: 'Nodes', rpcId: sent.rpcId, sender: id(1), contacts: [] }, 3))
    expect(completes(reply.effects)).toEqual([])
    const tick = step(reply.state, { _tag: 'Ticked', at: at(10_000) })
    expect(completes(tick.effects)).toEqual([])
  })

  it('RecordsRestored keeps the unexpired records and reports the others removed', () => {
    const records = [
      { key: id(1), value: 'a', origin: 'Replica' as const, storedAt: at(0), expiresAt: at(5000) },
      { key: id(2), value: 'b', origin: 'Replica' as const, storedAt: at(0), expiresAt: at(500) },
    ]
    const r = step(fresh(), { _tag: 'RecordsRestored', at: at(1000), opId: op(1), records })
    expect(completes(r.effects)[0]?.outcome).toEqual({ _tag: 'Restored', records: 1 })
    expect(Node.records(r.state).map((x) => x.value)).toEqual(['a'])
    expect(notes(r.effects)).toEqual([{ _tag: 'RecordRemoved', key: id(2) }])
  })

  it('a get looks up the network even when the key is held, and serves the local copy if nobody has it', () => {
    const key = id(4, 0x80)
    let s = step(fresh(), received('a', { _tag: 'Ping', rpcId: rpc(1), sender: id(1) })).state
    s = step(s, received('a', { _tag: 'Store', rpcId: rpc(2), sender: id(1), key, value: 'mine', ttl: Time.hours(1) })).state
    const get = step(s, { _tag: 'GetRequested', at: at(1), opId: op(3), key })
    const q = sends(get.effects)[0]?.message as Message.Message
    expect(q._tag).toBe('FindValue')
    const done = step(get.state, received('a', { _tag: 'Nodes', rpcId: q.rpcId, sender: id(1), contacts: [] }, 2))
    expect(completes(done.effects)[0]?.outcome).toEqual({ _tag: 'Found', value: 'mine', hops: 0 })
    expect(Distance.log2(key, ME)).toBeGreaterThanOrEqual(0)
  })
})
