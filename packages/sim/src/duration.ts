/**
 * Durations as people write them in scenarios and on the command line: `500ms`, `30s`, `5m`,
 * `2h`, `1d`, `1h30m`, or a bare number of milliseconds.
 */

const UNIT: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y

/** Milliseconds, or `undefined` when `text` is not a duration. */
export const parse = (text: string): number | undefined => {
  const t = text.trim()
  if (t === '') return undefined
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t)
  let total = 0
  let pos = 0
  PART.lastIndex = 0
  while (pos < t.length) {
    PART.lastIndex = pos
    const m = PART.exec(t)
    if (m === null) return undefined
    total += Number(m[1]) * (UNIT[m[2] as string] as number)
    pos = PART.lastIndex
  }
  return total
}

/** A short human form: `1h30m`, `45s`, `250ms`. */
export const format = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)}ms`
  let rest = Math.round(ms / 1000)
  const parts: string[] = []
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`)
      rest %= size
    }
  }
  return parts.join('')
}
