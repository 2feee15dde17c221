/**
 * The examples of `examples/` (the Python library's first_node.py, set.py and get.py) run for
 * real, as a user would run them: `node examples/<file>.mjs ...`.
 */
import { fileURLToPath } from 'node:url'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killAll, requireBuild, run } from './cli-process.js'

const example = (name: string): string => fileURLToPath(new URL(`../../examples/${name}`, import.meta.url))

beforeAll(requireBuild)
afterEach(killAll)

describe('examples/', () => {
  it('first-node, then set and get through it', async () => {
    const first = run(example('first-node.mjs'), ['0'])
    const port = Number(/listening on 127\.0\.0\.1:(\d+)/.exec(await first.line(/^listening on /))?.[1])
    expect(port).toBeGreaterThan(0)

    const set = run(example('set.mjs'), ['127.0.0.1', String(port), 'my-key', 'my value'])
    expect(await set.exit()).toBe(0)
    expect(set.stdout()).toBe('Stored "my-key" on 1 node(s)\n')

    const get = run(example('get.mjs'), ['127.0.0.1', String(port), 'my-key'])
    expect(await get.exit()).toBe(0)
    expect(get.stdout()).toBe('Get result: my value\n')

    const missing = run(example('get.mjs'), ['127.0.0.1', String(port), 'another key'])
    expect(await missing.exit()).toBe(1)
    expect(missing.stdout()).toBe('Get result: (not found)\n')

    first.child.kill('SIGINT')
    expect(await first.exit()).toBe(0)
    expect(first.stdout()).toMatch(/stopped\n$/)
    // The first node saw both example nodes (and the second get's) join.
    expect(first.stderr().match(/new contact 127\.0\.0\.1:\d+/g)?.length).toBe(3)
  })

  it('set and get print their usage and exit 1 without arguments', async () => {
    for (const name of ['set.mjs', 'get.mjs']) {
      const p = run(example(name), [])
      expect(await p.exit()).toBe(1)
      expect(p.stderr()).toMatch(/^Usage: node examples\//)
    }
  })
})
