/** Test helper: decode a raw scenario, bind the real core, run it. */
import { CoreDriver, Engine, Scenario } from '@kademlia-ts/sim'

export const run = (raw: unknown, options: Engine.RunOptions = {}): Engine.RunResult => {
  const scenario = Scenario.decode(raw)
  if (scenario._tag === 'Left') throw new Error(Scenario.formatError(scenario.left))
  const driver = CoreDriver.make(scenario.right.core)
  if (driver._tag === 'Left') throw new Error(driver.left.join('\n'))
  return Engine.run(scenario.right, driver.right, options)
}
