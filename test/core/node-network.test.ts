/**
 * Reducers talking to each other through the tiny harness (virtual time, 10 ms latency): joins
 * by the protocol (§2.3), puts and gets, with and without dead nodes. The 200-node oracle
 * properties live in the testing kit's tests; this one checks the reducer end to end.
 */
import { describe, expect, it } from 'vitest'
import { NodeId } from '@kademlia-ts/core'
import * as H from './node-harness.js'

describe('a network of reducers', () => {
  it('joins through the protocol, then put and get succeed from every live node, 20% dead', () => {
    const size = 60
    const h = H.create({ size, seed: 7 })
    H.join(h)
    const keys = Array.from({ length: 10 }, (_, j) => NodeId.fromKey(`key-${j}`))
    for (const [j, key] of keys.entries()) {
      const out = H.await_(h, H.command(h, (j * 7) % size, { _tag: 'PutRequested', key, value: `value-${j}` }))
      expect(out?._tag).toBe('Stored')
      if (out?._tag === 'Stored') {
        expect(out.replicas).toBeGreaterThanOrEqual(1)
        expect(out.replicas).toBeLessThanOrEqual(20)
      }
    }
    // 20% of the nodes die (not the publishers' first ones); their contacts stay in others' tables
    for (let i = 48; i < 60; i++) H.kill(h, i)
    const start = h.now
    const sent = h.sent
    let gets = 0
    for (let i = 0; i < 48; i++) {
      const j = i % keys.length
      const out = H.await_(h, H.command(h, i, { _tag: 'GetRequested', key: keys[j] as NodeId.NodeId }))
      expect(out, `get at node ${i}`).toEqual(expect.objectContaining({ _tag: 'Found', value: `value-${j}` }))
      gets++
    }
    // virtual time: dead peers cost adaptive timeouts (tens of ms), not Python's 5 s rounds
    expect((h.now - start) / gets).toBeLessThan(500)
    expect((h.sent - sent) / gets).toBeLessThan(80)
  })

  it('a put on a node with no peers fails NoPeers but keeps the publication for later', () => {
    const h = H.create({ size: 1, seed: 1 })
    const key = NodeId.fromKey('alone')
    expect(H.await_(h, H.command(h, 0, { _tag: 'PutRequested', key, value: 1 }))).toEqual({ _tag: 'Failed', reason: 'NoPeers' })
    expect(H.await_(h, H.command(h, 0, { _tag: 'GetRequested', key }))).toEqual({ _tag: 'Found', value: 1, hops: 0 })
  })
})
