/**
 * The node-by-node replay of `bench:core`, run in a worker thread: a fresh V8 isolate whose code
 * has only ever stepped nodes, as in a process running one node.
 *
 * Why not in the main thread: building the 10^4-node oracle network there keeps every routing
 * table it makes alive, so V8 marks the allocation sites of the table's copy-on-write paths as
 * long-lived ("allocation-site pretenuring") and from then on allocates what those sites make
 * directly in the old generation, even the copies a step makes and drops at once. The replay in
 * that isolate measured half the steps/s of the same code in a fresh one (~100 k vs ~210 k per CPU
 * second, and ~220 k in the main thread with `--no-allocation-site-pretenuring`): a cost of the
 * harness, not of a node. The interleaved replay (all states live, as a simulator holds them)
 * stays in the main thread, where that cost is real.
 *
 * Input (`workerData`): the start states of the nodes and each node's recorded events, cloned
 * into this isolate; output (one message): the rates and the µs per step by kind.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { Node } from '@kademlia-ts/core'
import type { Event, NodeState } from '@kademlia-ts/core'
import { mark, now, since } from './core-stats.js'

// model

export interface ReplayInput {
  /** Each replayed node's start state and its events in their original order. */
  readonly groups: ReadonlyArray<readonly [NodeState, ReadonlyArray<Event>]>
  readonly runs: number
  readonly minSeconds: number
}

/** A rate per wall-clock second and per CPU second of this process. */
export interface Rate {
  readonly wall: number
  readonly cpu: number
}

export interface ReplayOutput {
  readonly rates: ReadonlyArray<Rate>
  /** Kind of event, how many, µs per step (clock overhead included). */
  readonly kinds: ReadonlyArray<readonly [string, number, number]>
}

// queries

export const kindOf = (e: Event): string => (e._tag === 'MessageReceived' ? e.message._tag : e._tag)

// transitions

/**
 * Replays each node's events through `Node.step` from its start state, one node after the other
 * (as one core running one node would; the intermediate states die young), repeating until at
 * least `minSeconds` of wall time passed. Steps per second.
 */
export const replay = (groups: ReplayInput['groups'], minSeconds: number): Rate => {
  let steps = 0
  const t0 = mark()
  for (let round = 0; round < 1000 && (round === 0 || since(t0).wall < minSeconds); round++) {
    for (const [start, events] of groups) {
      let s = start
      for (const event of events) s = Node.step(s, event).state
      steps += events.length
    }
  }
  const t = since(t0)
  return { wall: steps / t.wall, cpu: steps / t.cpu }
}

/** One replay timing each step: µs per step by kind of event, clock overhead included. */
export const perKind = (groups: ReplayInput['groups']): ReplayOutput['kinds'] => {
  const time = new Map<string, { n: number; ms: number }>()
  for (const [start, events] of groups) {
    let s = start
    for (const event of events) {
      const t = now()
      s = Node.step(s, event).state
      const ms = now() - t
      const k = time.get(kindOf(event)) ?? { n: 0, ms: 0 }
      time.set(kindOf(event), { n: k.n + 1, ms: k.ms + ms })
    }
  }
  return [...time.entries()].sort((a, b) => b[1].n - a[1].n).map(([kind, { n, ms }]) => [kind, n, (1000 * ms) / n] as const)
}

const main = (input: ReplayInput): ReplayOutput => {
  replay(input.groups, 0) // warm-up
  const rates: Rate[] = []
  for (let run = 0; run < input.runs; run++) {
    const r = replay(input.groups, input.minSeconds)
    rates.push(r)
    process.stderr.write(
      `[bench:core] steps run ${run + 1}/${input.runs}: ${Math.round(r.wall)} steps/s (${Math.round(r.cpu)} per CPU second)\n`,
    )
  }
  return { rates, kinds: perKind(input.groups) }
}

if (parentPort !== null) parentPort.postMessage(main(workerData as ReplayInput))
