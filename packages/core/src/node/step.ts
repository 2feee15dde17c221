/**
 * `step`: the node reducer's dispatcher. One event in, the next state and the effects out, in
 * the order the driver must carry them out. Total: every input, however malformed, yields a
 * state (possibly the same) and effects, never an exception; the input state is never mutated.
 *
 * Time: the state's clock moves to `event.at` (never backwards: an event stamped earlier than
 * one already seen is applied at the later instant; a non-finite `at` or one past 2^52 ms is
 * ignored and the event applied at the current instant). Requests whose timeout passed are expired
 * before any event is handled, so a reply never races its own timeout within one step.
 */
import * as Message from '../rpc/message.js'
import * as RpcId from '../rpc/rpc-id.js'
import type { Instant } from '../time.js'
import * as Time from '../time.js'
import * as Commands from './commands.js'
import type { Effect } from './effect.js'
import type { Event } from './event.js'
import * as Maintenance from './maintenance.js'
import * as Replies from './replies.js'
import * as Requests from './requests.js'
import type { Fx } from './send.js'
import * as State from './state.js'
import type { NodeState } from './state.js'
import * as Validate from './validate.js'

// model

export interface Step {
  readonly state: NodeState
  readonly effects: ReadonlyArray<Effect>
}

// transitions

/** Instants past 2^52 ms (142 000 years) would lose whole milliseconds in deadline arithmetic. */
const MAX_INSTANT = 2 ** 52

/** The instant the event is applied at (never earlier than `s.now`). */
const timeOf = (s: NodeState, at: unknown): Instant => {
  if (typeof at !== 'number' || !Number.isFinite(at) || at > MAX_INSTANT) return s.now
  const t = Time.instant(at)
  return t > s.now ? t : s.now
}

export const step = (state: NodeState, event: Event): Step => {
  const fx: Fx = []
  if (typeof event !== 'object' || event === null) return { state, effects: fx }
  // The one copy of the state this step makes; the handlers update it in place (see State.Draft).
  const s = State.draft(state, timeOf(state, event.at))
  // Timeouts first, so a late reply is seen as late and the deadlines in state are never past.
  Replies.onTick(s, fx)
  switch (event._tag) {
    case 'MessageReceived': {
      s.metrics.messagesReceived++
      const { from, message } = event
      if (!Validate.isAddress(from)) break
      if (!Validate.isMessage(message)) {
        Replies.ignored(s, fx, from, 'Invalid')
        break
      }
      if (Message.isRequest(message)) Requests.onRequest(s, fx, from, message)
      else Replies.onResponse(s, fx, from, message)
      break
    }
    case 'SendFailed':
      if (Validate.isAddress(event.to) && RpcId.isRpcId(event.rpcId)) Replies.onSendFailed(s, fx, event.to, event.rpcId)
      break
    case 'Ticked':
      Maintenance.onTick(s, fx)
      break
    case 'BootstrapRequested':
    case 'GetRequested':
    case 'PutRequested':
    case 'PingRequested':
    case 'FindNodeRequested':
    case 'RefreshRequested':
    case 'RecordsRestored':
    case 'Cancelled':
      Commands.onCommand(s, fx, event)
      break
    default:
      break
  }
  return { state: s, effects: fx }
}
