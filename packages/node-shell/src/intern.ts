/**
 * **Process-wide sharing** of the node ids and addresses that arrive in datagrams (DESIGN.md:
 * share what many nodes hold).
 *
 * Every decoded id is a fresh 20-byte `Uint8Array` (about 225 bytes of V8 heap with its buffer)
 * and every sender address a fresh string, so a contact known to 100 nodes of one process was
 * stored 100 times. The runtime passes each decoded message through `message`, which swaps its
 * ids and addresses for the first equal one still alive in the process. Nothing changes for the
 * core: ids are compared by their bytes, addresses as strings, and both are immutable.
 *
 * - Ids are held weakly (`WeakRef`), keyed by a 30-bit integer of their first bytes: an id that
 *   no node holds any more is collected as before. Two different ids with the same key are
 *   simply not shared (correct, only less sharing); dead entries are swept when the map grows
 *   past `MAX_IDS`, and the map is cleared if the sweep does not bring it back under.
 * - Addresses (strings cannot be held weakly) live in a bounded map, `MAX_ADDRESSES` entries,
 *   cleared when full; each entry also caches the parsed `Endpoint` the address sends to, so a
 *   send parses an address once, not once per datagram. A datagram's source is looked up by its
 *   host and port (`remote`, at most `MAX_ADDRESSES` sources), without building its text again.
 */
import type { Address, Message, NodeId } from '@kademlia-ts/core'
import type { Endpoint } from './endpoint.js'

// model

/** Weakly held ids before a sweep of the dead ones. */
export const MAX_IDS = 1 << 16
/** Addresses (and their endpoints) kept before the map is cleared. */
export const MAX_ADDRESSES = 1 << 14

interface AddressEntry {
  readonly address: Address.Address
  /** `undefined` until first asked; `null` when the address is not one we can send to. */
  endpoint: Endpoint | null | undefined
}

const ids = new Map<number, WeakRef<NodeId.NodeId>>()
const addresses = new Map<string, AddressEntry>()

// internals

const keyOf = (id: Uint8Array): number =>
  (((id[0] as number) << 22) | ((id[1] as number) << 14) | ((id[2] as number) << 6) | ((id[3] as number) & 63)) >>> 0

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Drops the entries whose id was collected; bounded by the map's size. */
const sweep = (): void => {
  for (const [key, ref] of ids) if (ref.deref() === undefined) ids.delete(key)
  if (ids.size > MAX_IDS / 2) ids.clear()
}

const addressEntry = (text: string): AddressEntry => {
  const found = addresses.get(text)
  if (found !== undefined) return found
  if (addresses.size >= MAX_ADDRESSES) addresses.clear()
  const entry: AddressEntry = { address: text as Address.Address, endpoint: undefined }
  addresses.set(text, entry)
  return entry
}

// queries

/** The shared id equal to `id` (`id` itself when it is the first one alive). */
export const id = <I extends Uint8Array>(id: I): I => {
  if (id.length !== 20) return id
  const key = keyOf(id)
  const ref = ids.get(key)
  const known = ref?.deref()
  if (known !== undefined) return sameBytes(known, id) ? (known as Uint8Array as I) : id
  if (ref === undefined && ids.size >= MAX_IDS) sweep()
  ids.set(key, new WeakRef(id as Uint8Array as NodeId.NodeId))
  return id
}

/** The shared address equal to `text`. */
export const address = (text: string): Address.Address => addressEntry(text).address

/**
 * The endpoint of `address`, parsed once per process by `parse` (`undefined`: not an address we
 * can send to).
 */
export const endpoint = (text: Address.Address, parse: (a: Address.Address) => Endpoint | undefined): Endpoint | undefined => {
  const entry = addressEntry(text)
  if (entry.endpoint === undefined) entry.endpoint = parse(text) ?? null
  return entry.endpoint ?? undefined
}

/**
 * `message` with its sender and, in a NODES reply, its contacts' ids and addresses shared.
 * `message` must be freshly decoded and seen by nobody else yet: its contacts are updated in place
 * (no second array per reply).
 */
export const message = (m: Message.Message): Message.Message => {
  const sender = id(m.sender)
  if (m._tag === 'Nodes') {
    const contacts = m.contacts as Array<{ id: NodeId.NodeId; address: Address.Address }>
    for (let i = 0; i < contacts.length; i++) {
      const c = contacts[i] as { id: NodeId.NodeId; address: Address.Address }
      c.id = id(c.id)
      c.address = address(c.address)
    }
  }
  if (sender !== m.sender) (m as { sender: NodeId.NodeId }).sender = sender
  return m
}

const remotes = new Map<string, Map<number, Address.Address>>()
let remoteCount = 0

/**
 * The shared address of a datagram's source (`host:port`, or `[host]:port` when `v6`), without
 * building the text again for a source seen before.
 */
export const remote = (host: string, port: number, v6: boolean): Address.Address => {
  const known = remotes.get(host)?.get(port)
  if (known !== undefined) return known
  if (remoteCount >= MAX_ADDRESSES) {
    remotes.clear()
    remoteCount = 0
  }
  let ports = remotes.get(host)
  if (ports === undefined) {
    ports = new Map()
    remotes.set(host, ports)
  }
  const found = address(v6 ? `[${host}]:${port}` : `${host}:${port}`)
  ports.set(port, found)
  remoteCount++
  return found
}

/** How many ids and addresses are held now (for tests and metrics). */
export const sizes = (): { readonly ids: number; readonly addresses: number; readonly remotes: number } => ({
  ids: ids.size,
  addresses: addresses.size,
  remotes: remoteCount,
})
