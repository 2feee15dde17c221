#!/usr/bin/env node
/* global process, console */
// The first node of a network (the Python library's examples/first_node.py).
//
//   node examples/first-node.mjs [port]        (default 8468; 0 picks a free port)
//
// It listens on 127.0.0.1 and runs until Ctrl-C. Other nodes join through it:
//   node examples/set.mjs 127.0.0.1 8468 my-key "my value"
//   node examples/get.mjs 127.0.0.1 8468 my-key
import { Server } from '@kademlia-ts/node-shell'

const port = Number(process.argv[2] ?? 8468)

const server = new Server()
server.on('contactAdded', (peer) => console.error(`new contact ${peer.address}`))
await server.listen(port, '127.0.0.1')
// One line on stdout with the address, so scripts (and the examples' test) can find the node.
console.log(`listening on 127.0.0.1:${server.port}`)

const stop = async () => {
  await server.stop()
  console.log('stopped')
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
