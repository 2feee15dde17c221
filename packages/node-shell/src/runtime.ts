/**
 * **The drain loop.** One queue of events, one `NodeState`, one timer:
 *
 *   datagram ─► Wire.decode ─► MessageReceived ─┐
 *   API call ─► *Requested { opId } ────────────┼─► queue ─► Node.step ─► interpret effects in order
 *   timer    ─► Ticked ─────────────────────────┘                         └─► re-arm the timer at nextDeadline
 *
 * Every event is stamped with the clock when it enters the queue, so the core sees a
 * non-decreasing time line. `step` runs to completion before the next event is taken; events
 * raised while interpreting (a failed send, a listener calling the API) wait in the queue. Effects
 * are carried out exactly in the order the core gives them:
 * - `Send`: encoded and sent from the listening socket of the destination's family. An address we
 *   cannot send to, or a socket error, becomes `SendFailed` (for requests; a lost reply is just a
 *   lost datagram, as on the network).
 * - `Notify`: record and contact notifications are mirrored to the storage first (records with
 *   wall-clock instants, `Clock.toWall`; synchronously:
 *   a STORE's `RecordStored` precedes its `Stored` reply, so the record is durable before the
 *   acknowledgement leaves), then handed to the observer. If the storage throws, the `Stored`
 *   replies of that step are withheld: we never acknowledge what we could not keep.
 * - `Complete`: resolves the pending promise of its `opId`.
 * The one timer is re-armed only when the deadline moves earlier than it (or it fired).
 * Nothing here chooses timeouts, retries or evictions: those live in the core's state.
 */
import * as E from 'fp-ts/lib/Either.js'
import { Node, Time, Wire } from '@kademlia-ts/core'
import type { Address, Effect, Event, Message, Notification, OpId, Outcome } from '@kademlia-ts/core'
import type { RemoteInfo } from 'node:dgram'
import * as Addr from './address.js'
import * as Intern from './intern.js'
import { moveRecord, type Clock } from './clock.js'
import { AbortError, ServerStoppedError, StorageError } from './errors.js'
import type { RecordStorage } from './storage/storage.js'
import type { Transport } from './transport.js'

// model

export type NodeState = ReturnType<typeof Node.init>

/** Counters of the shell itself (the core keeps its own, `Node.metrics`). */
export interface ShellCounters {
  datagramsIn: number
  datagramsOut: number
  bytesIn: number
  bytesOut: number
  /** Datagrams that did not decode, by `DecodeError` tag. */
  readonly malformed: Record<string, number>
  /** Requests that could not be sent (unusable address, no socket of that family, socket error). */
  sendFailures: number
  /** Replies that failed to send (not reported to the core: a lost reply is a lost datagram). */
  replySendFailures: number
  /** `Stored` acknowledgements withheld because the storage failed. */
  acksWithheld: number
  storageErrors: number
}

export interface RuntimeObserver {
  /** Every notification, after the storage mirrored it. */
  readonly notified: (n: Notification) => void
  /** A datagram was dropped before reaching the core. */
  readonly dropped: (from: Address.Address, reason: string) => void
  readonly sendFailed: (to: Address.Address, error: string) => void
  readonly error: (e: Error) => void
}

interface Pending {
  readonly resolve: (o: Outcome) => void
  readonly reject: (e: Error) => void
  readonly cleanup: () => void
}

/** setTimeout's largest delay; a longer wait re-arms when it fires (an early `Ticked` does nothing). */
const MAX_DELAY_MS = 2 ** 31 - 1

export class Runtime {
  #state: NodeState
  readonly #clock: Clock
  readonly #storage: RecordStorage
  readonly #observer: RuntimeObserver
  #transport: Transport | undefined
  readonly #queue: Array<Event> = []
  #draining = false
  #stopped = false
  #nextOpId = 1
  readonly #pending = new Map<number, Pending>()
  #timer: NodeJS.Timeout | undefined
  #timerAt: number | undefined
  /** A shell chore (periodic state saving) shares the one timer. */
  #chore: { at: number; readonly run: () => void } | undefined
  #storageFailedThisStep = false
  readonly counters: ShellCounters = {
    datagramsIn: 0,
    datagramsOut: 0,
    bytesIn: 0,
    bytesOut: 0,
    malformed: {},
    sendFailures: 0,
    replySendFailures: 0,
    acksWithheld: 0,
    storageErrors: 0,
  }

  constructor(state: NodeState, clock: Clock, storage: RecordStorage, observer: RuntimeObserver) {
    this.#state = state
    this.#clock = clock
    this.#storage = storage
    this.#observer = observer
  }

  // queries

  get state(): NodeState {
    return this.#state
  }

  get stopped(): boolean {
    return this.#stopped
  }

  get pendingOperations(): number {
    return this.#pending.size
  }

  // transitions

  /**
   * Starts carrying datagrams: sends go through `transport` from now on, and the timer starts.
   * Before this, the loop runs only what needs no network (restoring records) and arms no timer,
   * so a server that never listens keeps nothing alive.
   */
  attach(transport: Transport): void {
    this.#transport = transport
    this.#rearm()
  }

  /** The socket callback: count, decode, enqueue. Malformed datagrams are counted, never thrown. */
  readonly datagram = (bytes: Uint8Array, rinfo: RemoteInfo): void => {
    if (this.#stopped) return
    this.counters.datagramsIn++
    this.counters.bytesIn += bytes.byteLength
    const from = Addr.fromRemote(rinfo)
    const decoded = decode(bytes)
    if (E.isLeft(decoded)) {
      const tag = decoded.left
      this.counters.malformed[tag] = (this.counters.malformed[tag] ?? 0) + 1
      this.#observer.dropped(from, tag)
      return
    }
    this.#enqueue({ _tag: 'MessageReceived', at: this.#clock.now(), from, message: Intern.message(decoded.right) })
  }

  /**
   * Issues a user command: `make` builds the event with a fresh opId; the promise settles with the
   * outcome of the one `Complete` for it. An aborted `signal` sends `Cancelled` (the core then
   * completes with `Failed { Cancelled }`, which the caller maps to `AbortError`).
   */
  command(make: (opId: OpId, at: Time.Instant) => Event, signal?: AbortSignal): Promise<Outcome> {
    if (this.#stopped) return Promise.reject(new ServerStoppedError())
    if (signal?.aborted === true) return Promise.reject(new AbortError({ cause: signal.reason }))
    const opId = this.#nextOpId++ as OpId
    return new Promise<Outcome>((resolve, reject) => {
      const onAbort = (): void => this.#enqueue({ _tag: 'Cancelled', opId, at: this.#clock.now() })
      signal?.addEventListener('abort', onAbort, { once: true })
      this.#pending.set(opId, { resolve, reject, cleanup: () => signal?.removeEventListener('abort', onAbort) })
      this.#enqueue(make(opId, this.#clock.now()))
    })
  }

  /** Runs `run` at `at` (or never, with `undefined`), on the same single timer as the core. */
  setChore(chore: { readonly at: number; readonly run: () => void } | undefined): void {
    this.#chore = chore === undefined ? undefined : { ...chore }
    this.#rearm()
  }

  /** Stops the loop: no more events, the timer is cleared, pending operations reject. */
  stop(): void {
    if (this.#stopped) return
    this.#stopped = true
    this.#queue.length = 0
    this.#clearTimer()
    this.#chore = undefined
    const pending = [...this.#pending.values()]
    this.#pending.clear()
    for (const p of pending) {
      p.cleanup()
      p.reject(new ServerStoppedError())
    }
  }

  #enqueue(event: Event): void {
    if (this.#stopped) return
    this.#queue.push(event)
    if (!this.#draining) this.#drain()
  }

  #drain(): void {
    this.#draining = true
    try {
      // Bounded: each event is taken once; effects may enqueue more, each of which is a distinct
      // fact (a send failure, a cancellation), and the core never asks for an unbounded cascade.
      for (let i = 0; i < this.#queue.length && !this.#stopped; i++) {
        const event = this.#queue[i] as Event
        const { state, effects } = Node.step(this.#state, event)
        this.#state = state
        this.#storageFailedThisStep = false
        for (const effect of effects) this.#interpret(effect)
      }
    } finally {
      this.#queue.length = 0
      this.#draining = false
    }
    this.#rearm()
  }

  #interpret(effect: Effect): void {
    switch (effect._tag) {
      case 'Send':
        return this.#send(effect.to, effect.message)
      case 'Notify':
        return this.#notify(effect.notification)
      case 'Complete':
        return this.#complete(effect.opId, effect.outcome)
      default:
        return assertNever(effect)
    }
  }

  #send(to: Address.Address, message: Extract<Effect, { _tag: 'Send' }>['message']): void {
    // A listener may have stopped the server in the middle of this step's effects.
    if (this.#stopped) return
    if (message._tag === 'Stored' && this.#storageFailedThisStep) {
      this.counters.acksWithheld++
      return
    }
    const isRequest = message._tag === 'Ping' || message._tag === 'Store' || message._tag === 'FindNode' || message._tag === 'FindValue'
    const endpoint = Addr.toEndpoint(to)
    const transport = this.#transport
    if (endpoint === undefined) return this.#sendFailed(isRequest, to, message.rpcId, `${JSON.stringify(to)} is not an address we can send to`)
    if (transport === undefined || !transport.canReach(endpoint.family)) {
      return this.#sendFailed(isRequest, to, message.rpcId, `no IPv${endpoint.family} socket is listening`)
    }
    const bytes = Wire.encode(message)
    this.counters.datagramsOut++
    this.counters.bytesOut += bytes.byteLength
    transport.send(endpoint, bytes, (error) => {
      if (error !== null && !this.#stopped) this.#sendFailed(isRequest, to, message.rpcId, error.message)
    })
  }

  /** A request that could not leave becomes `SendFailed` for the core; a lost reply is only counted. */
  #sendFailed(isRequest: boolean, to: Address.Address, rpcId: Message.Message['rpcId'], error: string): void {
    if (isRequest) {
      this.counters.sendFailures++
      this.#observer.sendFailed(to, error)
      this.#enqueue({ _tag: 'SendFailed', at: this.#clock.now(), to, rpcId })
    } else {
      this.counters.replySendFailures++
      this.#observer.sendFailed(to, error)
    }
  }

  #notify(n: Notification): void {
    try {
      switch (n._tag) {
        case 'RecordStored':
          this.#storage.recordStored(moveRecord(n.record, this.#clock.toWall))
          break
        case 'RecordExpired':
        case 'RecordRemoved':
          this.#storage.recordRemoved(n.key)
          break
        case 'ContactAdded':
          this.#storage.contactAdded(n.contact.id, n.contact.address)
          break
        case 'ContactEvicted':
          // A replacement arrives as its own ContactAdded notification.
          this.#storage.contactEvicted(n.contact.id)
          break
        default:
          break
      }
    } catch (e) {
      if (n._tag === 'RecordStored') this.#storageFailedThisStep = true
      this.counters.storageErrors++
      this.#observer.error(e instanceof StorageError ? e : new StorageError(`storage failed on ${n._tag}: ${(e as Error).message}`, { cause: e }))
    }
    this.#observer.notified(n)
  }

  #complete(opId: OpId, outcome: Outcome): void {
    const pending = this.#pending.get(opId)
    if (pending === undefined) return
    this.#pending.delete(opId)
    pending.cleanup()
    pending.resolve(outcome)
  }

  #rearm(): void {
    if (this.#stopped || this.#draining || this.#transport === undefined) return
    const deadline = Time.earliest(Node.nextDeadline(this.#state), this.#chore === undefined ? undefined : Time.instant(this.#chore.at))
    if (deadline === undefined) return this.#clearTimer()
    // An armed timer that fires no later than the deadline is kept: when it fires early, `Ticked`
    // finds nothing due and the timer is re-armed then. Most events (a request sent, a reply
    // received) only push the deadline later, so the timer is re-armed about once per firing
    // instead of once per event.
    if (this.#timer !== undefined && this.#timerAt !== undefined && this.#timerAt <= deadline) return
    this.#clearTimer()
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, deadline - this.#clock.now()))
    this.#timerAt = deadline
    this.#timer = setTimeout(this.#fire, delay)
  }

  readonly #fire = (): void => {
    this.#timer = undefined
    this.#timerAt = undefined
    if (this.#stopped) return
    const at = this.#clock.now()
    const chore = this.#chore
    if (chore !== undefined && at >= chore.at) {
      this.#chore = undefined
      chore.run()
    }
    this.#enqueue({ _tag: 'Ticked', at })
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    this.#timer = undefined
    this.#timerAt = undefined
  }
}

/**
 * `Wire.decode` is total (it returns a `DecodeError`, never throws); should that promise ever
 * break, the datagram is still only dropped and counted (`DecoderThrew`), never fatal: this runs
 * in the socket's callback, where an exception would take the whole node down.
 */
const decode = (bytes: Uint8Array): E.Either<string, Message.Message> => {
  try {
    const d = Wire.decode(bytes)
    return E.isLeft(d) ? E.left(d.left._tag) : d
  } catch {
    return E.left('DecoderThrew')
  }
}

const assertNever = (x: never): never => {
  throw new Error(`unexpected effect ${JSON.stringify(x)}`)
}
