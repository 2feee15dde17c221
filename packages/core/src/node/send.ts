/**
 * Sending requests and replies. Every request gets a fresh RPC id from the state's PRNG and an
 * in-flight entry with its adaptive timeout (see `rpc/rtt.ts`) before its `Send` effect is
 * emitted: no request leaves without a deadline.
 *
 * The node's helpers push effects into `fx`, an array local to one `step` call (never shared,
 * never part of the state), and update the step's draft of the next state in place.
 */
import type { Address } from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type { Message, Request, Response } from '../rpc/message.js'
import * as InFlight from '../rpc/in-flight.js'
import * as RpcId from '../rpc/rpc-id.js'
import * as Rtt from '../rpc/rtt.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import type { Effect } from './effect.js'
import type { Draft, Purpose } from './state.js'

// model

/** The effects of the current step, in order. */
export type Fx = Effect[]

type Body<M> = M extends unknown ? Omit<M, 'rpcId' | 'sender'> : never
export type RequestBody = Body<Request>
export type ResponseBody = Body<Response>

// constructors

/**
 * The message for `body` with its header. Built field by field, per tag, so every message of a
 * type has one shape (spreading the body made objects of many shapes, slow to build and encode).
 */
export const withHeader = (body: RequestBody | ResponseBody, rpcId: RpcId.RpcId, sender: NodeId): Message => {
  switch (body._tag) {
    case 'Ping':
      return { _tag: 'Ping', rpcId, sender }
    case 'Pong':
      return { _tag: 'Pong', rpcId, sender }
    case 'Stored':
      return { _tag: 'Stored', rpcId, sender }
    case 'Store':
      return { _tag: 'Store', rpcId, sender, key: body.key, value: body.value, ttl: body.ttl }
    case 'FindNode':
      return { _tag: 'FindNode', rpcId, sender, target: body.target }
    case 'FindValue':
      return { _tag: 'FindValue', rpcId, sender, key: body.key }
    case 'Nodes':
      return { _tag: 'Nodes', rpcId, sender, contacts: body.contacts }
    case 'ValueFound':
      return { _tag: 'ValueFound', rpcId, sender, value: body.value, ttl: body.ttl }
  }
}

// transitions

/**
 * Sends `body` to `to` (expected to be node `peer` when known) and registers it in flight for
 * `purpose`. The timeout backs off with the contact's failure count (§4.1).
 */
export const request = (
  s: Draft,
  fx: Fx,
  to: Address,
  peer: NodeId | undefined,
  body: RequestBody,
  purpose: Purpose,
): void => {
  const [rpcId, prng] = RpcId.random(s.prng)
  const failures = peer === undefined ? 0 : RoutingTable.failuresOf(s.table, peer)
  const timeout = Rtt.timeoutFor(s.rtt, s.config, failures)
  fx.push({ _tag: 'Send', to, message: withHeader(body, rpcId, s.id) })
  s.prng = prng
  s.inFlight = InFlight.register(s.inFlight, { rpcId, to, peer, request: body._tag, purpose }, s.now, timeout, s.config.maxRpcTimeout)
  s.metrics.rpcsSent++
}

/** Answers the request `rpcId` at `to` (the address it came from). */
export const reply = (s: Draft, fx: Fx, to: Address, rpcId: RpcId.RpcId, body: ResponseBody): void => {
  fx.push({ _tag: 'Send', to, message: withHeader(body, rpcId, s.id) })
  s.metrics.requestsAnswered++
}
