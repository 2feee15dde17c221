/**
 * Simulated addresses: node number i is reachable at `n<i>` (the labels the core's oracle network
 * uses too). The core treats them as opaque strings.
 */
import { Address } from '@kademlia-ts/core'

/** The simulator's address of node `i`. */
export const addressOf = (i: number): Address.Address => Address.of(`n${i}`)
/** The node number of a simulator address, or -1. */
export const indexOfAddress = (a: Address.Address): number => {
  if (a.length < 2 || a.charCodeAt(0) !== 110 /* n */) return -1
  const n = Number(a.slice(1))
  return Number.isInteger(n) && n >= 0 && String(n) === a.slice(1) ? n : -1
}

