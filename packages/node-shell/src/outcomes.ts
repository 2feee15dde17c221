/**
 * From the core's outcomes to the Server API's results: peers in the API's shape, and `Failed`
 * outcomes as typed errors.
 */
import type { Address, NodeId, Outcome } from '@kademlia-ts/core'
import * as Addr from './address.js'
import {
  AbortError,
  InvalidArgumentError,
  KademliaError,
  LookupFailedError,
  NoReplicasError,
  TimeoutError,
  ValueTooLargeError,
} from './errors.js'
import type { Peer } from './server-types.js'

export const toPeer = (p: { readonly id: NodeId.NodeId; readonly address: Address.Address }): Peer => {
  const e = Addr.toEndpoint(p.address)
  return { id: p.id, address: p.address, host: e?.host ?? '', port: e?.port ?? 0 }
}

/** Maps a `Failed` outcome (or an unexpected one) of `operation` to its typed error. */
export const failure = (operation: string, outcome: Outcome, signal: AbortSignal | undefined): KademliaError => {
  if (outcome._tag !== 'Failed') return new KademliaError('LOOKUP_FAILED', `${operation}: unexpected outcome ${outcome._tag}`)
  switch (outcome.reason) {
    case 'Cancelled':
      return new AbortError({ cause: signal?.reason })
    case 'TooLarge':
      return new ValueTooLargeError()
    case 'NoReplicas':
      return new NoReplicasError()
    case 'Timeout':
      return new TimeoutError()
    case 'InvalidRequest':
      return new InvalidArgumentError(operation, 'the core refused the request')
    case 'NoPeers':
      return new LookupFailedError('NoPeers', `${operation}: no known peer answered (is the node bootstrapped?)`)
  }
}
