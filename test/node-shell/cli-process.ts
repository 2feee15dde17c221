/**
 * Child processes for the CLI, demo and examples tests: spawn `node <script> ...` from the repo
 * root, collect stdout and stderr, wait for a line, wait for the exit, and kill whatever is still
 * running (`killAll`, in afterEach). Every wait is bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const CLI = fileURLToPath(new URL('../../packages/node-shell/dist/cli.js', import.meta.url))

export interface Proc {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  /** Resolves with the first stdout line matching `re` (rejects after `ms` or at exit). */
  readonly line: (re: RegExp, ms?: number) => Promise<string>
  /** Resolves with the exit code (rejects after `ms`). */
  readonly exit: (ms?: number) => Promise<number | null>
}

const running = new Set<ChildProcess>()

/** Fails fast with a clear message when the package was not built (`npx tsc -b`). */
export const requireBuild = (): void => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npx tsc -b)`)
}

export const run = (script: string, args: ReadonlyArray<string>): Proc => {
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  running.add(child)
  let out = ''
  let err = ''
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running.delete(child)
      resolve(code)
    })
  })
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()))
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()))
  const within = <A>(p: Promise<A>, ms: number, what: string): Promise<A> =>
    new Promise<A>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${what}: nothing within ${ms} ms\nstdout: ${out}\nstderr: ${err}`)), ms)
      p.then(
        (a) => {
          clearTimeout(t)
          resolve(a)
        },
        (e: unknown) => {
          clearTimeout(t)
          reject(e instanceof Error ? e : new Error(String(e)))
        },
      )
    })
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    line: (re, ms = 20_000) =>
      within(
        new Promise<string>((resolve, reject) => {
          const check = (): boolean => {
            const found = out.split('\n').find((l) => re.test(l))
            if (found !== undefined) resolve(found)
            return found !== undefined
          }
          if (check()) return
          child.stdout?.on('data', check)
          void exited.then(() => {
            if (!check()) reject(new Error(`exited before printing ${String(re)}\nstdout: ${out}\nstderr: ${err}`))
          })
        }),
        ms,
        `waiting for ${String(re)}`,
      ),
    exit: (ms = 60_000) => within(exited, ms, `waiting for ${script} to exit`),
  }
}

export const cli = (args: ReadonlyArray<string>): Proc => run(CLI, args)

/** The last non-empty stdout line, parsed as JSON. */
export const lastJson = (p: Proc): Record<string, unknown> => {
  const lines = p.stdout().split('\n').filter((l) => l.trim() !== '')
  return JSON.parse(lines[lines.length - 1] ?? 'null') as Record<string, unknown>
}

export const killAll = (): void => {
  for (const c of running) c.kill('SIGKILL')
  running.clear()
}
