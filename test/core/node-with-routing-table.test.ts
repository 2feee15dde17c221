/**
 * `Node.withRoutingTable`: how drivers install a table built outside the protocol (simulator
 * prefill, OracleNetwork) — it replaces only the table, never mutates, and refuses a table that
 * belongs to another node.
 */
import { describe, expect, it } from 'vitest'
import { Address, Config, Node, NodeId, RoutingTable, Time } from '@kademlia-ts/core'
import { deepFreeze } from './node-harness.js'

const id = (key: string): NodeId.NodeId => NodeId.fromKey(key)
const at = Time.instant(1_000)

describe('Node.withRoutingTable', () => {
  const me = id('me')
  const state = deepFreeze(Node.init(Config.defaults, { id: me, seed: 7, at }))

  it('installs a table of ours and leaves everything else as it was', () => {
    let table = Node.routingTable(state)
    for (let i = 0; i < 30; i++) table = RoutingTable.observe(table, { id: id(`peer-${i}`), address: Address.of(`p${i}`) }, at).table
    const next = Node.withRoutingTable(state, table)
    expect(Node.routingTable(next)).toBe(table)
    expect(RoutingTable.size(Node.routingTable(next))).toBe(30)
    expect(RoutingTable.size(Node.routingTable(state))).toBe(0)
    expect(Node.id(next)).toBe(Node.id(state))
    expect(Node.records(next)).toEqual(Node.records(state))
    expect(Node.metrics(next)).toBe(Node.metrics(state))
    // A table with contacts has buckets to refresh: their clock runs from `at` (paper §2.3).
    expect(Node.nextDeadline(state)).toBeUndefined()
    expect(Node.nextDeadline(next)).toBe(Time.add(at, Config.defaults.refreshInterval))
    // The installed table answers lookups: a FIND_NODE-style query sees its contacts.
    expect(Node.closest(next, id('peer-3'), 1)[0]?.id).toEqual(id('peer-3'))
  })

  it('refuses a table built for another node', () => {
    const other = RoutingTable.empty(id('someone else'), Node.routingTable(state).config, at)
    const foreign = RoutingTable.observe(other, { id: id('x'), address: Address.of('x') }, at).table
    expect(Node.withRoutingTable(state, foreign)).toBe(state)
  })
})
