/**
 * fast-check arbitraries for what a node is fed: contacts, routing tables, events of every kind
 * and event sequences with non-decreasing `at`, including garbage messages from arbitrary
 * addresses. Built only from fast-check generators, so every value shrinks and replays from the
 * seed fast-check prints.
 *
 * Commands in a sequence carry distinct `opId`s (1, 2, … in order), as a driver guarantees; a
 * `Cancelled` names one of the opIds issued before it (or one never issued).
 */
import * as fc from 'fast-check'
import * as Address from '../address.js'
import type { NodeId } from '../id/node-id.js'
import type { Event, OpId } from '../node/event.js'
import { opId } from '../node/event.js'
import type { Message } from '../rpc/message.js'
import type { Value } from '../rpc/value.js'
import * as Contact from '../routing-table/contact.js'
import * as RoutingTable from '../routing-table/routing-table.js'
import type { Origin, StoredRecord } from '../store/record.js'
import * as Time from '../time.js'
import type { Instant } from '../time.js'
import { arbAddress, arbMessage, arbRpcId, arbValue } from './message-arbitraries.js'
import { nodeIdArb, nodeIdNearArb, stepMillisArb } from './routing-arbitraries.js'

// model

/** An event without its instant: `eventSequenceArb` stamps it. */
export type Timeless = Event extends infer E ? (E extends Event ? Omit<E, 'at'> : never) : never

// constructors

/** Any address a datagram may come from: an oracle network's `n<i>` or any of `arbAddress`. */
export const anyAddressArb: fc.Arbitrary<Address.Address> = fc.oneof(
  fc.nat({ max: 300 }).map((i) => Address.of(`n${i}`)),
  arbAddress,
)

/** A contact with any id, any address, a last-seen instant and a few failures. */
export const contactArb: fc.Arbitrary<Contact.Contact> = fc
  .tuple(nodeIdArb, anyAddressArb, fc.integer({ min: 0, max: 2 ** 40 }), fc.nat({ max: 8 }))
  .map(([id, address, lastSeen, failures]) => Contact.of(id, address, Time.instant(lastSeen), failures))

export interface RoutingTableOptions {
  /** Whose table; default any id. */
  readonly self?: NodeId
  readonly config?: RoutingTable.Config
  /** Most peers observed; default 120. */
  readonly maxPeers?: number
}

/**
 * A routing table reached through the public transitions: `RoutingTable.observe` of peers (ids
 * biased to share long prefixes with `self`, so deep buckets fill and split) at non-decreasing
 * instants, some followed by `markFailed`. Full buckets leave newcomers cached with a probe
 * pending, as they would in a node.
 */
export const routingTableArb = (options: RoutingTableOptions = {}): fc.Arbitrary<RoutingTable.RoutingTable> =>
  (options.self === undefined ? nodeIdArb : fc.constant(options.self)).chain((self) =>
    fc
      .array(
        fc.record({
          id: nodeIdNearArb(self, 32),
          address: fc.nat({ max: 500 }).map((i) => Address.of(`n${i}`)),
          gap: stepMillisArb,
          fails: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat({ max: 6 }) }),
        }),
        { maxLength: options.maxPeers ?? 120, size: 'max' },
      )
      .map((peers) => {
        let at = Time.ZERO
        let t = RoutingTable.empty(self, options.config ?? RoutingTable.defaultConfig, at)
        for (const p of peers) {
          at = Time.add(at, Time.millis(p.gap))
          t = RoutingTable.observe(t, { id: p.id, address: p.address }, at).table
          for (let i = 0; i < p.fails; i++) t = RoutingTable.markFailed(t, p.id, at).table
        }
        return t
      }),
  )

const originArb: fc.Arbitrary<Origin> = fc.constantFrom('Published', 'Replica', 'Cached')

/** A record as a driver might restore it: any key and value, storage before expiry. */
export const storedRecordArb: fc.Arbitrary<StoredRecord> = fc
  .tuple(nodeIdArb, arbValue, originArb, fc.integer({ min: 0, max: 2 ** 40 }), fc.integer({ min: 0, max: 2 ** 37 }))
  .map(([key, value, origin, storedAt, life]) => ({
    key,
    value,
    origin,
    storedAt: Time.instant(storedAt),
    expiresAt: Time.instant(storedAt + life),
  }))

/** A datagram from any address carrying any well-typed message: almost always garbage to a node. */
export const garbageArb: fc.Arbitrary<Timeless> = fc
  .tuple(anyAddressArb, arbMessage)
  .map(([from, message]: readonly [Address.Address, Message]) => ({ _tag: 'MessageReceived', from, message }))

/** A `SendFailed` for an RPC id that may or may not be in flight. */
export const sendFailedArb: fc.Arbitrary<Timeless> = fc
  .tuple(anyAddressArb, arbRpcId)
  .map(([to, rpcId]) => ({ _tag: 'SendFailed', to, rpcId }))

export const tickedArb: fc.Arbitrary<Timeless> = fc.constant({ _tag: 'Ticked' })

/** Every user command; `opId` is a placeholder that `eventSequenceArb` renumbers. */
export const commandArb = (addresses: fc.Arbitrary<Address.Address> = anyAddressArb): fc.Arbitrary<Timeless> => {
  const op = opId(0)
  return fc.oneof(
    fc.array(addresses, { maxLength: 5 }).map((contacts) => ({ _tag: 'BootstrapRequested' as const, opId: op, contacts })),
    nodeIdArb.map((key) => ({ _tag: 'GetRequested' as const, opId: op, key })),
    fc.tuple(nodeIdArb, arbValue).map(([key, value]: readonly [NodeId, Value]) => ({ _tag: 'PutRequested' as const, opId: op, key, value })),
    addresses.map((address) => ({ _tag: 'PingRequested' as const, opId: op, address })),
    nodeIdArb.map((target) => ({ _tag: 'FindNodeRequested' as const, opId: op, target })),
    fc.constant({ _tag: 'RefreshRequested' as const, opId: op }),
    fc.array(storedRecordArb, { maxLength: 4 }).map((records) => ({ _tag: 'RecordsRestored' as const, opId: op, records })),
    fc.nat({ max: 40 }).map((n) => ({ _tag: 'Cancelled' as const, opId: opId(n) })),
  )
}

/** An event of any kind, without its instant: garbage messages, failed sends, ticks and commands. */
export const timelessEventArb = (addresses: fc.Arbitrary<Address.Address> = anyAddressArb): fc.Arbitrary<Timeless> =>
  fc.oneof(
    { weight: 4, arbitrary: garbageArb },
    { weight: 1, arbitrary: sendFailedArb },
    { weight: 2, arbitrary: tickedArb },
    { weight: 3, arbitrary: commandArb(addresses) },
  )

/** One event of any kind at any instant. */
export const eventArb: fc.Arbitrary<Event> = fc
  .tuple(timelessEventArb(), fc.integer({ min: 0, max: 2 ** 40 }))
  .map(([e, at]) => ({ ...e, at: Time.instant(at) }) as Event)

export interface SequenceOptions {
  /** The first instant; default 0. */
  readonly start?: Instant
  readonly maxLength?: number
  /** Where commands point (bootstrap contacts, pings); default any address. */
  readonly addresses?: fc.Arbitrary<Address.Address>
  /** The events to draw from; default `timelessEventArb(addresses)`. */
  readonly events?: fc.Arbitrary<Timeless>
}

/**
 * A sequence of events at non-decreasing instants (gaps of 0 ms to 2 min), commands numbered
 * 1, 2, … in order.
 */
export const eventSequenceArb = (options: SequenceOptions = {}): fc.Arbitrary<ReadonlyArray<Event>> =>
  fc
    .array(fc.tuple(stepMillisArb, options.events ?? timelessEventArb(options.addresses)), {
      maxLength: options.maxLength ?? 60,
    })
    .map((steps) => {
      let at = options.start ?? Time.ZERO
      let commands = 0
      return steps.map(([gap, e]): Event => {
        at = Time.add(at, Time.millis(gap))
        if (!('opId' in e)) return { ...e, at } as Event
        const id: OpId = e._tag === 'Cancelled' ? opId(1 + (e.opId % (commands + 1))) : opId(++commands)
        return { ...e, at, opId: id } as Event
      })
    })
