/**
 * A small typed wrapper over `node:events`: `on('recordStored', (record) => …)` checks the event
 * name and the listener's argument against an event map.
 */
import { EventEmitter } from 'node:events'

// model

export type Listener<T> = (payload: T) => void

export class TypedEmitter<Events extends object> {
  readonly #inner = new EventEmitter()

  constructor() {
    // Many small tools may observe one server; avoid the default leak warning at 10 listeners.
    this.#inner.setMaxListeners(100)
  }

  on<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#inner.on(event, listener)
    return this
  }

  once<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#inner.once(event, listener)
    return this
  }

  off<K extends keyof Events & string>(event: K, listener: Listener<Events[K]>): this {
    this.#inner.off(event, listener)
    return this
  }

  listenerCount<K extends keyof Events & string>(event: K): number {
    return this.#inner.listenerCount(event)
  }

  /**
   * Calls the listeners synchronously. A listener that throws does not break the caller (the
   * drain loop): the error is re-thrown on a later tick, like an uncaught exception in Node.
   */
  protected emit<K extends keyof Events & string>(event: K, payload: Events[K]): void {
    if (this.#inner.listenerCount(event) === 0) return
    try {
      this.#inner.emit(event, payload)
    } catch (e) {
      queueMicrotask(() => {
        throw e
      })
    }
  }

  protected removeAllListeners(): void {
    this.#inner.removeAllListeners()
  }
}
