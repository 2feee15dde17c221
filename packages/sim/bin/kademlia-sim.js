#!/usr/bin/env node
// The installed `kademlia-sim` command: runs the built CLI (packages/sim/dist/cli.js, made by `pnpm build`).
import "../dist/cli.js"
