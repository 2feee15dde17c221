#!/usr/bin/env node
/**
 * `kademlia-sim`: run a scenario file, or one built from flags, and write the results.
 *
 *   kademlia-sim run SCENARIO [--seed S] [--out DIR] [--json]
 *   kademlia-sim run --nodes N --duration 2h [--churn exponential:1h] [--lookups 5] [--seed S] [--out DIR] [--json]
 *
 * Flags given next to a scenario file override its fields. `--json` ends the output with one JSON
 * line (`trace_hash`, `events`, `events_per_s`, `nodes`, `lookup_success_rate`, `mean_hops`, …).
 */
import { program } from './cli-program.js'

await program().parseAsync(process.argv)
