/**
 * A peer's transport address, opaque to the core: compared, stored and echoed back, never parsed.
 * The node shell uses `host:port` strings (`[::1]:4000` for IPv6); the simulator uses its own
 * labels. The address of a message's sender is the one the datagram came from, never one the
 * message claims.
 */

// model

export type Address = string & { readonly Address: unique symbol }

/** The longest address the wire accepts; long enough for `[ipv6%zone]:port`. */
export const MAX_LENGTH = 64

// constructors

export const of = (label: string): Address => label as Address

// queries

export const equals = (a: Address, b: Address): boolean => a === b
