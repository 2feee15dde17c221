/**
 * Replies, timeouts and send failures of our requests, routed to the purpose that sent them.
 *
 * A reply counts only if its RPC id is in flight AND it comes from the address we sent to (§2.3;
 * Python matches by id only, F11); its type must answer the request's (PONG for PING, …) and its
 * sender must be the node we asked, when we knew its id. Anything else is ignored, counted in
 * the metrics and notified (`MessageIgnored`). A matching reply updates the routing table (§2.2)
 * and the RTT estimate, even when it is late (after the timeout): a lookup still uses it.
 */
import type { Address } from '../address.js'
import * as NodeId from '../id/node-id.js'
import type { Response, Tag } from '../rpc/message.js'
import * as InFlight from '../rpc/in-flight.js'
import type { RpcId } from '../rpc/rpc-id.js'
import * as Rtt from '../rpc/rtt.js'
import * as Time from '../time.js'
import type { IgnoreReason } from './effect.js'
import * as Lookups from './lookups.js'
import * as Metrics from './metrics.js'
import * as Peers from './peers.js'
import type { Fx } from './send.js'
import * as State from './state.js'
import type { NodeState, Purpose } from './state.js'

type Entry = InFlight.Entry<Purpose>

// queries

const answers = (request: Tag, reply: Tag): boolean =>
  (request === 'Ping' && reply === 'Pong') ||
  (request === 'Store' && reply === 'Stored') ||
  (request === 'FindNode' && reply === 'Nodes') ||
  (request === 'FindValue' && (reply === 'Nodes' || reply === 'ValueFound'))

// transitions

export const ignored = (s: NodeState, fx: Fx, from: Address, reason: IgnoreReason): NodeState => {
  fx.push({ _tag: 'Notify', notification: { _tag: 'MessageIgnored', from, reason } })
  return State.set(s, 'metrics', Metrics.ignore(s.metrics, reason))
}

/** A reply arrived from `from`. */
export const onResponse = (s0: NodeState, fx: Fx, from: Address, m: Response): NodeState => {
  const { inFlight, settled } = InFlight.settle(s0.inFlight, m.rpcId, from)
  if (settled._tag !== 'Answered') return ignored(s0, fx, from, settled._tag)
  const { entry, late } = settled
  let s: NodeState = {
    ...s0,
    inFlight,
    rtt: Rtt.sample(s0.rtt, Time.elapsed(entry.sentAt, s0.now)),
    metrics: Metrics.bump(Metrics.bump(s0.metrics, 'repliesAccepted'), 'repliesLate', late ? 1 : 0),
  }
  if (!answers(entry.request, m._tag)) {
    s = ignored(s, fx, from, 'UnexpectedReply')
    return failedEntry(entry.peer === undefined ? s : Peers.failed(s, fx, entry.peer), fx, entry, true)
  }
  const wrongSender = entry.peer !== undefined && !NodeId.equals(entry.peer, m.sender)
  if (wrongSender && entry.peer !== undefined) {
    // The node at that address is not the one we knew there (it restarted with a new id, or
    // someone else took the address): the one we asked failed; the new one is heard below.
    s = ignored(s, fx, from, 'WrongSender')
    s = failedEntry(Peers.failed(s, fx, entry.peer), fx, entry, true)
  }
  const heard = Peers.heard(s, fx, { id: m.sender, address: from })
  s = heard.state
  if (heard.rejected === 'OwnId') {
    // the request fails once: not again when it already failed as a wrong sender
    s = ignored(s, fx, from, 'OwnId')
    return wrongSender ? s : failedEntry(s, fx, entry, true)
  }
  return wrongSender ? s : answered(s, fx, entry, m, late)
}

const answered = (s: NodeState, fx: Fx, entry: Entry, m: Response, late: boolean): NodeState => {
  const p = entry.purpose
  switch (p._tag) {
    case 'Lookup':
      if (m._tag === 'Nodes') return Lookups.onNodes(s, fx, p.task, m.sender, m.contacts)
      if (m._tag === 'ValueFound') return Lookups.onValue(s, fx, p.task, m.sender, m.value, m.ttl)
      return s
    case 'Store':
      // a put's STORE is settled only by its ack or the end of its late window: a slow ack counts
      return p.task === undefined ? s : Lookups.onStoreSettled(s, fx, p.task, true)
    case 'Probe':
      return Peers.probed(s, fx, m.sender, true)
    case 'Ping':
      return late ? s : pinged(s, fx, p.task, m.sender, Time.elapsed(entry.sentAt, s.now), true)
  }
}

/**
 * The request of `entry` failed: `final` when it can no longer succeed (send failure, a wrong
 * reply, the end of its late window), else it timed out and a late reply may still come.
 * - a lookup's peer becomes unresponsive at the timeout, failed when final;
 * - a probe and a put's STORE are judged only when final (a slow answer still counts);
 * - a ping fails at the timeout (once).
 */
const failedEntry = (s: NodeState, fx: Fx, entry: Entry, final: boolean): NodeState => {
  const p = entry.purpose
  switch (p._tag) {
    case 'Lookup':
      return entry.peer === undefined ? s : Lookups.onFailure(s, fx, p.task, entry.peer, final || entry.timedOut)
    case 'Probe':
      return final && entry.peer !== undefined ? Peers.probed(s, fx, entry.peer, false) : s
    case 'Store':
      return final && p.task !== undefined ? Lookups.onStoreSettled(s, fx, p.task, false) : s
    case 'Ping':
      return entry.timedOut ? s : pinged(s, fx, p.task, undefined, Time.millis(0), false)
  }
}

/** The driver could not send request `rpcId` to `to`. */
export const onSendFailed = (s0: NodeState, fx: Fx, to: Address, rpcId: RpcId): NodeState => {
  const e = InFlight.get(s0.inFlight, rpcId)
  if (e === undefined || e.to !== to) return s0
  const { inFlight } = InFlight.remove(s0.inFlight, rpcId)
  let s: NodeState = { ...s0, inFlight, metrics: Metrics.bump(s0.metrics, 'rpcsFailed') }
  if (e.peer !== undefined && e.purpose._tag !== 'Probe') s = Peers.failed(s, fx, e.peer)
  return failedEntry(s, fx, e, true)
}

/** Time passed: requests past their timeout fail (softly); probes and STOREs past their late window for good. */
export const onTick = (s0: NodeState, fx: Fx): NodeState => {
  if (!InFlight.anyDue(s0.inFlight, s0.now)) return s0
  const { inFlight, timedOut, dropped } = InFlight.expire(s0.inFlight, s0.now)
  if (inFlight === s0.inFlight) return s0
  let s: NodeState = { ...s0, inFlight, metrics: Metrics.bump(s0.metrics, 'rpcsTimedOut', timedOut.length) }
  for (const e of timedOut) {
    if (e.peer !== undefined && e.purpose._tag !== 'Probe') s = Peers.failed(s, fx, e.peer)
    s = failedEntry(s, fx, e, false)
  }
  for (const e of dropped)
    if (e.purpose._tag === 'Probe' || e.purpose._tag === 'Store') s = failedEntry(s, fx, e, true)
  return s
}

/** A ping of task `id` (a user's PingRequested or one bootstrap ping) settled. */
const pinged = (
  s: NodeState,
  fx: Fx,
  id: number,
  peer: NodeId.NodeId | undefined,
  rtt: Time.Duration,
  ok: boolean,
): NodeState => {
  const task = s.tasks.get(id)
  if (task === undefined) return s
  if (task._tag === 'Pinging') {
    fx.push({
      _tag: 'Complete',
      opId: task.opId,
      outcome: ok && peer !== undefined ? { _tag: 'Pinged', id: peer, rtt } : { _tag: 'Failed', reason: 'Timeout' },
    })
    return Lookups.setTask(s, id, undefined)
  }
  if (task._tag !== 'Bootstrapping') return s
  const next = { ...task, pending: task.pending - 1, answered: task.answered + (ok ? 1 : 0) }
  if (next.pending > 0) return Lookups.setTask(s, id, next)
  const done = Lookups.setTask(s, id, undefined)
  if (next.answered === 0) {
    fx.push({ _tag: 'Complete', opId: task.opId, outcome: { _tag: 'Failed', reason: 'NoPeers' } })
    return done
  }
  // §2.3 join: look up our own id (then refresh the buckets farther than our closest neighbour).
  return Lookups.start(done, fx, done.id, { _tag: 'Join', opId: task.opId }, false)
}
