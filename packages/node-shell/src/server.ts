/**
 * `Server`: a Kademlia node on real UDP sockets, with the API of the Python library's
 * `kademlia.network.Server` made promise-based and typed. It decides no protocol policy: it turns
 * calls into core commands, runs the drain loop (runtime.ts), and turns outcomes into results or
 * typed errors (outcomes.ts).
 *
 *   const server = new Server({ ksize: 20, alpha: 3 })
 *   await server.listen(8468, '127.0.0.1')
 *   await server.bootstrap(['127.0.0.1:8469'])
 *   await server.set('my-key', 'my value')   // -> how many peers stored it
 *   await server.get('my-key')              // -> 'my value' (or undefined)
 *   await server.stop()
 */
import { randomBytes, randomInt } from 'node:crypto'
import * as E from 'fp-ts/lib/Either.js'
import { Config, Node, NodeId, RoutingTable } from '@kademlia-ts/core'
import type { Address, Notification, Record, Value } from '@kademlia-ts/core'
import * as Addr from './address.js'
import type { AddressInput, Endpoint } from './address.js'
import { checkSignal, checkValue, digestOf, isKey, isPlainObject, isStorage } from './arguments.js'
import * as Clock from './clock.js'
import { TypedEmitter } from './emitter.js'
import {
  AbortError,
  InvalidArgumentError,
  KademliaError,
  ListenFailedError,
  LookupFailedError,
  NoReplicasError,
  NotListeningError,
  ServerStoppedError,
} from './errors.js'
import { failure, toPeer } from './outcomes.js'
import { Runtime } from './runtime.js'
import type { NodeState, ShellCounters } from './runtime.js'
import type { LoadStateOptions, OperationOptions, Peer, ServerEvents, ServerMetrics, ServerOptions } from './server-types.js'
import * as StateFile from './state-file.js'
import { MemoryStorage } from './storage/memory.js'
import type { RecordStorage } from './storage/storage.js'
import { Transport } from './transport.js'

export type { LoadStateOptions, OperationOptions, Peer, ServerEvents, ServerMetrics, ServerOptions } from './server-types.js'

// the server

export class Server extends TypedEmitter<ServerEvents> {
  readonly nodeId: NodeId.NodeId
  readonly ksize: number
  readonly alpha: number
  readonly storage: RecordStorage
  readonly #clock = Clock.system()
  readonly #runtime: Runtime
  readonly #startedAt: number
  readonly #restoredContacts: ReadonlyArray<Address.Address>
  readonly #restoring: Promise<unknown>
  #transport: Transport | undefined
  #listening: Promise<void> | undefined
  #stopping: Promise<void> | undefined
  #saveEvery: { readonly path: string; readonly ms: number } | undefined

  /** Throws `InvalidArgumentError` naming the bad option. */
  constructor(options: ServerOptions = {}) {
    super()
    if (!isPlainObject(options)) throw new InvalidArgumentError('options', 'must be an object')
    const { ksize, alpha, nodeId, storage, config, seed } = options
    if (config !== undefined && !isPlainObject(config)) throw new InvalidArgumentError('config', 'must be an object of core Config fields')
    if (nodeId !== undefined && (!(nodeId instanceof Uint8Array) || nodeId.length !== NodeId.BYTES))
      throw new InvalidArgumentError('nodeId', `must be a Uint8Array of exactly ${NodeId.BYTES} bytes`)
    if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff))
      throw new InvalidArgumentError('seed', 'must be an integer in 0..2^32-1')
    if (storage !== undefined && !isStorage(storage))
      throw new InvalidArgumentError('storage', 'must implement RecordStorage (load, recordStored, recordRemoved, …)')
    const decoded = Config.decode({
      ...(config ?? {}),
      ...(ksize === undefined ? {} : { bucketSize: ksize }),
      ...(alpha === undefined ? {} : { parallelism: alpha }),
    })
    if (E.isLeft(decoded)) {
      const field = decoded.left.fields[0] ?? 'config'
      const argument = field === 'bucketSize' && ksize !== undefined ? 'ksize' : field === 'parallelism' && alpha !== undefined ? 'alpha' : `config.${field}`
      throw new InvalidArgumentError(argument, decoded.left.errors.map((e) => `${e.field}: ${e.message}`).join('; '))
    }
    this.storage = storage ?? new MemoryStorage()
    const restored = this.storage.load()
    this.nodeId = nodeId !== undefined ? (Uint8Array.from(nodeId) as NodeId.NodeId) : (restored.nodeId ?? (Uint8Array.from(randomBytes(NodeId.BYTES)) as NodeId.NodeId))
    if (restored.nodeId === undefined || !NodeId.equals(restored.nodeId, this.nodeId)) this.storage.saveNodeId(this.nodeId)
    this.ksize = decoded.right.bucketSize
    this.alpha = decoded.right.parallelism
    const at = this.#clock.now()
    this.#startedAt = at
    const state: NodeState = Node.init(decoded.right, { id: this.nodeId, seed: seed ?? randomInt(0, 2 ** 32), at })
    this.#runtime = new Runtime(state, this.#clock, this.storage, {
      notified: (n) => this.#notified(n),
      dropped: (from, reason) => this.emit('datagramDropped', { from, reason }),
      sendFailed: (to, error) => this.emit('sendFailed', { to, error }),
      error: (e) => this.emit('error', e instanceof KademliaError ? e : new KademliaError('STORAGE', e.message, { cause: e })),
    })
    this.#restoredContacts = restored.contacts.map((c) => c.address)
    // Records come back before anything else can ask for them; expired ones are dropped by the core.
    this.#restoring = restored.records.length === 0
      ? Promise.resolve()
      : this.#runtime
          .command((opId, at) => ({ _tag: 'RecordsRestored', opId, at, records: restored.records.map((r) => Clock.moveRecord(r, this.#clock.fromWall)) }))
          .catch(() => undefined)
  }

  // queries

  /** The endpoints the server listens on (empty before `listen`). */
  get addresses(): ReadonlyArray<Endpoint> {
    return this.#transport?.bound ?? []
  }

  /** The port of the first socket (handy after `listen(0)`); undefined before `listen`. */
  get port(): number | undefined {
    return this.addresses[0]?.port
  }

  /** User operations (get, set, bootstrap, …) still waiting for their outcome. */
  get pendingOperations(): number {
    return this.#runtime.pendingOperations
  }

  /** The current core state (read-only snapshot, for tools and tests). */
  get state(): NodeState {
    return this.#runtime.state
  }

  /** Up to k contacts closest to our own id: what `bootstrap` wants after a restart (Python `bootstrappable_neighbors`). */
  bootstrappableNeighbors(): ReadonlyArray<Peer> {
    return Node.closest(this.#runtime.state, this.nodeId, this.ksize).map(toPeer)
  }

  /** Every contact of the routing table. */
  contacts(): ReadonlyArray<Peer> {
    return RoutingTable.contacts(Node.routingTable(this.#runtime.state)).map(toPeer)
  }

  /** The records this node holds (its own publications, replicas and cached copies). */
  records(): ReadonlyArray<Record.StoredRecord> {
    return Node.records(this.#runtime.state).map((r) => Clock.moveRecord(r, this.#clock.toWall))
  }

  metrics(): ServerMetrics {
    const c: ShellCounters = this.#runtime.counters
    const state = this.#runtime.state
    return {
      uptimeMs: this.#clock.now() - this.#startedAt,
      datagramsIn: c.datagramsIn,
      datagramsOut: c.datagramsOut,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      malformed: { total: Object.values(c.malformed).reduce((a, b) => a + b, 0), byReason: { ...c.malformed } },
      sendFailures: c.sendFailures,
      replySendFailures: c.replySendFailures,
      acksWithheld: c.acksWithheld,
      storageErrors: c.storageErrors,
      routingTableSize: RoutingTable.size(Node.routingTable(state)),
      records: Node.records(state).length,
      pendingOperations: this.#runtime.pendingOperations,
      core: Node.metrics(state),
    }
  }

  // operations

  /**
   * Binds the UDP socket(s) (Python `listen(port, interface)`): `host` may be one address or one
   * per family (`['127.0.0.1', '::1']`); `'0.0.0.0'` (the default) and `'::'` mean every
   * interface of that family. Then rejoins through the contacts the storage remembered, if any
   * (a failed rejoin does not fail `listen`).
   */
  listen(port = 0, host: string | ReadonlyArray<string> = '0.0.0.0', options?: OperationOptions): Promise<void> {
    return this.#guard(async () => {
      const signal = checkSignal(options)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError('port', 'must be an integer in 0..65535')
      const hosts = typeof host === 'string' ? [host] : host
      if (!Array.isArray(hosts) || hosts.length === 0) throw new InvalidArgumentError('host', 'must be an IP address or a non-empty list of them')
      const endpoints: Endpoint[] = []
      for (const [i, h] of hosts.entries()) {
        const argument = typeof host === 'string' ? 'host' : `host[${i}]`
        if (typeof h !== 'string') throw new InvalidArgumentError(argument, 'must be a string')
        const e = Addr.endpoint(h, port)
        if (E.isLeft(e)) throw new InvalidArgumentError(argument, e.left)
        if (endpoints.some((x) => x.family === e.right.family)) throw new InvalidArgumentError(argument, `a second IPv${e.right.family} host; one socket per family`)
        endpoints.push(e.right)
      }
      if (this.#listening !== undefined) throw new ListenFailedError('the server is already listening')
      if (signal?.aborted === true) throw new AbortError({ cause: signal.reason })
      const bind = async (): Promise<void> => {
        const transport = await Transport.bind(endpoints, this.#runtime.datagram, (e) =>
          this.emit('error', new KademliaError('SOCKET', `socket error: ${e.message}`, { cause: e })))
        if (this.#runtime.stopped) {
          await transport.close()
          throw new ServerStoppedError()
        }
        this.#transport = transport
        this.#runtime.attach(transport)
      }
      this.#listening = bind()
      try {
        await this.#listening
      } catch (e) {
        this.#listening = undefined
        throw e
      }
      await this.#restoring
      if (this.#restoredContacts.length > 0) {
        await this.#runtime
          .command((opId, at) => ({ _tag: 'BootstrapRequested', opId, at, contacts: this.#restoredContacts }), signal)
          .catch(() => undefined)
      }
    })
  }

  /**
   * Joins the network through `addrs` (Python `bootstrap(addrs)`: `'host:port'`, `[host, port]`
   * or `{ host, port }`; host names are resolved). Resolves with the contacts closest to our id
   * afterwards; rejects with `LookupFailedError` when none of `addrs` answered.
   */
  bootstrap(addrs: ReadonlyArray<AddressInput>, options?: OperationOptions): Promise<ReadonlyArray<Peer>> {
    return this.#guard(async () => {
      const signal = checkSignal(options)
      if (!Array.isArray(addrs)) throw new InvalidArgumentError('addrs', 'must be an array of addresses')
      if (addrs.length === 0) throw new InvalidArgumentError('addrs', 'must name at least one peer')
      const contacts: Address.Address[] = []
      for (const [i, a] of (addrs as ReadonlyArray<unknown>).entries()) {
        const e = await Addr.resolve(a)
        if (E.isLeft(e)) throw new InvalidArgumentError(`addrs[${i}]`, e.left)
        if (e.right.port === 0) throw new InvalidArgumentError(`addrs[${i}]`, 'port 0 is not a peer')
        contacts.push(Addr.toAddress(e.right))
      }
      await this.#needListening('bootstrap')
      const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'BootstrapRequested', opId, at, contacts }), signal)
      if (outcome._tag !== 'Bootstrapped') throw failure('bootstrap', outcome, signal)
      return this.bootstrappableNeighbors()
    })
  }

  /** Pings one address (Python `bootstrap_node`): the peer's id and the round-trip time in ms. */
  ping(addr: AddressInput, options?: OperationOptions): Promise<{ readonly id: NodeId.NodeId; readonly rttMs: number }> {
    return this.#guard(async () => {
      const signal = checkSignal(options)
      const e = await Addr.resolve(addr)
      if (E.isLeft(e)) throw new InvalidArgumentError('addr', e.left)
      await this.#needListening('ping')
      const address = Addr.toAddress(e.right)
      const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'PingRequested', opId, at, address }), signal)
      if (outcome._tag !== 'Pinged') throw failure('ping', outcome, signal)
      return { id: outcome.id, rttMs: outcome.rtt }
    })
  }

  /** The value stored under `key` (hashed with SHA-1 as Python's `digest`), or `undefined`. */
  get(key: NodeId.KeyInput, options?: OperationOptions): Promise<Value.Value | undefined> {
    return this.#guard(() => {
      if (!isKey(key)) throw new InvalidArgumentError('key', 'must be a Uint8Array, a string, a finite number or a boolean')
      return this.#get('get', NodeId.fromKey(key), checkSignal(options))
    })
  }

  /** The value stored under a 20-byte digest (no hashing; Python PR #106's `get_digest`). */
  getDigest(digest: Uint8Array, options?: OperationOptions): Promise<Value.Value | undefined> {
    return this.#guard(() => this.#get('getDigest', digestOf('digest', digest), checkSignal(options)))
  }

  /**
   * Stores `value` under `key` on the k closest nodes. Resolves with how many peers acknowledged
   * the STORE; rejects with `NoReplicasError` when none did (Python returns True even then).
   */
  set(key: NodeId.KeyInput, value: Value.Value, options?: OperationOptions): Promise<number> {
    return this.#guard(() => {
      if (!isKey(key)) throw new InvalidArgumentError('key', 'must be a Uint8Array, a string, a finite number or a boolean')
      return this.#set('set', NodeId.fromKey(key), checkValue(value), checkSignal(options))
    })
  }

  /** `set` with a 20-byte digest as the key (Python `set_digest`). */
  setDigest(digest: Uint8Array, value: Value.Value, options?: OperationOptions): Promise<number> {
    return this.#guard(() => this.#set('setDigest', digestOf('digest', digest), checkValue(value), checkSignal(options)))
  }

  /** The k closest contacts to a 20-byte target id, found by a node lookup. */
  findNode(target: Uint8Array, options?: OperationOptions): Promise<ReadonlyArray<Peer>> {
    return this.#guard(async () => {
      const id = digestOf('target', target)
      const signal = checkSignal(options)
      await this.#needListening('findNode')
      const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'FindNodeRequested', opId, at, target: id }), signal)
      if (outcome._tag !== 'NodesFound') throw failure('findNode', outcome, signal)
      return outcome.closest.map(toPeer)
    })
  }

  /**
   * Refreshes every bucket not looked up within the refresh interval (Python `refresh_table`).
   * The core also does this on its own schedule; resolves with how many buckets were refreshed.
   */
  refreshTable(options?: OperationOptions): Promise<number> {
    return this.#guard(async () => {
      const signal = checkSignal(options)
      await this.#needListening('refreshTable')
      const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'RefreshRequested', opId, at }), signal)
      if (outcome._tag !== 'Refreshed') throw failure('refreshTable', outcome, signal)
      return outcome.buckets
    })
  }

  /**
   * Writes k, alpha, our id and up to k neighbours to `path`, atomically (Python `save_state`,
   * as JSON, not pickle; written even with no neighbours). Rejects with `StateFileError`; an
   * existing file that is not a readable state file is left alone (`WouldOverwrite`) unless
   * `replaceUnreadable` is set.
   */
  saveState(path: string, options: StateFile.WriteOptions & OperationOptions = {}): Promise<void> {
    return this.#guard(async () => {
      if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path', 'must be a non-empty string')
      const signal = checkSignal(options)
      if (signal?.aborted === true) throw new AbortError({ cause: signal.reason })
      await StateFile.write(path, {
        version: StateFile.VERSION,
        ksize: this.ksize,
        alpha: this.alpha,
        id: NodeId.toHex(this.nodeId),
        neighbors: this.bootstrappableNeighbors().map((p) => p.address),
      }, options)
    })
  }

  /**
   * Saves the state now and then every `seconds` (Python `save_state_regularly`, default 600),
   * on the server's one timer, until `stop()`. A later call replaces the schedule. Failures of
   * the periodic saves are `error` events.
   */
  saveStateRegularly(path: string, seconds = 600): Promise<void> {
    return this.#guard(async () => {
      if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path', 'must be a non-empty string')
      if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('seconds', 'must be a positive number')
      this.#saveEvery = { path, ms: seconds * 1000 }
      await this.saveState(path)
      this.#scheduleSave()
    })
  }

  /**
   * Builds a server from a state file (Python `load_state`), listens and bootstraps from the saved
   * neighbours (a failed bootstrap leaves a listening, unjoined server). An unreadable file is a
   * `StateFileError` and is left untouched; with `ignoreUnreadable` the server starts fresh.
   */
  static async loadState(path: string, options: LoadStateOptions = {}): Promise<Server> {
    if (typeof path !== 'string' || path.length === 0) throw new InvalidArgumentError('path', 'must be a non-empty string')
    if (!isPlainObject(options)) throw new InvalidArgumentError('options', 'must be an object')
    const read = await StateFile.read(path)
    if (E.isLeft(read) && options.ignoreUnreadable !== true) throw read.left
    if (E.isLeft(read)) options.onUnreadable?.(read.left)
    const saved = E.isRight(read) ? read.right : undefined
    const server = new Server({
      ...(saved === undefined ? {} : { ksize: saved.ksize, alpha: saved.alpha, nodeId: (NodeId.fromHex(saved.id) as E.Right<NodeId.NodeId>).right }),
      ...(options.storage === undefined ? {} : { storage: options.storage }),
      ...(options.config === undefined ? {} : { config: options.config }),
      ...(options.seed === undefined ? {} : { seed: options.seed }),
    })
    try {
      await server.listen(options.port ?? 0, options.host ?? '0.0.0.0', options.signal === undefined ? {} : { signal: options.signal })
      const neighbors = (saved?.neighbors ?? []).filter((a) => E.isRight(Addr.parse(a)))
      if (neighbors.length > 0) {
        await server.bootstrap(neighbors, options.signal === undefined ? {} : { signal: options.signal }).catch((e: unknown) => {
          if (!(e instanceof LookupFailedError)) throw e
        })
      }
    } catch (e) {
      await server.stop()
      throw e
    }
    return server
  }

  /**
   * Stops the node: closes the sockets, clears the timer, rejects pending operations with
   * `ServerStoppedError`, and closes the storage. Idempotent.
   */
  stop(): Promise<void> {
    if (this.#stopping === undefined) {
      this.#runtime.stop()
      this.#saveEvery = undefined
      this.#stopping = (async () => {
        await this.#listening?.catch(() => undefined)
        await this.#transport?.close()
        await this.storage.close()
      })()
    }
    return this.#stopping
  }

  // internals

  async #get(operation: string, key: NodeId.NodeId, signal: AbortSignal | undefined): Promise<Value.Value | undefined> {
    await this.#needListening(operation)
    const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'GetRequested', opId, at, key }), signal)
    if (outcome._tag === 'Found') return outcome.value
    if (outcome._tag === 'NotFound') return undefined
    throw failure(operation, outcome, signal)
  }

  async #set(operation: string, key: NodeId.NodeId, value: Value.Value, signal: AbortSignal | undefined): Promise<number> {
    await this.#needListening(operation)
    const outcome = await this.#runtime.command((opId, at) => ({ _tag: 'PutRequested', opId, at, key, value }), signal)
    if (outcome._tag === 'Stored') {
      if (outcome.replicas > 0) return outcome.replicas
      throw new NoReplicasError()
    }
    throw failure(operation, outcome, signal)
  }

  async #needListening(operation: string): Promise<void> {
    if (this.#runtime.stopped) throw new ServerStoppedError()
    if (this.#listening === undefined) throw new NotListeningError(operation)
    await this.#listening
  }

  /** Runs `body`, turning synchronous throws into rejections (every operation returns a promise). */
  #guard<T>(body: () => Promise<T>): Promise<T> {
    try {
      if (this.#runtime.stopped) return Promise.reject(new ServerStoppedError())
      return body()
    } catch (e) {
      return Promise.reject(e)
    }
  }

  #scheduleSave(): void {
    const every = this.#saveEvery
    if (every === undefined || this.#runtime.stopped) return
    this.#runtime.setChore({
      at: this.#clock.now() + every.ms,
      run: () => {
        this.saveState(every.path)
          .catch((e: unknown) => this.emit('error', e instanceof KademliaError ? e : new KademliaError('STATE_FILE', String(e))))
          .finally(() => this.#scheduleSave())
      },
    })
  }

  #notified(n: Notification): void {
    switch (n._tag) {
      case 'ContactAdded':
        return this.emit('contactAdded', toPeer(n.contact))
      case 'ContactEvicted':
        return this.emit('contactEvicted', { contact: toPeer(n.contact), replacedBy: n.replacedBy === undefined ? undefined : toPeer(n.replacedBy) })
      case 'BucketSplit':
        return this.emit('bucketSplit', { depth: n.depth, buckets: n.buckets })
      case 'RecordStored':
        return this.emit('recordStored', Clock.moveRecord(n.record, this.#clock.toWall))
      case 'RecordExpired':
        return this.emit('recordExpired', { key: n.key })
      case 'RecordRemoved':
        return this.emit('recordRemoved', { key: n.key })
      case 'LookupFinished':
        return this.emit('lookupFinished', n)
      case 'MessageIgnored':
        return this.emit('messageIgnored', { from: n.from, reason: n.reason })
      case 'LookupProgressed':
        return
    }
  }
}
