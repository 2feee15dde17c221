/**
 * The canonical trace records of the engine: which words each handled event and each effect
 * contributes to the trace hash (see `trace.ts`). Codes are fixed numbers, never derived from
 * iteration order, so the hash is stable across runs and platforms.
 */
import type { Effect, Message } from '@kademlia-ts/core'
import type { Trace } from './trace.js'
import { indexOfAddress } from './addresses.js'

// model

export const MESSAGE_CODE: Readonly<Record<string, number>> = {
  Ping: 1, Pong: 2, Store: 3, Stored: 4, FindNode: 5, Nodes: 6, FindValue: 7, ValueFound: 8,
}
export const OUTCOME_CODE: Readonly<Record<string, number>> = {
  Found: 1, NotFound: 2, Stored: 3, NodesFound: 4, Pinged: 5, Bootstrapped: 6, Refreshed: 7, Restored: 8, Failed: 9,
}
export const NOTE_CODE: Readonly<Record<string, number>> = {
  ContactAdded: 1, ContactEvicted: 2, BucketSplit: 3, LookupProgressed: 4, LookupFinished: 5,
  RecordStored: 6, RecordExpired: 7, RecordRemoved: 8, MessageIgnored: 9,
}

// queries

/** An event: kind and message tag, virtual time, node, and for deliveries the sender and RPC id prefix. */
export const event = (trace: Trace, kind: number, at: number, node: number, from: number, msg: Message.Message | undefined): void => {
  trace.word((kind << 24) | (msg === undefined ? 0 : (MESSAGE_CODE[msg._tag] ?? 0)))
  trace.word(at)
  trace.word(node)
  if (msg !== undefined) {
    trace.word(from)
    trace.bytes4(msg.rpcId, 0)
  }
}

/** An effect: Send (tag, destination, RPC id prefix), Complete (outcome, opId, hops or replicas), Notify (tag). */
export const effect = (trace: Trace, eff: Effect): void => {
  switch (eff._tag) {
    case 'Send':
      trace.word(0x100 | (MESSAGE_CODE[eff.message._tag] ?? 0))
      trace.word(indexOfAddress(eff.to))
      trace.bytes4(eff.message.rpcId, 0)
      break
    case 'Complete': {
      const o = eff.outcome
      trace.word(0x200 | (OUTCOME_CODE[o._tag] ?? 0))
      trace.word(eff.opId)
      trace.word(o._tag === 'Found' || o._tag === 'NodesFound' ? o.hops : o._tag === 'Stored' ? o.replicas : 0)
      break
    }
    case 'Notify':
      trace.word(0x300 | (NOTE_CODE[eff.notification._tag] ?? 0))
      break
  }
}
