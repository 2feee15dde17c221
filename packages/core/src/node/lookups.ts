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
import type { Fx } from './send.js'
import * as Send from './send.js'
import type { Draft, Goal, NodeState, Purpose, Task } from './state.js'

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

/**
 * Replaces (or with `undefined` removes) task `id`: a new task map, the old one is shared.
 * Copied with `forEach` rather than `new Map(old)`, whose iterator allocates an entry array and
 * a result object per task (measured: a third of the bytes `setTask` allocated).
 */
export const setTask = (s: Draft, id: number, task: Task | undefined): void => {
  const tasks = new Map<number, Task>()
  s.tasks.forEach((t, k) => tasks.set(k, t))
  if (task === undefined) tasks.delete(id)
  else tasks.set(id, task)
  s.tasks = tasks
}

/** Adds `task` under the next task number, which is returned. */
export const addTask = (s: Draft, task: Task): number => {
  const id = s.nextTask
  setTask(s, id, task)
  s.nextTask = id + 1
  return id
}

/**
 * Starts a lookup of `target` seeded with the k closest contacts of our table, and marks the
 * target's bucket as looked up (§2.3 refresh clock). `values`: FIND_VALUE instead of FIND_NODE.
 */
export const start = (s: Draft, fx: Fx, target: NodeId, goal: Goal, values: boolean): void => {
  const seeds = RoutingTable.closestPeers(s.table, target, s.config.bucketSize)
  const lookup = Lookup.start(target, s.id, seeds, s.config)
  s.table = RoutingTable.touch(s.table, target, s.now)
  s.metrics.lookupsStarted++
  drive(s, fx, addTask(s, { _tag: 'Looking', goal, lookup, values }))
}

/** Sends what the lookup asks for, or finishes it. */
const drive = (s: Draft, fx: Fx, id: number): void => {
  const task = looking(s, id)
  if (task === undefined) return
  if (Lookup.isFinished(task.lookup)) return finish(s, fx, id, task)
  const { lookup, query } = Lookup.next(task.lookup)
  if (lookup === task.lookup) return
  const next: Looking = { _tag: 'Looking', goal: task.goal, lookup, values: task.values }
  setTask(s, id, next)
  send(s, id, next, query, fx)
}

/** The RPCs of lookup task `id` to the peers `query`. */
const send = (s: Draft, id: number, task: Looking, query: ReadonlyArray<Lookup.Peer>, fx: Fx): void => {
  if (query.length === 0) return
  const body: Send.RequestBody = task.values ? { _tag: 'FindValue', key: task.lookup.target } : { _tag: 'FindNode', target: task.lookup.target }
  const purpose: Purpose = { _tag: 'Lookup', task: id }
  for (const q of query) Send.request(s, fx, q.address, q.id, body, purpose)
}

/** Peer `from` of lookup `id` answered with contacts. */
export const onNodes = (s: Draft, fx: Fx, id: number, from: NodeId, contacts: ReadonlyArray<PeerInfo>): void => {
  const task = looking(s, id)
  if (task === undefined) return
  const k = s.config.bucketSize
  const r = Lookup.recordReplyAndNext(task.lookup, from, contacts.length > k ? contacts.slice(0, k) : contacts)
  if (r.outcome === 'Ignored') return
  fx.push({
    _tag: 'Notify',
    notification: { _tag: 'LookupProgressed', opId: opIdOf(task.goal), queried: r.queried, inFlight: r.inFlight },
  })
  const next: Looking = { _tag: 'Looking', goal: task.goal, lookup: r.lookup, values: task.values }
  // `next` asks for nothing once the lookup is finished (its k closest live peers all answered).
  if (r.query.length === 0 && Lookup.isFinished(r.lookup)) return finish(s, fx, id, next)
  setTask(s, id, next)
  send(s, id, next, r.query, fx)
}

/** Peer `peer` of lookup `id` timed out (`final`: failed for good). */
export const onFailure = (s: Draft, fx: Fx, id: number, peer: NodeId, final: boolean): void => {
  const task = looking(s, id)
  if (task === undefined) return
  const { lookup, outcome } = final ? Lookup.recordFailure(task.lookup, peer) : Lookup.recordTimeout(task.lookup, peer)
  if (outcome === 'Ignored') return
  setTask(s, id, { _tag: 'Looking', goal: task.goal, lookup, values: task.values })
  drive(s, fx, id)
}

/**
 * Peer `from` returned the value: a value lookup stops at the first value (§2.3), completes, and
 * caches the value at the closest peer that answered without it, with a lifetime that shrinks
 * with that peer's distance to the key (§2.3 fn. 2, see `cacheTtl`).
 */
export const onValue = (s: Draft, fx: Fx, id: number, from: NodeId, value: Value, ttl: Duration): void => {
  const task = looking(s, id)
  if (task === undefined || task.goal._tag !== 'Get') return
  const peer = Lookup.find(task.lookup, from)
  const hops = peer === undefined ? 1 : peer.hop + 1
  setTask(s, id, undefined)
  ended(s, fx, task, hops, true)
  fx.push({ _tag: 'Complete', opId: task.goal.opId, outcome: { _tag: 'Found', value, hops } })
  const at = Lookup.closestAnswered(task.lookup)
  if (!s.config.cacheValues || at === undefined) return
  const cached = cacheTtl(s, at.id, task.lookup.target, ttl)
  if (cached < MIN_CACHE_TTL) return
  Send.request(s, fx, at.address, at.id, { _tag: 'Store', key: task.lookup.target, value, ttl: cached }, { _tag: 'Store', task: undefined })
}

/**
 * Lifetime of a cached copy at `holder` (§2.3 fn. 2: exponentially inversely proportional to the
 * nodes between the holder and the key, inferred from our bucket structure). Our k closest
 * contacts span a radius of 2^r around us, the width of a neighbourhood of k nodes; the holder
 * at 2^h from the key has about k·2^(h−r) nodes between it and the key. The remaining lifetime is
 * halved for each doubling beyond k: ttl · 2^−max(0, h − r).
 */
export const cacheTtl = (s: NodeState, holder: NodeId, key: NodeId, remaining: Duration): Duration => {
  const near = RoutingTable.closestPeers(s.table, s.id, s.config.bucketSize)
  const radius = near[near.length - 1]
  const excess = radius === undefined ? 0 : Math.max(0, Distance.log2(holder, key) - Distance.log2(s.id, radius.id))
  const base = Math.min(remaining, s.config.expireAfter)
  return (excess >= 52 ? 0 : Math.floor(base / 2 ** excess)) as Duration
}

const ended = (s: Draft, fx: Fx, task: Looking, hops: number, found: boolean): void => {
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
  s.metrics.lookupsFinished++
}

const finish = (s: Draft, fx: Fx, id: number, task: Looking): void => {
  const result = Lookup.closest(task.lookup)
  const hops = Lookup.hops(task.lookup)
  const goal = task.goal
  const local = goal._tag === 'Get' ? Store.get(s.store, task.lookup.target, s.now) : undefined
  setTask(s, id, undefined)
  ended(s, fx, task, hops, local !== undefined)
  const closest = result.map(info)
  switch (goal._tag) {
    case 'FindNode':
      fx.push({
        _tag: 'Complete',
        opId: goal.opId,
        outcome: result.length === 0 ? { _tag: 'Failed', reason: 'NoPeers' } : { _tag: 'NodesFound', closest, hops },
      })
      return
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
      return
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
      if (goal.parent === undefined) return
      const parent = s.tasks.get(goal.parent)
      if (parent === undefined || parent._tag !== 'Refreshing') return
      if (parent.pending > 1) return setTask(s, goal.parent, { ...parent, pending: parent.pending - 1 })
      setTask(s, goal.parent, undefined)
      fx.push({ _tag: 'Complete', opId: parent.opId, outcome: { _tag: 'Refreshed', buckets: parent.buckets } })
      return
    }
  }
}

/**
 * STORE `value` at the k closest peers a lookup found (§2.3). A user's put is tracked by a
 * `Storing` task that completes with the number of acknowledgements once every STORE settled.
 */
const storeAt = (s: Draft, fx: Fx, opId: OpId | undefined, key: NodeId, value: Value, peers: ReadonlyArray<PeerInfo>): void => {
  if (peers.length === 0) {
    if (opId !== undefined) fx.push({ _tag: 'Complete', opId, outcome: { _tag: 'Failed', reason: 'NoPeers' } })
    return
  }
  const task = opId === undefined ? undefined : addTask(s, { _tag: 'Storing', opId, pending: peers.length, acked: 0 })
  for (const p of peers) Send.request(s, fx, p.address, p.id, { _tag: 'Store', key, value, ttl: s.config.expireAfter }, { _tag: 'Store', task })
}

/** A STORE of task `id` settled (acknowledged or not). */
export const onStoreSettled = (s: Draft, fx: Fx, id: number, acked: boolean): void => {
  const task = s.tasks.get(id)
  if (task === undefined || task._tag !== 'Storing') return
  const next = { ...task, pending: task.pending - 1, acked: task.acked + (acked ? 1 : 0) }
  if (next.pending > 0) return setTask(s, id, next)
  if (next.opId !== undefined)
    fx.push({
      _tag: 'Complete',
      opId: next.opId,
      outcome: next.acked > 0 ? { _tag: 'Stored', replicas: next.acked } : { _tag: 'Failed', reason: 'NoReplicas' },
    })
  setTask(s, id, undefined)
}

/** Refresh lookups for the given buckets (§2.3): a random id in each bucket's range. */
export const refreshBuckets = (
  s: Draft,
  fx: Fx,
  buckets: ReadonlyArray<RoutingTable.Bucket>,
  parent: number | undefined,
  join: boolean,
): void => {
  for (const b of buckets) {
    const [target, prng] = Distance.randomInPrefix(b.prefix, b.depth, s.prng)
    s.prng = prng
    start(s, fx, target, { _tag: 'Refresh', parent, join }, false)
  }
}

/** §2.3 join: after the lookup of our own id, refresh every bucket farther than our closest neighbour. */
const refreshFarther = (s: Draft, fx: Fx): void => {
  const nearest = RoutingTable.closestPeers(s.table, s.id, 1)[0]
  if (nearest === undefined) return
  const depth = Distance.commonPrefixLength(nearest.id, s.id)
  const farther = RoutingTable.buckets(s.table).filter((b) => {
    const shared = Distance.commonPrefixLength(b.prefix, s.id)
    return shared < b.depth && shared < depth
  })
  refreshBuckets(s, fx, farther, undefined, true)
}

/** Time left for a record, never negative. */
export const remaining = (s: NodeState, expiresAt: Time.Instant): Duration =>
  Time.isReached(expiresAt, s.now) ? (0 as Duration) : Time.elapsed(s.now, expiresAt)
