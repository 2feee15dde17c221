/**
 * A parsed, canonical UDP endpoint: the shell's own view of an address, which the core keeps opaque.
 */

export type Family = 4 | 6

export interface Endpoint {
  readonly host: string
  readonly port: number
  readonly family: Family
}
