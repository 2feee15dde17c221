/**
 * Round-trip-time estimation and the adaptive RPC timeout (paper §2.3 fn. 1 suggests using RTT
 * estimates; §4.1 exponential back-off). One estimator per node, RFC 6298 style:
 * SRTT ← 7/8·SRTT + 1/8·R, RTTVAR ← 3/4·RTTVAR + 1/4·|SRTT − R|, RTO = SRTT + 4·RTTVAR,
 * clamped to [min, max]. A contact with f consecutive failures waits RTO·2^min(f, 3) (back-off),
 * still clamped, so a flaky peer is given more time while a dead one never costs more than `max`.
 */
import type { Duration } from '../time.js'

// model

export interface Rtt {
  /** Smoothed round-trip time in ms, undefined before the first sample. */
  readonly srtt: number | undefined
  readonly rttvar: number
}

export interface Bounds {
  readonly initialRpcTimeout: Duration
  readonly minRpcTimeout: Duration
  readonly maxRpcTimeout: Duration
}

const MAX_BACKOFF_EXPONENT = 3

// constructors

export const empty: Rtt = { srtt: undefined, rttvar: 0 }

// queries

const clamp = (n: number, lo: number, hi: number): number => (n < lo ? lo : n > hi ? hi : n)

/** The retransmission timeout before back-off. */
export const rto = (rtt: Rtt, b: Bounds): Duration =>
  Math.ceil(
    clamp(rtt.srtt === undefined ? b.initialRpcTimeout : rtt.srtt + 4 * rtt.rttvar, b.minRpcTimeout, b.maxRpcTimeout),
  ) as Duration

/** The timeout of an RPC to a contact with `failures` consecutive failures (§4.1 back-off). */
export const timeoutFor = (rtt: Rtt, b: Bounds, failures: number): Duration => {
  const f = clamp(Math.floor(failures), 0, MAX_BACKOFF_EXPONENT)
  return Math.ceil(clamp(rto(rtt, b) * 2 ** f, b.minRpcTimeout, b.maxRpcTimeout)) as Duration
}

// transitions

/** Folds in one measured round trip (ms, ≥ 0). */
export const sample = (rtt: Rtt, measured: number): Rtt => {
  const r = measured < 0 || !Number.isFinite(measured) ? 0 : measured
  if (rtt.srtt === undefined) return { srtt: r, rttvar: r / 2 }
  const rttvar = 0.75 * rtt.rttvar + 0.25 * Math.abs(rtt.srtt - r)
  const srtt = 0.875 * rtt.srtt + 0.125 * r
  return { srtt, rttvar }
}
