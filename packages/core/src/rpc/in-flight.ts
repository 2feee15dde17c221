/**
 * The requests we sent and still wait for (paper §2.3: a reply echoes the RPC id), in send
 * order. A node has few in flight (α per lookup, k STOREs per put, a few probes), so a small
 * array copied on write with a byte-wise id search is cheaper than a Map keyed by hex strings
 * (measured: settle + register were a third of a NODES step with the Map). A reply counts only if its id is here AND it comes from the address we sent
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
  /** In send order. */
  readonly entries: ReadonlyArray<Entry<P>>
}

export type Settled<P> =
  | { readonly _tag: 'Answered'; readonly entry: Entry<P>; readonly late: boolean }
  | { readonly _tag: 'UnknownRpcId' }
  | { readonly _tag: 'WrongAddress'; readonly entry: Entry<P> }

// constructors

export const empty = <P>(): InFlight<P> => ({ entries: [] })

// queries

export const size = <P>(f: InFlight<P>): number => f.entries.length

const indexOf = <P>(f: InFlight<P>, rpcId: RpcId.RpcId): number => {
  const es = f.entries
  const b0 = rpcId[0]
  const b1 = rpcId[1]
  for (let i = 0; i < es.length; i++) {
    const id = (es[i] as Entry<P>).rpcId
    if (id[0] === b0 && id[1] === b1 && RpcId.equals(id, rpcId)) return i
  }
  return -1
}

export const get = <P>(f: InFlight<P>, rpcId: RpcId.RpcId): Entry<P> | undefined => f.entries[indexOf(f, rpcId)]

/** The earliest instant at which `expire` has work to do. */
export const nextDeadline = <P>(f: InFlight<P>): Instant | undefined => {
  let next: Instant | undefined
  for (const e of f.entries) next = Time.earliest(next, e.timedOut ? e.expiresAt : e.deadline)
  return next
}

/** Whether `expire(f, at)` has work to do (allocates nothing). */
export const anyDue = <P>(f: InFlight<P>, at: Instant): boolean => {
  for (const e of f.entries) if (Time.isReached(e.timedOut ? e.expiresAt : e.deadline, at)) return true
  return false
}

// transitions

/** `list` without its element `i`, in one exact-size allocation (a slice then pushes grew it twice). */
const without = <A>(list: ReadonlyArray<A>, i: number): ReadonlyArray<A> => {
  const n = list.length
  const out = new Array<A>(n - 1)
  for (let j = 0; j < i; j++) out[j] = list[j] as A
  for (let j = i + 1; j < n; j++) out[j - 1] = list[j] as A
  return out
}

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
  // one exact-size copy (a slice then a push reallocated it to grow)
  const es = f.entries
  const n = es.length
  const entries = new Array<Entry<P>>(n + 1)
  for (let i = 0; i < n; i++) entries[i] = es[i] as Entry<P>
  entries[n] = entry
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
  const i = indexOf(f, rpcId)
  const entry = f.entries[i]
  if (entry === undefined) return { inFlight: f, settled: { _tag: 'UnknownRpcId' } }
  if (!Address.equals(entry.to, from)) return { inFlight: f, settled: { _tag: 'WrongAddress', entry } }
  return { inFlight: { entries: without(f.entries, i) }, settled: { _tag: 'Answered', entry, late: entry.timedOut } }
}

/** Removes the entry (e.g. the driver could not send it); returns it when it was there. */
export const remove = <P>(
  f: InFlight<P>,
  rpcId: RpcId.RpcId,
): { readonly inFlight: InFlight<P>; readonly removed: Entry<P> | undefined } => {
  const i = indexOf(f, rpcId)
  const entry = f.entries[i]
  if (entry === undefined) return { inFlight: f, removed: undefined }
  return { inFlight: { entries: without(f.entries, i) }, removed: entry }
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
  let entries: Entry<P>[] | undefined
  const es = f.entries
  for (let i = 0; i < es.length; i++) {
    const e = es[i] as Entry<P>
    const due = e.timedOut ? Time.isReached(e.expiresAt, at) : Time.isReached(e.deadline, at)
    if (!due) {
      if (entries !== undefined) entries.push(e)
      continue
    }
    entries ??= es.slice(0, i)
    if (!e.timedOut) timedOut.push(e)
    if (Time.isReached(e.expiresAt, at)) dropped.push(e)
    else entries.push({ ...e, timedOut: true })
  }
  return entries === undefined ? { inFlight: f, timedOut, dropped } : { inFlight: { entries }, timedOut, dropped }
}
