#!/usr/bin/env node
/* global process, console */
// Store a value in the network (the Python library's examples/set.py).
//
//   node examples/set.mjs <bootstrap host> <bootstrap port> <key> <value>
import { Server } from '@kademlia-ts/node-shell'

if (process.argv.length !== 6) {
  console.error('Usage: node examples/set.mjs <bootstrap host> <bootstrap port> <key> <value>')
  process.exit(1)
}
const [host, port, key, value] = process.argv.slice(2)

const server = new Server()
// Port 0: any free port (Python's example uses 8469, which clashes when two examples run at once).
await server.listen(0, '127.0.0.1')
try {
  await server.bootstrap([[host, Number(port)]])
  const replicas = await server.set(key, value)
  console.log(`Stored ${JSON.stringify(key)} on ${replicas} node(s)`)
} finally {
  await server.stop()
}
