/**
 * When to try again after a connection drops: a quick, random first retry, then a growing backoff,
 * every delay jittered so that many clients never reconnect in lockstep.
 */
import type { ReconnectSchedule } from './contract.js'

/** Base delays of attempts 2, 3, 4, 5+ (attempt 1 is the quick retry); realtime-js's `RECONNECT_INTERVALS`. */
export const DEFAULT_RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10_000] as const
/** The first retry after a drop waits a random 0–250 ms: fast, but spread so clients do not stampede. */
export const FIRST_RETRY_MAX_MS = 250
/** Relative jitter applied to every scheduled delay. */
export const RECONNECT_JITTER = 0.1

/**
 * The wait before reconnect attempt `attempt` (1-based: 1 is the first retry after a drop).
 * A function schedule is the caller's whole policy and is used as is (clamped at 0).
 */
export function reconnectDelayFor(attempt: number, schedule: ReconnectSchedule | undefined, random: () => number): number {
  if (typeof schedule === 'function') return Math.max(0, schedule(attempt))
  if (schedule !== undefined) {
    const base = schedule[Math.min(Math.max(attempt, 1), schedule.length) - 1] ?? 0
    return jittered(base, random)
  }
  if (attempt <= 1) return Math.round(random() * FIRST_RETRY_MAX_MS)
  const bases = DEFAULT_RECONNECT_DELAYS_MS
  return jittered(bases[Math.min(attempt - 2, bases.length - 1)] ?? 0, random)
}

function jittered(base: number, random: () => number): number {
  return Math.max(0, Math.round(base * (1 - RECONNECT_JITTER + 2 * RECONNECT_JITTER * random())))
}
