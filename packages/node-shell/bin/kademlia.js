#!/usr/bin/env node
// The installed `kademlia` command: runs the built CLI (packages/node-shell/dist/cli.js, made by `pnpm build`).
import "../dist/cli.js"
