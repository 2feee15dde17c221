/**
 * `kademlia node`: a long-running DHT node (Python's `first_node.py`, plus joining and
 * persistence). It listens on `--host:--port`, joins through `--bootstrap` peers if any, prints
 * its address, then a stats line every `--stats` seconds, until SIGINT or SIGTERM, when it saves
 * its state and stops cleanly.
 *
 * With `--data DIR` it keeps its records, contacts and id in an LMDB environment `DIR/records`
 * (durable: an acknowledged STORE survives `kill -9`) and its Python-style state (k, alpha, id,
 * neighbours) in `DIR/state.json`, saved every minute and at shutdown; a restart with the same
 * DIR comes back with the same id and data and rejoins through the saved neighbours.
 */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { NodeId } from '@kademlia-ts/core'
import { Server } from '../../server.js'
import { LmdbStorage } from '../../storage/lmdb.js'
import { EXIT_OK, fail, printJson, printLine, warn } from '../output.js'

// model

export interface NodeOptions {
  readonly port: number
  readonly host: string
  readonly bootstrap: ReadonlyArray<string>
  readonly data: string | undefined
  /** Seconds between stats lines; 0 for none. */
  readonly stats: number
  readonly timeout: number
  readonly json: boolean
}

const SAVE_EVERY_SECONDS = 60

// helpers

const start = async (o: NodeOptions): Promise<{ server: Server; statePath: string | undefined }> => {
  if (o.data === undefined) {
    const server = new Server()
    await server.listen(o.port, o.host)
    return { server, statePath: undefined }
  }
  mkdirSync(o.data, { recursive: true })
  const statePath = join(o.data, 'state.json')
  const storage = new LmdbStorage({ path: join(o.data, 'records') })
  try {
    const server = existsSync(statePath)
      ? await Server.loadState(statePath, {
          port: o.port,
          host: o.host,
          storage,
          ignoreUnreadable: true,
          onUnreadable: (e) => warn(`kademlia: ignoring the state file: ${e.message}`),
        })
      : new Server({ storage })
    if (server.port === undefined) await server.listen(o.port, o.host)
    return { server, statePath }
  } catch (e) {
    await storage.close().catch(() => undefined)
    throw e
  }
}

const stats = (server: Server) => {
  const m = server.metrics()
  return {
    contacts: m.routingTableSize,
    records: m.records,
    datagrams_in: m.datagramsIn,
    datagrams_out: m.datagramsOut,
    rpcs_sent: m.core.rpcsSent,
    rpcs_timed_out: m.core.rpcsTimedOut,
    requests_answered: m.core.requestsAnswered,
    malformed: m.malformed.total,
    uptime_s: Math.round(m.uptimeMs / 1000),
  }
}

// the command

export const node = async (o: NodeOptions): Promise<number> => {
  // Signal handlers first: a signal that comes while starting (or right after the address is
  // printed, which a supervisor may react to at once) still stops the node cleanly.
  let signalled: NodeJS.Signals | undefined
  let onSignal: (signal: NodeJS.Signals) => void = (signal) => {
    signalled = signal
  }
  const handler = (signal: NodeJS.Signals): void => onSignal(signal)
  process.once('SIGINT', handler)
  process.once('SIGTERM', handler)

  let server: Server
  let statePath: string | undefined
  try {
    ;({ server, statePath } = await start(o))
  } catch (e) {
    process.off('SIGINT', handler)
    process.off('SIGTERM', handler)
    return fail(e, o.json)
  }
  server.on('error', (e) => warn(`kademlia: ${e.message}`))
  const id = NodeId.toHex(server.nodeId)
  const addresses = server.addresses.map((a) => (a.family === 6 ? `[${a.host}]:${a.port}` : `${a.host}:${a.port}`))
  let timer: NodeJS.Timeout | undefined
  let stopping = false
  const stopped = new Promise<number>((resolve) => {
    onSignal = (signal) => {
      if (stopping) return
      stopping = true
      if (timer !== undefined) clearInterval(timer)
      void (async () => {
        if (statePath !== undefined) await server.saveState(statePath).catch((e: unknown) => warn(`kademlia: ${String(e)}`))
        const final = stats(server)
        await server.stop()
        if (o.json) printJson({ event: 'stopped', signal, ...final })
        else printLine(`stopped (${signal})`)
        resolve(EXIT_OK)
      })()
    }
  })
  if (signalled !== undefined) {
    onSignal(signalled)
    return stopped
  }
  if (o.json) printJson({ event: 'listening', id, addresses, port: server.port, data: o.data ?? null })
  else printLine(`node ${id} listening on ${addresses.join(', ')}${o.data === undefined ? '' : ` (data in ${o.data})`}`)

  if (o.bootstrap.length > 0 && !stopping) {
    try {
      const neighbors = await server.bootstrap(o.bootstrap, { signal: AbortSignal.timeout(o.timeout) })
      if (o.json) printJson({ event: 'bootstrapped', contacts: server.contacts().length, neighbors: neighbors.length })
      else printLine(`joined through ${o.bootstrap.join(', ')}: ${server.contacts().length} contacts`)
    } catch (e) {
      // A node that could not join still serves: peers that learn of it will fill its table.
      warn(`kademlia: could not join through ${o.bootstrap.join(', ')}: ${e instanceof Error ? e.message : String(e)}`)
    }
  }
  if (statePath !== undefined && !stopping) await server.saveStateRegularly(statePath, SAVE_EVERY_SECONDS).catch((e: unknown) => warn(`kademlia: ${String(e)}`))

  // A signal may have come during the awaits above: then the node is already stopping.
  if (o.stats > 0 && !stopping)
    timer = setInterval(() => {
      const s = stats(server)
      if (o.json) printJson({ event: 'stats', ...s })
      else
        printLine(
          `${s.contacts} contacts, ${s.records} records, ${s.datagrams_in} datagrams in / ${s.datagrams_out} out, ${s.rpcs_sent} RPCs sent (${s.rpcs_timed_out} timed out)`,
        )
    }, o.stats * 1000)
  return stopped
}
