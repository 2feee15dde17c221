/**
 * The requests we sent and still wait for, keyed by the hex of their RPC id (paper §2.3: a reply
 * echoes the id). A reply counts only if its id is here AND it comes from the address we sent
 * to. Each entry has two deadlines: at `deadline` (the adaptive timeout) the request is declared
 * timed out and its purpose is told so; the entry is kept until `sentAt + lateWindow` so that a
 * late reply is still used (paper §2.3: "removed from consideration until and unless they do
 * respond"), then dropped.
 *
 * Generic in `P`, the purpose the node attaches to each request.
 */
import * as Address from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type { Tag } from './message.js'
import * as RpcId from './rpc-id.js'
import type { Duration, Instant } from '../time.js'
import * as Time from '../time.js'

// model

export interface Entry<P> {
  readonly rpcId: RpcId.RpcId
  readonly to: Address.Address
  /** The node id we expect to answer, when we know it. */
  readonly peer: NodeId | undefined
  readonly request: Tag
  readonly purpose: P
  readonly sentAt: Instant
  /** The adaptive timeout: when reached, the request counts as failed for its purpose. */
  readonly deadline: Instant
  /** When the entry is dropped; replies until then are still accepted as late. */
  readonly expiresAt: Instant
  readonly timedOut: boolean
}

export interface InFlight<P> {
  readonly entries: ReadonlyMap<string, Entry<P>>
}

export type Settled<P> =
  | { readonly _tag: 'Answered'; readonly entry: Entry<P>; readonly late: boolean }
  | { readonly _tag: 'UnknownRpcId' }
  | { readonly _tag: 'WrongAddress'; readonly entry: Entry<P> }

// constructors

export const empty = <P>(): InFlight<P> => ({ entries: new Map() })

// queries

export const size = <P>(f: InFlight<P>): number => f.entries.size

export const get = <P>(f: InFlight<P>, rpcId: RpcId.RpcId): Entry<P> | undefined => f.entries.get(RpcId.toKey(rpcId))

/** The earliest instant at which `expire` has work to do. */
export const nextDeadline = <P>(f: InFlight<P>): Instant | undefined => {
  let next: Instant | undefined
  for (const e of f.entries.values()) next = Time.earliest(next, e.timedOut ? e.expiresAt : e.deadline)
  return next
}

export const entries = <P>(f: InFlight<P>): IterableIterator<Entry<P>> => f.entries.values()

// transitions

/** Records a request sent at `at`, timing out after `timeout` and accepted late until `lateWindow`. */
export const register = <P>(
  f: InFlight<P>,
  req: { rpcId: RpcId.RpcId; to: Address.Address; peer: NodeId | undefined; request: Tag; purpose: P },
  at: Instant,
  timeout: Duration,
  lateWindow: Duration,
): InFlight<P> => {
  const entry: Entry<P> = {
    rpcId: req.rpcId,
    to: req.to,
    peer: req.peer,
    request: req.request,
    purpose: req.purpose,
    sentAt: at,
    deadline: Time.add(at, timeout),
    expiresAt: Time.add(at, timeout > lateWindow ? timeout : lateWindow),
    timedOut: false,
  }
  const entries = new Map(f.entries)
  entries.set(RpcId.toKey(req.rpcId), entry)
  return { entries }
}

/**
 * A reply with `rpcId` arrived from `from`: removes the entry when it matches (id in flight and
 * the address we sent to). A reply from another address leaves the entry in place (a forger must
 * not be able to cancel a genuine pending reply).
 */
export const settle = <P>(
  f: InFlight<P>,
  rpcId: RpcId.RpcId,
  from: Address.Address,
): { readonly inFlight: InFlight<P>; readonly settled: Settled<P> } => {
  const key = RpcId.toKey(rpcId)
  const entry = f.entries.get(key)
  if (entry === undefined) return { inFlight: f, settled: { _tag: 'UnknownRpcId' } }
  if (!Address.equals(entry.to, from)) return { inFlight: f, settled: { _tag: 'WrongAddress', entry } }
  const entries = new Map(f.entries)
  entries.delete(key)
  return { inFlight: { entries }, settled: { _tag: 'Answered', entry, late: entry.timedOut } }
}

/** Removes the entry (e.g. the driver could not send it); returns it when it was there. */
export const remove = <P>(
  f: InFlight<P>,
  rpcId: RpcId.RpcId,
): { readonly inFlight: InFlight<P>; readonly removed: Entry<P> | undefined } => {
  const key = RpcId.toKey(rpcId)
  const entry = f.entries.get(key)
  if (entry === undefined) return { inFlight: f, removed: undefined }
  const entries = new Map(f.entries)
  entries.delete(key)
  return { inFlight: { entries }, removed: entry }
}

/**
 * Advances time to `at`: entries whose deadline passed become `timedOut` (returned in
 * `timedOut`, in send order), entries whose late window passed are dropped (returned in
 * `dropped`).
 */
export const expire = <P>(
  f: InFlight<P>,
  at: Instant,
): { readonly inFlight: InFlight<P>; readonly timedOut: ReadonlyArray<Entry<P>>; readonly dropped: ReadonlyArray<Entry<P>> } => {
  const timedOut: Entry<P>[] = []
  const dropped: Entry<P>[] = []
  let entries: Map<string, Entry<P>> | undefined
  for (const [key, e] of f.entries) {
    if (e.timedOut ? Time.isReached(e.expiresAt, at) : Time.isReached(e.deadline, at)) {
      entries ??= new Map(f.entries)
      if (!e.timedOut) {
        timedOut.push(e)
        if (Time.isReached(e.expiresAt, at)) {
          entries.delete(key)
          dropped.push(e)
        } else entries.set(key, { ...e, timedOut: true })
      } else {
        entries.delete(key)
        dropped.push(e)
      }
    }
  }
  return entries === undefined ? { inFlight: f, timedOut, dropped } : { inFlight: { entries }, timedOut, dropped }
}
