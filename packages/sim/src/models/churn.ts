/**
 * The churn model: how long a node stays (its session) and how long until a newcomer takes the
 * place of one that left (the downtime). Session lengths follow exponential, Weibull or Pareto
 * laws, the heavy-tailed ones matching measured peer-to-peer uptimes (the paper's Fig. 3
 * argument for preferring long-lived contacts, §2.2).
 */
import * as Random from '../random.js'
import type { Session } from '../scenario.js'

// queries

/** One draw of a session (or downtime) length in milliseconds. */
export const draw = (rng: Random.Random, law: Session): number => {
  switch (law.kind) {
    case 'exponential':
      return Random.exponential(rng, law.mean)
    case 'weibull':
      return Random.weibull(rng, law.shape, law.scale)
    case 'pareto':
      return Random.pareto(rng, law.shape, law.min)
  }
}

/** The mean of the law in milliseconds (Infinity for a Pareto law with shape ≤ 1). */
export const mean = (law: Session): number => {
  switch (law.kind) {
    case 'exponential':
      return law.mean
    case 'weibull':
      return law.scale * gamma(1 + 1 / law.shape)
    case 'pareto':
      return law.shape <= 1 ? Infinity : (law.shape * law.min) / (law.shape - 1)
  }
}

/** Γ(x) for x > 0 (Lanczos approximation, g = 7), enough for the Weibull mean. */
export const gamma = (x: number): number => {
  const g = 7
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ]
  if (x < 0.5) return Math.PI / (Math.sin(Math.PI * x) * gamma(1 - x))
  const y = x - 1
  let a = c[0] as number
  const t = y + g + 0.5
  for (let i = 1; i < g + 2; i++) a += (c[i] as number) / (y + i)
  return Math.sqrt(2 * Math.PI) * Math.pow(t, y + 0.5) * Math.exp(-t) * a
}
