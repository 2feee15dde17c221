import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { mkdtemp, readFile, readdir, rm, writeFile, chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { StateFile, StateFileError } from '@kademlia-ts/node-shell'

const right = <A>(right: A): { readonly _tag: 'Right'; readonly right: A } => ({ _tag: 'Right', right })
const isLeft = <L, R>(e: { readonly _tag: 'Left'; readonly left: L } | { readonly _tag: 'Right'; readonly right: R }): e is { readonly _tag: 'Left'; readonly left: L } => e._tag === 'Left'

let dir = ''
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kad-state-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const state: StateFile.State = { version: 1, ksize: 20, alpha: 3, id: 'ab'.repeat(20), neighbors: ['127.0.0.1:4000', '[::1]:4001'] }

describe('StateFile', () => {
  it('round-trips and leaves no temporary file behind', async () => {
    const path = join(dir, 'node.state')
    await StateFile.write(path, state)
    expect(await StateFile.read(path)).toEqual(right(state))
    await StateFile.write(path, { ...state, neighbors: [] })
    expect(await StateFile.read(path)).toEqual(right({ ...state, neighbors: [] }))
    expect(await readdir(dir)).toEqual(['node.state'])
  })

  const unreadable: ReadonlyArray<readonly [string, string, StateFileError['reason']]> = [
    ['not JSON', '{"version": 1, ', 'NotJson'],
    ['binary garbage', '\u0000\u0001\u0002', 'NotJson'],
    ['a JSON array', '[1, 2]', 'Invalid'],
    ['a wrong id', JSON.stringify({ ...state, id: 'xyz' }), 'Invalid'],
    ['a bad ksize', JSON.stringify({ ...state, ksize: -1 }), 'Invalid'],
    ['a future version', JSON.stringify({ ...state, version: 99 }), 'UnsupportedVersion'],
    ['a Python pickle', '\u0080\u0004\u0095 pickled', 'NotJson'],
  ]
  for (const [name, text, reason] of unreadable) {
    it(`reports ${name} as ${reason} and leaves the file untouched`, async () => {
      const path = join(dir, 'bad.state')
      await writeFile(path, text)
      const r = await StateFile.read(path)
      expect(isLeft(r)).toBe(true)
      if (isLeft(r)) {
        expect(r.left).toBeInstanceOf(StateFileError)
        expect(r.left.reason).toBe(reason)
        expect(r.left.path).toBe(path)
      }
      expect(await readFile(path, 'utf8')).toBe(text)
    })
  }

  it('never replaces a file it cannot read, unless told to', async () => {
    const path = join(dir, 'precious')
    await writeFile(path, 'not a state file, but somebody needs it')
    await expect(StateFile.write(path, state)).rejects.toMatchObject({ reason: 'WouldOverwrite', path })
    expect(await readFile(path, 'utf8')).toBe('not a state file, but somebody needs it')
    expect(await readdir(dir)).toEqual(['precious'])
    await StateFile.write(path, state, { replaceUnreadable: true })
    expect(await StateFile.read(path)).toEqual(right(state))
  })

  it('reports a missing file as Unreadable', async () => {
    const r = await StateFile.read(join(dir, 'missing'))
    expect(isLeft(r) && r.left.reason).toBe('Unreadable')
  })

  it('reports a write into a missing directory as WriteFailed', async () => {
    await expect(StateFile.write(join(dir, 'no', 'such', 'dir', 'f'), state)).rejects.toMatchObject({ reason: 'WriteFailed' })
  })

  it.skipIf(process.getuid?.() === 0)('reports a file without read permission as Unreadable', async () => {
    const path = join(dir, 'secret.state')
    await StateFile.write(path, state)
    await chmod(path, 0o000)
    const r = await StateFile.read(path)
    expect(isLeft(r) && r.left.reason).toBe('Unreadable')
  })
})
