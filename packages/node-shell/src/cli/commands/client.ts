/**
 * `kademlia get KEY` and `kademlia set KEY VALUE`: start an ephemeral node on `--host` (default
 * 127.0.0.1) and port 0, join through `--bootstrap`, run the one operation, print, stop. Every
 * step is bounded by `--timeout`.
 */
import * as E from 'fp-ts/lib/Either.js'
import { NodeId } from '@kademlia-ts/core'
import { LookupFailedError } from '../../errors.js'
import { Server } from '../../server.js'
import { CliError, EXIT_FAILED, EXIT_NOT_FOUND, EXIT_OK, fail, jsonValue, printJson, printLine, textValue } from '../output.js'
import * as Parse from '../parse.js'

// model

export interface ClientOptions {
  readonly bootstrap: ReadonlyArray<string>
  readonly host: string
  readonly timeout: number
  readonly json: boolean
}

export interface SetOptions extends ClientOptions {
  readonly type: Parse.ValueType
}

// transitions

/** Runs `body` with a joined ephemeral server, always stopping it; returns the exit code. */
const withServer = async (o: ClientOptions, body: (server: Server, signal: () => AbortSignal) => Promise<number>): Promise<number> => {
  const server = new Server()
  server.on('error', () => undefined)
  const signal = (): AbortSignal => AbortSignal.timeout(o.timeout)
  try {
    if (o.bootstrap.length === 0) throw new CliError('NO_BOOTSTRAP', 'give at least one peer with --bootstrap host:port')
    await server.listen(0, o.host, { signal: signal() })
    await server.bootstrap(o.bootstrap, { signal: signal() }).catch((e: unknown) => {
      throw e instanceof LookupFailedError
        ? new CliError('LOOKUP_FAILED', `no answer from ${o.bootstrap.join(', ')}: is a node running there?`)
        : e
    })
    return await body(server, signal)
  } catch (e) {
    return fail(e, o.json)
  } finally {
    await server.stop()
  }
}

export const get = (key: string, o: ClientOptions): Promise<number> =>
  withServer(o, async (server, signal) => {
    const t0 = performance.now()
    const value = await server.get(key, { signal: signal() })
    const ms = Math.round((performance.now() - t0) * 100) / 100
    if (o.json)
      printJson({
        ok: true,
        key,
        digest: NodeId.toHex(NodeId.fromKey(key)),
        found: value !== undefined,
        ...(value === undefined ? {} : jsonValue(value)),
        ms,
      })
    else if (value !== undefined) printLine(textValue(value))
    else process.stderr.write(`kademlia: no value found for ${JSON.stringify(key)}\n`)
    return value === undefined ? EXIT_NOT_FOUND : EXIT_OK
  })

export const set = (key: string, text: string, o: SetOptions): Promise<number> => {
  const value = Parse.value(text, o.type)
  if (E.isLeft(value)) return Promise.resolve(fail(new CliError('INVALID_VALUE', value.left), o.json))
  return withServer(o, async (server, signal) => {
    const t0 = performance.now()
    const replicas = await server.set(key, value.right, { signal: signal() })
    const ms = Math.round((performance.now() - t0) * 100) / 100
    if (o.json) printJson({ ok: true, key, digest: NodeId.toHex(NodeId.fromKey(key)), replicas, ms })
    else printLine(`stored ${JSON.stringify(key)} on ${replicas} peer${replicas === 1 ? '' : 's'}`)
    return replicas > 0 ? EXIT_OK : EXIT_FAILED
  })
}
