/**
 * Sending requests and replies. Every request gets a fresh RPC id from the state's PRNG and an
 * in-flight entry with its adaptive timeout (see `rpc/rtt.ts`) before its `Send` effect is
 * emitted: no request leaves without a deadline.
 *
 * The node's helpers push effects into `fx`, an array local to one `step` call (never shared,
 * never part of the state); they return the next state.
 */
import type { Address } from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type { Message, Request, Response } from '../rpc/message.js'
import * as InFlight from '../rpc/in-flight.js'
import * as RpcId from '../rpc/rpc-id.js'
import * as Rtt from '../rpc/rtt.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import type { Effect } from './effect.js'
import * as Metrics from './metrics.js'
import type { NodeState, Purpose } from './state.js'

// model

/** The effects of the current step, in order. */
export type Fx = Effect[]

type Body<M> = M extends unknown ? Omit<M, 'rpcId' | 'sender'> : never
export type RequestBody = Body<Request>
export type ResponseBody = Body<Response>

// transitions

/**
 * Sends `body` to `to` (expected to be node `peer` when known) and registers it in flight for
 * `purpose`. The timeout backs off with the contact's failure count (§4.1).
 */
export const request = (
  s: NodeState,
  fx: Fx,
  to: Address,
  peer: NodeId | undefined,
  body: RequestBody,
  purpose: Purpose,
): NodeState => {
  const [rpcId, prng] = RpcId.random(s.prng)
  const failures = peer === undefined ? 0 : (RoutingTable.find(s.table, peer)?.failures ?? 0)
  const timeout = Rtt.timeoutFor(s.rtt, s.config, failures)
  const message = { ...body, rpcId, sender: s.id } as Message
  fx.push({ _tag: 'Send', to, message })
  return {
    ...s,
    prng,
    inFlight: InFlight.register(
      s.inFlight,
      { rpcId, to, peer, request: body._tag, purpose },
      s.now,
      timeout,
      s.config.maxRpcTimeout,
    ),
    metrics: Metrics.bump(s.metrics, 'rpcsSent'),
  }
}

/** Answers the request `rpcId` at `to` (the address it came from). */
export const reply = (s: NodeState, fx: Fx, to: Address, rpcId: RpcId.RpcId, body: ResponseBody): NodeState => {
  fx.push({ _tag: 'Send', to, message: { ...body, rpcId, sender: s.id } as Message })
  return { ...s, metrics: Metrics.bump(s.metrics, 'requestsAnswered') }
}
