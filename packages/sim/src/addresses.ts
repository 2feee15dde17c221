/**
 * Simulated addresses: node number i is reachable at `n<i>` (the labels the core's oracle network
 * uses too). The core treats them as opaque strings.
 */
import { Address } from '@kademlia-ts/core'

/** The simulator's address of node `i`. */
export const addressOf = (i: number): Address.Address => Address.of(`n${i}`)
/** The node number of a simulator address (`n` then a canonical decimal), or -1. Allocates nothing. */
export const indexOfAddress = (a: Address.Address): number => {
  const len = a.length
  if (len < 2 || len > 11 || a.charCodeAt(0) !== 110 /* n */) return -1
  if (a.charCodeAt(1) === 48 /* 0 */) return len === 2 ? 0 : -1
  let n = 0
  for (let i = 1; i < len; i++) {
    const d = a.charCodeAt(i) - 48
    if (d < 0 || d > 9) return -1
    n = n * 10 + d
  }
  return n
}
