/**
 * UDP sockets: at most one per address family, bound to the host the user chose. Requests and
 * replies both leave from the listening socket of the destination's family, so peers (Python's
 * included) see the address we listen on as our address.
 */
import { createSocket } from 'node:dgram'
import type { RemoteInfo, Socket } from 'node:dgram'
import { ListenFailedError } from './errors.js'
import type { Endpoint, Family } from './address.js'

// model

export type OnDatagram = (bytes: Uint8Array, from: RemoteInfo) => void
export type OnSocketError = (error: Error) => void

/** The largest datagram we read; anything bigger than the wire limit is dropped by the decoder. */
const RECEIVE_BUFFER_BYTES = 1 << 20

export class Transport {
  readonly #sockets: ReadonlyMap<Family, { readonly socket: Socket; readonly bound: Endpoint }>
  #closed = false

  private constructor(sockets: ReadonlyMap<Family, { readonly socket: Socket; readonly bound: Endpoint }>) {
    this.#sockets = sockets
  }

  /**
   * Binds one socket per endpoint (at most one per family). With port 0 the first socket gets an
   * ephemeral port and the others try the same port first. Rejects with `ListenFailedError`,
   * closing whatever it had opened.
   */
  static async bind(endpoints: ReadonlyArray<Endpoint>, onDatagram: OnDatagram, onError: OnSocketError): Promise<Transport> {
    const sockets = new Map<Family, { socket: Socket; bound: Endpoint }>()
    try {
      for (const wanted of endpoints) {
        const first = sockets.values().next().value
        const port = wanted.port === 0 && first !== undefined ? first.bound.port : wanted.port
        const opened = await bindOne({ ...wanted, port }, onDatagram, onError).catch(async (e: unknown) => {
          if (port !== wanted.port) return bindOne(wanted, onDatagram, onError)
          throw e
        })
        sockets.set(wanted.family, opened)
      }
    } catch (e) {
      for (const { socket } of sockets.values()) socket.close()
      throw e instanceof ListenFailedError ? e : new ListenFailedError(String(e), { cause: e })
    }
    return new Transport(sockets)
  }

  /** The endpoints the sockets are bound to (with the real port when 0 was asked). */
  get bound(): ReadonlyArray<Endpoint> {
    return [...this.#sockets.values()].map((s) => s.bound)
  }

  /** Whether a socket of this family is open (we can reach such peers). */
  canReach(family: Family): boolean {
    return !this.#closed && this.#sockets.has(family)
  }

  /** Sends one datagram from the socket of `to`'s family; `done` receives the error, if any. */
  send(to: Endpoint, bytes: Uint8Array, done: (error: Error | null) => void): void {
    const entry = this.#sockets.get(to.family)
    if (this.#closed || entry === undefined) {
      done(new Error(this.#closed ? 'the transport is closed' : `no IPv${to.family} socket is listening`))
      return
    }
    try {
      entry.socket.send(bytes, to.port, to.host, done)
    } catch (e) {
      done(e as Error)
    }
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve()
    this.#closed = true
    return Promise.all(
      [...this.#sockets.values()].map(({ socket }) => new Promise<void>((resolve) => {
        try {
          socket.close(() => resolve())
        } catch {
          resolve()
        }
      })),
    ).then(() => undefined)
  }
}

const bindOne = (wanted: Endpoint, onDatagram: OnDatagram, onError: OnSocketError): Promise<{ socket: Socket; bound: Endpoint }> =>
  new Promise((resolve, reject) => {
    const socket = createSocket(wanted.family === 6 ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' })
    const fail = (e: Error): void => {
      socket.close()
      reject(new ListenFailedError(`cannot listen on ${wanted.family === 6 ? `[${wanted.host}]` : wanted.host}:${wanted.port}: ${e.message}`, { cause: e }))
    }
    socket.once('error', fail)
    socket.bind({ port: wanted.port, address: wanted.host, exclusive: true }, () => {
      socket.off('error', fail)
      socket.on('error', onError)
      socket.on('message', (msg, rinfo) => onDatagram(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength), rinfo))
      try {
        socket.setRecvBufferSize(RECEIVE_BUFFER_BYTES)
      } catch {
        // the OS may cap it; the default is fine
      }
      resolve({ socket, bound: { host: wanted.host, port: socket.address().port, family: wanted.family } })
    })
  })
