/**
 * Totality and determinism of `Node.step` under random event sequences: garbage messages from
 * arbitrary addresses, replies (right and wrong) to the requests the node really sent, send
 * failures, commands, cancellations and ticks with time jumps. After every step: no exception,
 * the routing table's invariants hold, the deep-frozen input state is unchanged (Maps compared
 * entry by entry), every request sent is in flight, no operation completes twice, and after a
 * tick the next deadline lies in the future. At the end every command has completed. Two runs
 * of the same sequence give the same effects, byte for byte after encoding.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Address, Config, Lookup, Message, Node, NodeId, RoutingTable, RpcId, Time, Wire } from '@kademlia-ts/core'
import type { Effect, Event, NodeState, OpId } from '@kademlia-ts/core'
import { deepFreeze } from './node-harness.js'

const ME = NodeId.fromKey('me')
const pool = Array.from({ length: 8 }, (_, i) => NodeId.fromKey(`peer-${i}`))
const addresses = Array.from({ length: 8 }, (_, i) => Address.of(`10.0.0.${i}:4000`))

const rawId = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(NodeId.unsafeFromBytes)
const idArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...pool) }, { weight: 2, arbitrary: rawId }, { weight: 1, arbitrary: fc.constant(ME) })
const addrArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...addresses) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }).map(Address.of) })
const valueArb = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.uint8Array({ maxLength: 30 }))
const ttlArb = fc.oneof(fc.nat({ max: 100_000 }), fc.constant(0), fc.maxSafeNat()).map(Time.millis)
const rpcArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(RpcId.unsafeFromBytes)
const peerInfoArb = fc.record({ id: idArb, address: addrArb })

type Body = { _tag: Message.Tag } & Record<string, unknown>
const bodyArb: fc.Arbitrary<Body> = fc.oneof(
  fc.constant({ _tag: 'Ping' as const }),
  fc.constant({ _tag: 'Pong' as const }),
  fc.constant({ _tag: 'Stored' as const }),
  fc.record({ _tag: fc.constant('FindNode' as const), target: idArb }),
  fc.record({ _tag: fc.constant('FindValue' as const), key: idArb }),
  fc.record({ _tag: fc.constant('Store' as const), key: idArb, value: valueArb, ttl: ttlArb }),
  fc.record({ _tag: fc.constant('Nodes' as const), contacts: fc.array(peerInfoArb, { maxLength: 25 }) }),
  fc.record({ _tag: fc.constant('ValueFound' as const), value: valueArb, ttl: ttlArb }),
)

/** An action resolved against what the node has sent so far. */
type Action =
  | { kind: 'garbage'; from: Address.Address; sender: NodeId.NodeId; rpcId: RpcId.RpcId; body: Body }
  /** a reply to the n-th request still outstanding, from its address (or another) */
  | { kind: 'reply'; n: number; sameAddress: boolean; sender: 'expected' | NodeId.NodeId; body: Body }
  | { kind: 'sendFailed'; n: number }
  | { kind: 'tick'; jump: number }
  | { kind: 'command'; command: Record<string, unknown> & { _tag: string } }
  | { kind: 'cancel'; n: number }
  | { kind: 'malformed'; event: unknown }

const commandArb = fc.oneof(
  fc.record({ _tag: fc.constant('BootstrapRequested'), contacts: fc.array(addrArb, { maxLength: 4 }) }),
  fc.record({ _tag: fc.constant('GetRequested'), key: idArb }),
  fc.record({ _tag: fc.constant('PutRequested'), key: idArb, value: fc.oneof(valueArb, fc.constant(new Uint8Array(9000))) }),
  fc.record({ _tag: fc.constant('PingRequested'), address: addrArb }),
  fc.record({ _tag: fc.constant('FindNodeRequested'), target: idArb }),
  fc.constant({ _tag: 'RefreshRequested' }),
  fc.record({
    _tag: fc.constant('RecordsRestored'),
    records: fc.array(
      fc.record({ key: idArb, value: valueArb, origin: fc.constantFrom('Published', 'Replica', 'Cached'), storedAt: fc.nat({ max: 10_000 }), expiresAt: fc.nat({ max: 200_000 }) }),
      { maxLength: 3 },
    ),
  }),
)

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('garbage' as const), from: addrArb, sender: idArb, rpcId: rpcArb, body: bodyArb }) },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('reply' as const),
      n: fc.nat(),
      sameAddress: fc.constantFrom(true, true, true, false),
      sender: fc.oneof({ weight: 5, arbitrary: fc.constant('expected' as const) }, { weight: 1, arbitrary: idArb }),
      body: bodyArb,
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('sendFailed' as const), n: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tick' as const), jump: fc.oneof(fc.nat({ max: 3000 }), fc.constantFrom(3_600_000, 86_400_000)) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('command' as const), command: commandArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), n: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('malformed' as const),
      event: fc.oneof(
        fc.constant(null),
        fc.record({ _tag: fc.constant('MessageReceived'), at: fc.double(), from: fc.anything(), message: fc.anything() }),
        fc.record({ _tag: fc.string(), at: fc.anything() }),
      ),
    }),
  },
)

/** Requests drawn as replies become the right reply type (so most replies fit); wrong response types stay. */
const reply = (request: Message.Message, body: Body): Body => {
  const right: Partial<Record<Message.Tag, Body>> = { Ping: { _tag: 'Pong' }, Store: { _tag: 'Stored' }, FindNode: { _tag: 'Nodes', contacts: [] }, FindValue: { _tag: 'Nodes', contacts: [] } }
  return Message.isRequest(body as unknown as Message.Message) ? (right[request._tag] ?? body) : body
}

const encodeEffect = (e: Effect): string =>
  e._tag === 'Send' ? `S ${e.to} ${NodeId.toHex(Wire.encode(e.message))}` : JSON.stringify(e, (_k, v: unknown) => (v instanceof Uint8Array ? NodeId.toHex(v) : v))

const snapshot = (s: NodeState) => ({
  tasks: [...s.tasks.entries()],
  inFlight: [...s.inFlight.entries],
  store: s.store.shards.map((shard) => [...shard.entries.entries()]),
})

/**
 * Every running operation waits on exactly the requests in flight for it: a put's pending STOREs
 * (settled by ack or late window), a lookup's waiting peers and a ping's or bootstrap's pending
 * PINGs (settled at their timeout).
 */
const bookkeeping = (s: NodeState): string[] => {
  const problems: string[] = []
  const entries = s.inFlight.entries
  for (const [id, t] of s.tasks) {
    const mine = entries.filter((e) => e.purpose._tag !== 'Probe' && 'task' in e.purpose && e.purpose.task === id)
    const live = mine.filter((e) => !e.timedOut).length
    const expected =
      t._tag === 'Storing' ? t.pending : t._tag === 'Looking' ? Lookup.inFlight(t.lookup) : t._tag === 'Bootstrapping' ? t.pending : t._tag === 'Pinging' ? 1 : undefined
    const actual = t._tag === 'Storing' ? mine.length : live
    if (expected !== undefined && expected !== actual) problems.push(`task ${id} (${t._tag}) waits on ${expected}, ${actual} in flight`)
  }
  return problems
}

/** Runs the actions; returns the encoded effects. Checks the per-step properties as it goes. */
const run = (actions: ReadonlyArray<Action>, seed: number): string[] => {
  const config = { ...Config.defaults, bucketSize: 4, parallelism: 2 }
  let s = Node.init(config, { id: ME, seed, at: Time.instant(0) })
  const out: string[] = []
  const outstanding: Array<{ to: Address.Address; message: Message.Message }> = []
  const completed = new Map<number, number>()
  const issued: number[] = []
  let nextOp = 1
  const apply = (event: unknown, isTick = false): void => {
    const before = deepFreeze(s)
    const snap = snapshot(before)
    const { state, effects } = Node.step(before, event as Event)
    expect(snapshot(before)).toEqual(snap)
    expect(RoutingTable.checkInvariants(Node.routingTable(state))).toEqual([])
    expect(bookkeeping(state)).toEqual([])
    for (const e of effects) {
      out.push(encodeEffect(e))
      if (e._tag === 'Send' && Message.isRequest(e.message)) {
        expect(state.inFlight.entries.some((x) => RpcId.equals(x.rpcId, e.message.rpcId))).toBe(true)
        outstanding.push({ to: e.to, message: e.message })
      }
      if (e._tag === 'Complete') completed.set(e.opId, (completed.get(e.opId) ?? 0) + 1)
    }
    if (isTick) {
      const next = Node.nextDeadline(state)
      if (next !== undefined) expect(next).toBeGreaterThan(state.now)
    }
    s = state
  }
  // warm-up: the pool's peers introduce themselves, so lookups have someone to ask
  pool.forEach((id, i) => {
    if (seed % 3 !== 0 || i < 2)
      apply({ _tag: 'MessageReceived', at: Time.instant(i), from: addresses[i], message: { _tag: 'Ping', rpcId: RpcId.unsafeFromBytes(new Uint8Array(20).fill(i)), sender: id } })
  })
  for (const a of actions) {
    const at = Time.instant(s.now + (a.kind === 'tick' ? a.jump : 1))
    switch (a.kind) {
      case 'garbage':
        apply({ _tag: 'MessageReceived', at, from: a.from, message: { ...a.body, rpcId: a.rpcId, sender: a.sender } })
        break
      case 'reply': {
        const req = outstanding.length === 0 ? undefined : outstanding[a.n % outstanding.length]
        if (req === undefined) break
        const expected = s.inFlight.entries.find((x) => RpcId.equals(x.rpcId, req.message.rpcId))?.peer ?? pool[a.n % pool.length]
        const sender = a.sender === 'expected' ? (expected as NodeId.NodeId) : a.sender
        const from = a.sameAddress ? req.to : addresses[0]
        apply({ _tag: 'MessageReceived', at, from, message: { ...reply(req.message, a.body), rpcId: req.message.rpcId, sender } })
        break
      }
      case 'sendFailed': {
        const req = outstanding.length === 0 ? undefined : outstanding[a.n % outstanding.length]
        if (req !== undefined) apply({ _tag: 'SendFailed', at, to: req.to, rpcId: req.message.rpcId })
        break
      }
      case 'tick':
        apply({ _tag: 'Ticked', at }, true)
        break
      case 'command': {
        const opId = nextOp++
        issued.push(opId)
        apply({ ...a.command, at, opId: opId as OpId })
        break
      }
      case 'cancel':
        apply({ _tag: 'Cancelled', at, opId: (issued.length === 0 ? 999 : issued[a.n % issued.length]) as OpId })
        break
      case 'malformed':
        apply(a.event)
        break
    }
  }
  // silence: every request times out, every operation ends
  for (let i = 0; i < 12; i++) apply({ _tag: 'Ticked', at: Time.instant(s.now + config.maxRpcTimeout + 1) }, true)
  for (const [opId, n] of completed) expect(n, `op ${opId} completed ${n} times`).toBe(1)
  for (const opId of issued) expect(completed.get(opId), `op ${opId} never completed`).toBe(1)
  expect(Node.pendingOperations(s)).toBe(0)
  return out
}

describe('Node.step is total and deterministic', () => {
  it('random events never throw, never break the table, never mutate their input', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 60 }), fc.integer(), (actions, seed) => {
        run(actions, seed)
      }),
      { numRuns: 120 },
    )
  })

  it('same seed and same events give the same effects, byte for byte', () => {
    fc.assert(
      fc.property(fc.array(actionArb, { maxLength: 40 }), fc.integer(), (actions, seed) => {
        expect(run(actions, seed)).toEqual(run(actions, seed))
      }),
      { numRuns: 40 },
    )
  })
})
