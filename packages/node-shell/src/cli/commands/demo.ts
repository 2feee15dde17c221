/**
 * `kademlia demo`: runs the demo (see ../../demo/demo.ts) with a progress bar on stderr, prints
 * the readable report on stdout, and with `--json` ends with one JSON line of the figures.
 */
import * as Demo from '../../demo/demo.js'
import * as Result from '../../demo/result.js'
import { EXIT_FAILED, EXIT_OK, fail, printLine } from '../output.js'
import * as Progress from '../progress.js'

// model

export interface DemoCommandOptions {
  readonly nodes: number
  readonly ops: number
  readonly kill: number
  readonly seed: number
  readonly json: boolean
}

// the command

export const demo = async (o: DemoCommandOptions): Promise<number> => {
  const progress = Progress.create(Progress.forStderr(o.json))
  try {
    const result = await Demo.run({ ...Demo.defaults, nodes: o.nodes, ops: o.ops, kill: o.kill, seed: o.seed }, progress)
    progress.end()
    printLine(Result.format(result))
    if (o.json) printLine(Result.toJson(result))
    return result.get.succeeded > 0 || o.ops === 0 ? EXIT_OK : EXIT_FAILED
  } catch (e) {
    progress.end()
    return fail(e, o.json)
  }
}
