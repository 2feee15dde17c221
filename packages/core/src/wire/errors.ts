/**
 * Why a datagram did not decode. `Wire.decode` returns one of these in a `Left` and never
 * throws: a node drops the datagram (and may count the reason), it never crashes on it.
 */

// model

export type DecodeError = Empty | Oversized | Malformed | UnknownVersion | UnknownType | InvalidField

/** A zero-length datagram. */
export interface Empty {
  readonly _tag: 'Empty'
}

/** Longer than `limit` (`Wire.MAX_DATAGRAM_BYTES`); rejected before any parsing. */
export interface Oversized {
  readonly _tag: 'Oversized'
  readonly size: number
  readonly limit: number
}

/**
 * Not one well-formed CBOR item of the profile the wire uses: truncated, trailing bytes after the
 * item, a tag, an indefinite length, a map, an unsupported simple value, invalid UTF-8 in a text
 * string, or containers nested deeper than the format ever needs. `detail` says which, and where.
 */
export interface Malformed {
  readonly _tag: 'Malformed'
  readonly detail: string
}

/** A well-formed datagram whose version (its first element) is not one this decoder reads. */
export interface UnknownVersion {
  readonly _tag: 'UnknownVersion'
  readonly version: number
}

/** The version is known but the message type code is not. */
export interface UnknownType {
  readonly _tag: 'UnknownType'
  readonly code: number
}

/**
 * An element has the wrong type, length or range. `path` locates it in the message, JSONPath
 * style with the field names of `Message`: `$` (the datagram), `$.sender`, `$.contacts[3].address`.
 */
export interface InvalidField {
  readonly _tag: 'InvalidField'
  readonly path: string
  readonly detail: string
}

// constructors

export const empty: DecodeError = { _tag: 'Empty' }

export const oversized = (size: number, limit: number): DecodeError => ({ _tag: 'Oversized', size, limit })

export const malformed = (detail: string): DecodeError => ({ _tag: 'Malformed', detail })

export const unknownVersion = (version: number): DecodeError => ({ _tag: 'UnknownVersion', version })

export const unknownType = (code: number): DecodeError => ({ _tag: 'UnknownType', code })

export const invalidField = (path: string, detail: string): DecodeError => ({ _tag: 'InvalidField', path, detail })

// queries

/** One line for logs. */
export const describe = (e: DecodeError): string => {
  switch (e._tag) {
    case 'Empty':
      return 'empty datagram'
    case 'Oversized':
      return `datagram of ${e.size} bytes exceeds the limit of ${e.limit}`
    case 'Malformed':
      return `malformed datagram: ${e.detail}`
    case 'UnknownVersion':
      return `unknown wire version ${e.version}`
    case 'UnknownType':
      return `unknown message type code ${e.code}`
    case 'InvalidField':
      return `invalid field ${e.path}: ${e.detail}`
  }
}
