/**
 * Types for the parts of `k-bucket` v5 (which ships none) that `bench:routing` uses.
 * https://github.com/tristanls/k-bucket: a mutable binary tree of k-buckets with an EventEmitter.
 */
declare module 'k-bucket' {
  import { EventEmitter } from 'node:events'

  namespace KBucket {
    interface Contact {
      id: Uint8Array
      vectorClock?: number
    }
    interface Options<C extends Contact> {
      localNodeId?: Uint8Array
      numberOfNodesPerKBucket?: number
      numberOfNodesToPing?: number
      distance?: (a: Uint8Array, b: Uint8Array) => number
      arbiter?: (incumbent: C, candidate: C) => C
      metadata?: object
    }
  }

  class KBucket<C extends KBucket.Contact = KBucket.Contact> extends EventEmitter {
    constructor(options?: KBucket.Options<C>)
    localNodeId: Uint8Array
    add(contact: C): this
    closest(id: Uint8Array, n?: number): C[]
    count(): number
    get(id: Uint8Array): C | null
    remove(id: Uint8Array): this
    toArray(): C[]
    static distance(a: Uint8Array, b: Uint8Array): number
  }

  export = KBucket
}
