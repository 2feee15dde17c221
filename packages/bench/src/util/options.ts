/**
 * Validation of the benchmarks' command-line options (read with `node:util`'s `parseArgs`): a
 * bad value stops the run with a message naming the option.
 */

/** `text` as an integer ≥ `min`, or an error naming `--name`. */
export const integerOption = (name: string, text: string, min: number): number => {
  const n = Number(text)
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${text}`)
  return n
}

/** `text` as a fraction in [0, 1), or an error naming `--name`. */
export const fractionOption = (name: string, text: string): number => {
  const x = Number(text)
  if (!(x >= 0 && x < 1)) throw new Error(`--${name} must be in [0, 1), got ${text}`)
  return x
}
