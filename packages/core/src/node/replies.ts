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
import type { Draft, Purpose } from './state.js'

type Entry = InFlight.Entry<Purpose>

// queries

const answers = (request: Tag, reply: Tag): boolean =>
  (request === 'Ping' && reply === 'Pong') ||
  (request === 'Store' && reply === 'Stored') ||
  (request === 'FindNode' && reply === 'Nodes') ||
  (request === 'FindValue' && (reply === 'Nodes' || reply === 'ValueFound'))

// transitions

export const ignored = (s: Draft, fx: Fx, from: Address, reason: IgnoreReason): void => {
  fx.push({ _tag: 'Notify', notification: { _tag: 'MessageIgnored', from, reason } })
  Metrics.ignore(s.metrics, reason)
}

/** A reply arrived from `from`. */
export const onResponse = (s: Draft, fx: Fx, from: Address, m: Response): void => {
  const { inFlight, settled } = InFlight.settle(s.inFlight, m.rpcId, from)
  if (settled._tag !== 'Answered') return ignored(s, fx, from, settled._tag)
  const { entry, late } = settled
  s.inFlight = inFlight
  s.rtt = Rtt.sample(s.rtt, Time.elapsed(entry.sentAt, s.now))
  s.metrics.repliesAccepted++
  if (late) s.metrics.repliesLate++
  if (!answers(entry.request, m._tag)) {
    ignored(s, fx, from, 'UnexpectedReply')
    if (entry.peer !== undefined) Peers.failed(s, fx, entry.peer)
    return failedEntry(s, fx, entry, true)
  }
  const wrongSender = entry.peer !== undefined && !NodeId.equals(entry.peer, m.sender)
  if (wrongSender && entry.peer !== undefined) {
    // The node at that address is not the one we knew there (it restarted with a new id, or
    // someone else took the address): the one we asked failed; the new one is heard below.
    ignored(s, fx, from, 'WrongSender')
    Peers.failed(s, fx, entry.peer)
    failedEntry(s, fx, entry, true)
  }
  if (Peers.heard(s, fx, { id: m.sender, address: from }) === 'OwnId') {
    // the request fails once: not again when it already failed as a wrong sender
    ignored(s, fx, from, 'OwnId')
    if (!wrongSender) failedEntry(s, fx, entry, true)
    return
  }
  if (!wrongSender) answered(s, fx, entry, m, late)
}

const answered = (s: Draft, fx: Fx, entry: Entry, m: Response, late: boolean): void => {
  const p = entry.purpose
  switch (p._tag) {
    case 'Lookup':
      if (m._tag === 'Nodes') Lookups.onNodes(s, fx, p.task, m.sender, m.contacts)
      else if (m._tag === 'ValueFound') Lookups.onValue(s, fx, p.task, m.sender, m.value, m.ttl)
      return
    case 'Store':
      // a put's STORE is settled only by its ack or the end of its late window: a slow ack counts
      if (p.task !== undefined) Lookups.onStoreSettled(s, fx, p.task, true)
      return
    case 'Probe':
      return Peers.probed(s, fx, m.sender, true)
    case 'Ping':
      if (!late) pinged(s, fx, p.task, m.sender, Time.elapsed(entry.sentAt, s.now), true)
      return
  }
}

/**
 * The request of `entry` failed: `final` when it can no longer succeed (send failure, a wrong
 * reply, the end of its late window), else it timed out and a late reply may still come.
 * - a lookup's peer becomes unresponsive at the timeout, failed when final;
 * - a probe and a put's STORE are judged only when final (a slow answer still counts);
 * - a ping fails at the timeout (once).
 */
const failedEntry = (s: Draft, fx: Fx, entry: Entry, final: boolean): void => {
  const p = entry.purpose
  switch (p._tag) {
    case 'Lookup':
      if (entry.peer !== undefined) Lookups.onFailure(s, fx, p.task, entry.peer, final || entry.timedOut)
      return
    case 'Probe':
      if (final && entry.peer !== undefined) Peers.probed(s, fx, entry.peer, false)
      return
    case 'Store':
      if (final && p.task !== undefined) Lookups.onStoreSettled(s, fx, p.task, false)
      return
    case 'Ping':
      if (!entry.timedOut) pinged(s, fx, p.task, undefined, Time.millis(0), false)
      return
  }
}

/** The driver could not send request `rpcId` to `to`. */
export const onSendFailed = (s: Draft, fx: Fx, to: Address, rpcId: RpcId): void => {
  const e = InFlight.get(s.inFlight, rpcId)
  if (e === undefined || e.to !== to) return
  s.inFlight = InFlight.remove(s.inFlight, rpcId).inFlight
  s.metrics.rpcsFailed++
  if (e.peer !== undefined && e.purpose._tag !== 'Probe') Peers.failed(s, fx, e.peer)
  failedEntry(s, fx, e, true)
}

/** Time passed: requests past their timeout fail (softly); probes and STOREs past their late window for good. */
export const onTick = (s: Draft, fx: Fx): void => {
  if (!InFlight.anyDue(s.inFlight, s.now)) return
  const { inFlight, timedOut, dropped } = InFlight.expire(s.inFlight, s.now)
  if (inFlight === s.inFlight) return
  s.inFlight = inFlight
  s.metrics.rpcsTimedOut += timedOut.length
  for (const e of timedOut) {
    if (e.peer !== undefined && e.purpose._tag !== 'Probe') Peers.failed(s, fx, e.peer)
    failedEntry(s, fx, e, false)
  }
  for (const e of dropped) if (e.purpose._tag === 'Probe' || e.purpose._tag === 'Store') failedEntry(s, fx, e, true)
}

/** A ping of task `id` (a user's PingRequested or one bootstrap ping) settled. */
const pinged = (s: Draft, fx: Fx, id: number, peer: NodeId.NodeId | undefined, rtt: Time.Duration, ok: boolean): void => {
  const task = s.tasks.get(id)
  if (task === undefined) return
  if (task._tag === 'Pinging') {
    fx.push({
      _tag: 'Complete',
      opId: task.opId,
      outcome: ok && peer !== undefined ? { _tag: 'Pinged', id: peer, rtt } : { _tag: 'Failed', reason: 'Timeout' },
    })
    return Lookups.setTask(s, id, undefined)
  }
  if (task._tag !== 'Bootstrapping') return
  const next = { ...task, pending: task.pending - 1, answered: task.answered + (ok ? 1 : 0) }
  if (next.pending > 0) return Lookups.setTask(s, id, next)
  Lookups.setTask(s, id, undefined)
  if (next.answered === 0) {
    fx.push({ _tag: 'Complete', opId: task.opId, outcome: { _tag: 'Failed', reason: 'NoPeers' } })
    return
  }
  // §2.3 join: look up our own id (then refresh the buckets farther than our closest neighbour).
  Lookups.start(s, fx, s.id, { _tag: 'Join', opId: task.opId }, false)
}
