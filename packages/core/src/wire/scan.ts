/**
 * A structural check of a datagram's bytes before cbor-x sees them: exactly one well-formed CBOR
 * item (RFC 8949 §3) within the small profile the wire uses, and nothing after it.
 *
 * Allowed: unsigned and negative integers, byte strings, text strings of valid UTF-8, arrays and
 * maps of definite length nested at most `MAX_DEPTH` deep, `false`, `true`, `null`, `undefined`
 * and half, single and double precision floats. Rejected: tags (cbor-x would build dates, sets,
 * typed arrays, shared references and records from them), indefinite lengths, other simple
 * values, reserved additional-information values, truncation and trailing bytes.
 *
 * Maps, `null` and `undefined` are well-formed but never valid in a message: they are let through
 * so that the field codecs report them as a wrong type at their path.
 *
 * Total and bounded: every step of the loop consumes at least one byte.
 */

// model

/** The datagram array holds the contacts array, which holds `[id, address]` pairs: depth 3. */
export const MAX_DEPTH = 3

// queries

/** `undefined` when `bytes` is one item of the profile and nothing more, otherwise why not. */
export const check = (bytes: Uint8Array): string | undefined => {
  const end = bytes.length
  /** Items still to read in each open container, innermost last. */
  const open: number[] = []
  let pos = 0
  while (true) {
    if (pos >= end) return `truncated: an item is missing at offset ${pos}`
    const start = pos
    const initial = bytes[pos++] as number
    const major = initial >>> 5
    const info = initial & 0x1f
    let arg: number
    if (info < 24) arg = info
    else if (info <= 27) {
      const size = 1 << (info - 24)
      if (size > end - pos) return `truncated: the head at offset ${start} needs ${size} more bytes`
      if (major === 7) {
        if (info === 24) return `unsupported simple value at offset ${start}`
        pos += size
        arg = 0
      } else {
        arg = 0
        for (let i = 0; i < size; i++) arg = arg * 256 + (bytes[pos++] as number)
      }
    } else if (info === 31) return `indefinite length or break at offset ${start} (only definite lengths are used)`
    else return `reserved additional information ${info} at offset ${start}`

    switch (major) {
      case 0:
      case 1:
        break
      case 2:
      case 3:
        if (arg > end - pos) return `truncated: the string at offset ${start} needs ${arg} bytes, ${end - pos} remain`
        if (major === 3 && !isUtf8(bytes, pos, pos + arg)) return `invalid UTF-8 in the text string at offset ${start}`
        pos += arg
        break
      case 4:
      case 5: {
        if (open.length >= MAX_DEPTH) return `containers nested deeper than ${MAX_DEPTH} at offset ${start}`
        const items = major === 4 ? arg : 2 * arg
        // every item takes at least one byte
        if (items > end - pos) return `truncated: the container at offset ${start} holds ${items} items, ${end - pos} bytes remain`
        if (items > 0) {
          open.push(items)
          continue
        }
        break
      }
      case 6:
        return `tag at offset ${start} (tags are not used)`
      default:
        // major 7: false, true, null, undefined and the floats (heads 24 and 31 handled above)
        if (info < 20) return `unsupported simple value at offset ${start}`
    }
    // an item is complete: close every container it completes
    while (open.length > 0) {
      const left = (open[open.length - 1] as number) - 1
      if (left > 0) {
        open[open.length - 1] = left
        break
      }
      open.pop()
    }
    if (open.length === 0) {
      return pos === end ? undefined : `trailing bytes: the item ends at offset ${pos} of ${end}`
    }
  }
}

/** Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF. */
export const isUtf8 = (bytes: Uint8Array, from: number, to: number): boolean => {
  let i = from
  while (i < to) {
    const b = bytes[i] as number
    if (b < 0x80) {
      i++
      continue
    }
    let follow: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) follow = 1
    else if (b >= 0xe0 && b <= 0xef) {
      follow = 2
      if (b === 0xe0) lo = 0xa0
      else if (b === 0xed) hi = 0x9f
    } else if (b >= 0xf0 && b <= 0xf4) {
      follow = 3
      if (b === 0xf0) lo = 0x90
      else if (b === 0xf4) hi = 0x8f
    } else return false
    if (follow > to - i - 1) return false
    const second = bytes[i + 1] as number
    if (second < lo || second > hi) return false
    for (let k = 2; k <= follow; k++) {
      const c = bytes[i + k] as number
      if (c < 0x80 || c > 0xbf) return false
    }
    i += follow + 1
  }
  return true
}
