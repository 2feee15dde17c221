#!/usr/bin/env node
/* global process, console */
// Fetch a value from the network (the Python library's examples/get.py).
//
//   node examples/get.mjs <bootstrap host> <bootstrap port> <key>
import { Server } from '@kademlia-ts/node-shell'

if (process.argv.length !== 5) {
  console.error('Usage: node examples/get.mjs <bootstrap host> <bootstrap port> <key>')
  process.exit(1)
}
const [host, port, key] = process.argv.slice(2)

const server = new Server()
await server.listen(0, '127.0.0.1')
try {
  await server.bootstrap([[host, Number(port)]])
  const result = await server.get(key)
  console.log(`Get result: ${result === undefined ? '(not found)' : result}`)
  if (result === undefined) process.exitCode = 1
} finally {
  await server.stop()
}
