/**
 * Plain counters a node keeps about its own traffic: what it received, answered, ignored (and
 * why), sent, and how its RPCs ended. Read with `Node.metrics`; they never influence the protocol.
 */
import type { IgnoreReason } from './effect.js'

// model

export interface Metrics {
  readonly messagesReceived: number
  readonly requestsAnswered: number
  /** Replies that matched a request in flight (RPC id and address). */
  readonly repliesAccepted: number
  /** Of those, replies that came after the request's timeout (still used). */
  readonly repliesLate: number
  /** Messages ignored, by reason. */
  readonly ignored: Readonly<Record<IgnoreReason, number>>
  readonly rpcsSent: number
  readonly rpcsTimedOut: number
  /** Requests the driver could not send (`SendFailed`). */
  readonly rpcsFailed: number
  readonly lookupsStarted: number
  readonly lookupsFinished: number
}

/** Counters being updated by one step: a fresh copy (`copy`) that the step owns until it returns. */
export type Draft = { -readonly [K in keyof Metrics]: Metrics[K] }

// constructors

export const zero: Metrics = {
  messagesReceived: 0,
  requestsAnswered: 0,
  repliesAccepted: 0,
  repliesLate: 0,
  ignored: { UnknownRpcId: 0, WrongAddress: 0, UnexpectedReply: 0, OwnId: 0, Invalid: 0, WrongSender: 0, StoreFull: 0 },
  rpcsSent: 0,
  rpcsTimedOut: 0,
  rpcsFailed: 0,
  lookupsStarted: 0,
  lookupsFinished: 0,
}

/** A fresh copy with every field in the same order: one hidden class for all metrics records. */
export const copy = (m: Metrics): Draft => ({
  messagesReceived: m.messagesReceived,
  requestsAnswered: m.requestsAnswered,
  repliesAccepted: m.repliesAccepted,
  repliesLate: m.repliesLate,
  ignored: m.ignored,
  rpcsSent: m.rpcsSent,
  rpcsTimedOut: m.rpcsTimedOut,
  rpcsFailed: m.rpcsFailed,
  lookupsStarted: m.lookupsStarted,
  lookupsFinished: m.lookupsFinished,
})

// transitions

/** `m` (a copy the caller owns) with one more message ignored for `reason`; the shared `ignored` record is copied. */
export const ignore = (m: Draft, reason: IgnoreReason): void => {
  const ignored: { -readonly [R in IgnoreReason]: number } = { ...m.ignored }
  ignored[reason] += 1
  m.ignored = ignored
}
