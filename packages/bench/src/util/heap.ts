/**
 * Heap measurement for the benchmarks. A heap figure is only worth reporting after full
 * collections, which need `node --expose-gc`.
 */

const exposedGc = (): (() => void) | undefined => (globalThis as { gc?: () => void }).gc

/** Two full collections (the second frees what the first's finalisers released) when `gc` is exposed; returns whether they ran. */
export const collectGarbage = (): boolean => {
  const gc = exposedGc()
  if (gc === undefined) return false
  gc()
  gc()
  return true
}

/** `heapUsed` after `collectGarbage`; throws, naming `who`, when `gc` is not exposed (the figure would be noise). */
export const settledHeapUsed = (who: string): number => {
  if (!collectGarbage()) throw new Error(`${who} needs node --expose-gc for its heap figures`)
  return process.memoryUsage().heapUsed
}
