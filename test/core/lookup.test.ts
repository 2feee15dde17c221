/**
 * The lookup machine (paper §2.3) against a brute-force universe, no node and no bytes: each
 * peer answers a query with the k ids it knows closest to the target. Replies and timeouts
 * arrive in an order fast-check chooses. Properties: never more than α RPCs in flight, never the
 * same peer twice, always terminates within a bound of steps, finds exactly the true k closest
 * when everyone answers and knows everyone, and dead peers only slow it down.
 */
import { describe, expect, it } from 'vitest'
import * as fc from 'fast-check'
import { Address, Distance, Lookup, NodeId } from '@kademlia-ts/core'

type Id = NodeId.NodeId

const idArb = fc.uint8Array({ minLength: 20, maxLength: 20 }).map(NodeId.unsafeFromBytes)

const sortBy = (target: Id, ids: ReadonlyArray<Id>): Id[] => [...ids].sort((a, b) => Distance.compareTo(target, a, b))
const hex = (id: Id): string => NodeId.toHex(id)
const info = (id: Id) => ({ id, address: Address.of(hex(id)) })

interface Universe {
  readonly self: Id
  readonly target: Id
  readonly peers: ReadonlyArray<Id>
  /** who knows whom (indices into peers); undefined: everyone knows everyone */
  readonly knows: ReadonlyArray<ReadonlyArray<number>> | undefined
  readonly dead: ReadonlySet<string>
}

const universeArb = (opts: { fullKnowledge: boolean; deadFraction: number }) =>
  fc
    .record({
      self: idArb,
      target: idArb,
      peers: fc.uniqueArray(idArb, { minLength: 1, maxLength: 120, selector: hex }),
      seed: fc.integer(),
      k: fc.integer({ min: 1, max: 20 }),
      alpha: fc.integer({ min: 1, max: 5 }),
      seeds: fc.integer({ min: 1, max: 20 }),
    })
    .chain((r) =>
      fc
        .tuple(
          fc.array(fc.uniqueArray(fc.nat({ max: r.peers.length - 1 }), { maxLength: 12 }), {
            minLength: r.peers.length,
            maxLength: r.peers.length,
          }),
          fc.array(fc.boolean(), { minLength: r.peers.length, maxLength: r.peers.length }),
          fc.array(fc.nat(), { minLength: 1, maxLength: 40 }),
        )
        .map(([knows, deadFlags, choices]) => {
          const dead = new Set<string>()
          r.peers.forEach((p, i) => {
            if (deadFlags[i] === true && (i * 7919) % 100 < opts.deadFraction * 100) dead.add(hex(p))
          })
          const u: Universe = {
            self: r.self,
            target: r.target,
            peers: r.peers.filter((p) => !NodeId.equals(p, r.self)),
            knows: opts.fullKnowledge ? undefined : knows,
            dead,
          }
          return { u, k: r.k, alpha: r.alpha, seeds: r.seeds, choices }
        }),
    )

const view = (l: Lookup.Lookup) => ({ rpcs: l.rpcs, peers: l.peers.map((p) => [hex(p.id), p.address, p.state, p.hop]) })

/**
 * `recordReplyAndNext` (the node's path for a NODES reply) is exactly `recordReply` then `next`,
 * and reports the queried and in-flight counts between the two.
 */
const expectFusedSame = (before: Lookup.Lookup, after: Lookup.Lookup, peer: Id, contacts: ReturnType<typeof info>[]) => {
  const fused = Lookup.recordReplyAndNext(before, peer, contacts)
  expect(fused.outcome).toBe('Recorded')
  if (fused.outcome !== 'Recorded') return
  const n = Lookup.next(after)
  expect(view(fused.lookup)).toEqual(view(n.lookup))
  expect(fused.query.map((p) => hex(p.id))).toEqual(n.query.map((p) => hex(p.id)))
  expect(fused.queried).toBe(Lookup.queried(after))
  expect(fused.inFlight).toBe(Lookup.inFlight(after))
}

/** Runs a lookup to the end; checks the per-step invariants as it goes. */
const drive = (u: Universe, k: number, alpha: number, seedCount: number, choices: ReadonlyArray<number>) => {
  const seeds = u.peers.slice(0, seedCount).map(info)
  let l = Lookup.start(u.target, u.self, seeds, { bucketSize: k, parallelism: alpha })
  const queried = new Set<string>()
  const waiting: Id[] = []
  let steps = 0
  let maxInFlight = 0
  const bound = 2 * u.peers.length + 10
  while (!Lookup.isFinished(l)) {
    if (steps++ > bound) throw new Error('lookup did not terminate within the bound')
    const n = Lookup.next(l)
    l = n.lookup
    for (const q of n.query) {
      const h = hex(q.id)
      if (queried.has(h)) throw new Error(`peer ${h} queried twice`)
      if (NodeId.equals(q.id, u.self)) throw new Error('queried ourselves')
      queried.add(h)
      waiting.push(q.id)
    }
    maxInFlight = Math.max(maxInFlight, Lookup.inFlight(l))
    expect(Lookup.inFlight(l)).toBeLessThanOrEqual(alpha)
    // the counts the lookup keeps are the counts of its peers
    expect([l.waiting, l.queried]).toEqual([Lookup.inFlight(l), Lookup.queried(l)])
    if (Lookup.isFinished(l)) break
    expect(waiting.length).toBeGreaterThan(0)
    const pick = (choices[steps % choices.length] as number) % waiting.length
    const peer = waiting.splice(pick, 1)[0] as Id
    if (u.dead.has(hex(peer))) {
      l = Lookup.recordTimeout(l, peer).lookup
    } else {
      const i = u.peers.findIndex((p) => NodeId.equals(p, peer))
      const known = u.knows === undefined ? u.peers : (u.knows[i] ?? []).map((j) => u.peers[j] as Id)
      // a peer lists neither itself nor the requester (as `Node` answers FIND_NODE)
      const others = known.filter((p) => !NodeId.equals(p, peer))
      // with dead peers about, a reply holds the k closest live peers it knows plus dead ones
      // (entries the responder has not yet found dead): the noise may only slow the lookup down
      const reply =
        u.dead.size === 0
          ? sortBy(u.target, others).slice(0, k)
          : [
              ...sortBy(u.target, others.filter((p) => !u.dead.has(hex(p)))).slice(0, k),
              ...sortBy(u.target, others.filter((p) => u.dead.has(hex(p)))).slice(0, k),
            ]
      const before = l
      l = Lookup.recordReply(l, peer, reply.map(info)).lookup
      expectFusedSame(before, l, peer, reply.map(info))
    }
  }
  return { l, queried, steps, maxInFlight }
}

describe('Lookup machine (paper §2.3)', () => {
  it('never more than α in flight, never the same peer twice, terminates within a bound', () => {
    fc.assert(
      fc.property(universeArb({ fullKnowledge: false, deadFraction: 0.3 }), ({ u, k, alpha, seeds, choices }) => {
        const { l, queried } = drive(u, k, alpha, seeds, choices)
        expect(Lookup.isFinished(l)).toBe(true)
        expect(queried.size).toBeLessThanOrEqual(u.peers.length)
        // the result: answered peers only, closest first, at most k
        const result = Lookup.closest(l)
        expect(result.length).toBeLessThanOrEqual(k)
        for (const p of result) expect(u.dead.has(hex(p.id))).toBe(false)
        for (let i = 1; i < result.length; i++)
          expect(Distance.compareTo(u.target, (result[i - 1] as Lookup.Peer).id, (result[i] as Lookup.Peer).id)).toBeLessThan(0)
      }),
      { numRuns: 150 },
    )
  })

  it('finds exactly the true k closest when everyone answers and knows everyone', () => {
    fc.assert(
      fc.property(universeArb({ fullKnowledge: true, deadFraction: 0 }), ({ u, k, alpha, seeds, choices }) => {
        const { l } = drive(u, k, alpha, seeds, choices)
        const truth = sortBy(u.target, u.peers).slice(0, k).map(hex)
        expect(Lookup.closest(l).map((p) => hex(p.id))).toEqual(truth)
      }),
      { numRuns: 150 },
    )
  })

  it('dead peers only slow it down: the result is the true k closest live peers', () => {
    fc.assert(
      fc.property(universeArb({ fullKnowledge: true, deadFraction: 0.5 }), ({ u, k, alpha, seeds, choices }) => {
        const live = u.peers.filter((p) => !u.dead.has(hex(p)))
        const liveSeeds = u.peers.slice(0, seeds).some((p) => !u.dead.has(hex(p)))
        fc.pre(liveSeeds)
        const { l } = drive(u, k, alpha, seeds, choices)
        expect(Lookup.closest(l).map((p) => hex(p.id))).toEqual(sortBy(u.target, live).slice(0, k).map(hex))
      }),
      { numRuns: 150 },
    )
  })

  it('a late reply of an unresponsive peer is still used', () => {
    const [self, target, a, b, c] = [0, 1, 2, 3, 4].map((n) => {
      const id = new Uint8Array(20)
      id[0] = n === 1 ? 0 : 0x80
      id[19] = n
      return NodeId.unsafeFromBytes(id)
    }) as [Id, Id, Id, Id, Id]
    let l = Lookup.start(target, self, [info(a)], { bucketSize: 2, parallelism: 1 })
    l = Lookup.next(l).lookup
    l = Lookup.recordTimeout(l, a).lookup
    expect(Lookup.isFinished(l)).toBe(true)
    l = Lookup.recordReply(l, a, [info(b), info(c)]).lookup
    expect(Lookup.isFinished(l)).toBe(false)
    expect(Lookup.find(l, a)?.state).toBe('Succeeded')
    const n = Lookup.next(l)
    expect(n.query.map((p) => hex(p.id))).toEqual([hex(b)])
  })

  it('ignores replies from peers it did not query, and our own id among contacts', () => {
    fc.assert(
      fc.property(idArb, idArb, fc.uniqueArray(idArb, { minLength: 2, maxLength: 10, selector: hex }), (self, target, ps) => {
        const l0 = Lookup.start(target, self, ps.slice(1).map(info), { bucketSize: 3, parallelism: 2 })
        const stranger = ps[0] as Id
        const r = Lookup.recordReply(l0, stranger, [info(self)])
        expect(r.outcome).toBe('Ignored')
        expect(Lookup.recordReplyAndNext(l0, stranger, [info(self)]).outcome).toBe('Ignored')
        expect(r.lookup).toBe(l0)
        expect(l0.peers.some((p) => NodeId.equals(p.id, self))).toBe(false)
      }),
    )
  })
})
