/**
 * Lookups as the node runs them (paper §2.3): start one for a goal, send the RPCs `Lookup.next`
 * asks for, feed replies and timeouts back, and when it finishes turn its result into what the
 * goal needs: a `Complete`, the STOREs of a put or republish, the join's bucket refreshes, or a
 * cached copy of a found value.
 */
import * as Distance from '../id/distance.js'
import type { NodeId } from '../id/node-id.js'
import * as Lookup from '../lookup/lookup.js'
import type { PeerInfo } from '../rpc/message.js'
import type { Value } from '../rpc/value.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import * as Store from '../store/store.js'
import type { Duration } from '../time.js'
import * as Time from '../time.js'
import type { Notification } from './effect.js'
import type { OpId } from './event.js'
import * as Metrics from './metrics.js'
import type { Fx } from './send.js'
import * as Send from './send.js'
import type { Goal, NodeState, Task } from './state.js'
import * as State from './state.js'

type Looking = Extract<Task, { _tag: 'Looking' }>

/** A cached copy shorter than this is not worth a STORE. */
const MIN_CACHE_TTL = 1000

// queries

const info = (p: Lookup.Peer): PeerInfo => ({ id: p.id, address: p.address })

const kindOf = (g: Goal): Extract<Notification, { _tag: 'LookupFinished' }>['kind'] =>
  g._tag === 'FindNode'
    ? 'Node'
    : g._tag === 'Get'
      ? 'Value'
      : g._tag === 'Put'
        ? g.opId === undefined
          ? 'Republish'
          : 'Node'
        : g._tag === 'Join' || g.join
          ? 'Join'
          : 'Refresh'

const opIdOf = (g: Goal): OpId | undefined => (g._tag === 'Refresh' ? undefined : g.opId)

const looking = (s: NodeState, id: number): Looking | undefined => {
  const t = s.tasks.get(id)
  return t !== undefined && t._tag === 'Looking' ? t : undefined
}

// transitions

export const setTask = (s: NodeState, id: number, task: Task | undefined): NodeState => {
  const tasks = new Map(s.tasks)
  if (task === undefined) tasks.delete(id)
  else tasks.set(id, task)
  return State.set(s, 'tasks', tasks)
}

export const addTask = (s: NodeState, task: Task): { readonly state: NodeState; readonly id: number } => {
  const id = s.nextTask
  return { state: { ...setTask(s, id, task), nextTask: id + 1 }, id }
}

/**
 * Starts a lookup of `target` seeded with the k closest contacts of our table, and marks the
 * target's bucket as looked up (§2.3 refresh clock). `values`: FIND_VALUE instead of FIND_NODE.
 */
export const start = (s: NodeState, fx: Fx, target: NodeId, goal: Goal, values: boolean): NodeState => {
  const seeds = RoutingTable.closest(s.table, target, s.config.bucketSize)
  const lookup = Lookup.start(target, s.id, seeds, s.config)
  // Built with State.set (not a spread) so every NodeState keeps init's one hidden class.
  const touched = State.set(State.set(s, 'table', RoutingTable.touch(s.table, target, s.now)), 'metrics', Metrics.bump(s.metrics, 'lookupsStarted'))
  const { state, id } = addTask(touched, { _tag: 'Looking', goal, lookup, values })
  return drive(state, fx, id)
}

/** Sends what the lookup asks for, or finishes it. */
const drive = (s: NodeState, fx: Fx, id: number): NodeState => {
  const task = looking(s, id)
  if (task === undefined) return s
  if (Lookup.isFinished(task.lookup)) return finish(s, fx, id, task)
  const { lookup, query } = Lookup.next(task.lookup)
  if (lookup === task.lookup) return s
  const next: Looking = { _tag: 'Looking', goal: task.goal, lookup, values: task.values }
  return send(setTask(s, id, next), id, next, query, fx)
}

/** The RPCs of lookup task `id` to the peers `query`. */
const send = (s: NodeState, id: number, task: Looking, query: ReadonlyArray<Lookup.Peer>, fx: Fx): NodeState => {
  let state = s
  for (const q of query)
    state = Send.request(
      state,
      fx,
      q.address,
      q.id,
      task.values ? { _tag: 'FindValue', key: task.lookup.target } : { _tag: 'FindNode', target: task.lookup.target },
      { _tag: 'Lookup', task: id },
    )
  return state
}

/** Peer `from` of lookup `id` answered with contacts. */
export const onNodes = (s: NodeState, fx: Fx, id: number, from: NodeId, contacts: ReadonlyArray<PeerInfo>): NodeState => {
  const task = looking(s, id)
  if (task === undefined) return s
  const k = s.config.bucketSize
  const r = Lookup.recordReplyAndNext(task.lookup, from, contacts.length > k ? contacts.slice(0, k) : contacts)
  if (r.outcome === 'Ignored') return s
  fx.push({
    _tag: 'Notify',
    notification: { _tag: 'LookupProgressed', opId: opIdOf(task.goal), queried: r.queried, inFlight: r.inFlight },
  })
  const next: Looking = { _tag: 'Looking', goal: task.goal, lookup: r.lookup, values: task.values }
  // `next` asks for nothing once the lookup is finished (its k closest live peers all answered).
  if (r.query.length === 0 && Lookup.isFinished(r.lookup)) return finish(s, fx, id, next)
  return send(setTask(s, id, next), id, next, r.query, fx)
}

/** Peer `peer` of lookup `id` timed out (`final`: failed for good). */
export const onFailure = (s: NodeState, fx: Fx, id: number, peer: NodeId, final: boolean): NodeState => {
  const task = looking(s, id)
  if (task === undefined) return s
  const { lookup, outcome } = final ? Lookup.recordFailure(task.lookup, peer) : Lookup.recordTimeout(task.lookup, peer)
  if (outcome === 'Ignored') return s
  return drive(setTask(s, id, { ...task, lookup }), fx, id)
}

/**
 * Peer `from` returned the value: a value lookup stops at the first value (§2.3), completes, and
 * caches the value at the closest peer that answered without it, with a lifetime that shrinks
 * with that peer's distance to the key (§2.3 fn. 2, see `cacheTtl`).
 */
export const onValue = (s: NodeState, fx: Fx, id: number, from: NodeId, value: Value, ttl: Duration): NodeState => {
  const task = looking(s, id)
  if (task === undefined || task.goal._tag !== 'Get') return s
  const peer = Lookup.find(task.lookup, from)
  const hops = peer === undefined ? 1 : peer.hop + 1
  let state = ended(setTask(s, id, undefined), fx, task, hops, true)
  fx.push({ _tag: 'Complete', opId: task.goal.opId, outcome: { _tag: 'Found', value, hops } })
  const at = Lookup.closestAnswered(task.lookup)
  if (!s.config.cacheValues || at === undefined) return state
  const cached = cacheTtl(state, at.id, task.lookup.target, ttl)
  if (cached < MIN_CACHE_TTL) return state
  state = Send.request(
    state,
    fx,
    at.address,
    at.id,
    { _tag: 'Store', key: task.lookup.target, value, ttl: cached },
    { _tag: 'Store', task: undefined },
  )
  return state
}

/**
 * Lifetime of a cached copy at `holder` (§2.3 fn. 2: exponentially inversely proportional to the
 * nodes between the holder and the key, inferred from our bucket structure). Our k closest
 * contacts span a radius of 2^r around us, the width of a neighbourhood of k nodes; the holder
 * at 2^h from the key has about k·2^(h−r) nodes between it and the key. The remaining lifetime is
 * halved for each doubling beyond k: ttl · 2^−max(0, h − r).
 */
export const cacheTtl = (s: NodeState, holder: NodeId, key: NodeId, remaining: Duration): Duration => {
  const near = RoutingTable.closest(s.table, s.id, s.config.bucketSize)
  const radius = near[near.length - 1]
  const excess = radius === undefined ? 0 : Math.max(0, Distance.log2(holder, key) - Distance.log2(s.id, radius.id))
  const base = Math.min(remaining, s.config.expireAfter)
  return (excess >= 52 ? 0 : Math.floor(base / 2 ** excess)) as Duration
}

const ended = (s: NodeState, fx: Fx, task: Looking, hops: number, found: boolean): NodeState => {
  fx.push({
    _tag: 'Notify',
    notification: {
      _tag: 'LookupFinished',
      opId: opIdOf(task.goal),
      target: task.lookup.target,
      kind: kindOf(task.goal),
      hops,
      rpcs: task.lookup.rpcs,
      found,
    },
  })
  return State.set(s, 'metrics', Metrics.bump(s.metrics, 'lookupsFinished'))
}

const finish = (s0: NodeState, fx: Fx, id: number, task: Looking): NodeState => {
  const result = Lookup.closest(task.lookup)
  const hops = Lookup.hops(task.lookup)
  const goal = task.goal
  const local = goal._tag === 'Get' ? Store.get(s0.store, task.lookup.target, s0.now) : undefined
  let s = ended(setTask(s0, id, undefined), fx, task, hops, local !== undefined)
  const closest = result.map(info)
  switch (goal._tag) {
    case 'FindNode':
      fx.push({
        _tag: 'Complete',
        opId: goal.opId,
        outcome: result.length === 0 ? { _tag: 'Failed', reason: 'NoPeers' } : { _tag: 'NodesFound', closest, hops },
      })
      return s
    case 'Get':
      // Nobody had it: serve our own copy if we hold one (we may be its publisher or a holder).
      fx.push({
        _tag: 'Complete',
        opId: goal.opId,
        outcome:
          local !== undefined
            ? { _tag: 'Found', value: local.value, hops: 0 }
            : result.length === 0
              ? { _tag: 'Failed', reason: 'NoPeers' }
              : { _tag: 'NotFound', closest },
      })
      return s
    case 'Put':
      return storeAt(s, fx, goal.opId, goal.key, goal.value, closest)
    case 'Join':
      if (goal.opId !== undefined)
        fx.push({
          _tag: 'Complete',
          opId: goal.opId,
          outcome:
            RoutingTable.size(s.table) === 0
              ? { _tag: 'Failed', reason: 'NoPeers' }
              : { _tag: 'Bootstrapped', contacts: RoutingTable.size(s.table) },
        })
      return refreshFarther(s, fx)
    case 'Refresh': {
      if (goal.parent === undefined) return s
      const parent = s.tasks.get(goal.parent)
      if (parent === undefined || parent._tag !== 'Refreshing') return s
      if (parent.pending > 1) return setTask(s, goal.parent, { ...parent, pending: parent.pending - 1 })
      s = setTask(s, goal.parent, undefined)
      fx.push({ _tag: 'Complete', opId: parent.opId, outcome: { _tag: 'Refreshed', buckets: parent.buckets } })
      return s
    }
  }
}

/**
 * STORE `value` at the k closest peers a lookup found (§2.3). A user's put is tracked by a
 * `Storing` task that completes with the number of acknowledgements once every STORE settled.
 */
const storeAt = (
  s0: NodeState,
  fx: Fx,
  opId: OpId | undefined,
  key: NodeId,
  value: Value,
  peers: ReadonlyArray<PeerInfo>,
): NodeState => {
  if (peers.length === 0) {
    if (opId !== undefined) fx.push({ _tag: 'Complete', opId, outcome: { _tag: 'Failed', reason: 'NoPeers' } })
    return s0
  }
  let s = s0
  let task: number | undefined
  if (opId !== undefined) {
    const added = addTask(s, { _tag: 'Storing', opId, pending: peers.length, acked: 0 })
    s = added.state
    task = added.id
  }
  for (const p of peers)
    s = Send.request(s, fx, p.address, p.id, { _tag: 'Store', key, value, ttl: s.config.expireAfter }, { _tag: 'Store', task })
  return s
}

/** A STORE of task `id` settled (acknowledged or not). */
export const onStoreSettled = (s: NodeState, fx: Fx, id: number, acked: boolean): NodeState => {
  const task = s.tasks.get(id)
  if (task === undefined || task._tag !== 'Storing') return s
  const next = { ...task, pending: task.pending - 1, acked: task.acked + (acked ? 1 : 0) }
  if (next.pending > 0) return setTask(s, id, next)
  if (next.opId !== undefined)
    fx.push({
      _tag: 'Complete',
      opId: next.opId,
      outcome: next.acked > 0 ? { _tag: 'Stored', replicas: next.acked } : { _tag: 'Failed', reason: 'NoReplicas' },
    })
  return setTask(s, id, undefined)
}

/** Refresh lookups for the given buckets (§2.3): a random id in each bucket's range. */
export const refreshBuckets = (
  s0: NodeState,
  fx: Fx,
  buckets: ReadonlyArray<RoutingTable.Bucket>,
  parent: number | undefined,
  join: boolean,
): NodeState => {
  let s = s0
  for (const b of buckets) {
    const [target, prng] = Distance.randomInPrefix(b.prefix, b.depth, s.prng)
    s = start(State.set(s, 'prng', prng), fx, target, { _tag: 'Refresh', parent, join }, false)
  }
  return s
}

/** §2.3 join: after the lookup of our own id, refresh every bucket farther than our closest neighbour. */
const refreshFarther = (s: NodeState, fx: Fx): NodeState => {
  const nearest = RoutingTable.closest(s.table, s.id, 1)[0]
  if (nearest === undefined) return s
  const depth = Distance.commonPrefixLength(nearest.id, s.id)
  const farther = RoutingTable.buckets(s.table).filter((b) => {
    const shared = Distance.commonPrefixLength(b.prefix, s.id)
    return shared < b.depth && shared < depth
  })
  return refreshBuckets(s, fx, farther, undefined, true)
}

/** Time left for a record, never negative. */
export const remaining = (s: NodeState, expiresAt: Time.Instant): Duration =>
  Time.isReached(expiresAt, s.now) ? (0 as Duration) : Time.elapsed(s.now, expiresAt)
