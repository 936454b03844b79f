/**
 * Outcomes of pushes whose ack someone may wait for (`broadcastWithAck` → `waitForAck`). An outcome
 * that arrives before `waitForAck` is called is kept, so the order of the two never matters; settled
 * outcomes nobody reads are forgotten oldest first beyond `keep`.
 */
import { RealtimeError } from './errors.js'

export type AckOutcome = { ok: 'acknowledged' } | { error: 'timeout' } | { error: RealtimeError }

interface AckRecord {
  outcome: AckOutcome | null
  waiters: Array<(outcome: AckOutcome) => void>
}

export class AckRegistry {
  private readonly records = new Map<string, AckRecord>()
  private readonly settled: string[] = []

  constructor(private readonly keep = 1000) {}

  track(ref: string): void {
    if (!this.records.has(ref)) this.records.set(ref, { outcome: null, waiters: [] })
  }

  /** Only the first outcome of a ref counts (a reply after a timeout changes nothing). */
  settle(ref: string, outcome: AckOutcome): void {
    const record = this.records.get(ref)
    if (!record || record.outcome) return
    record.outcome = outcome
    const waiters = record.waiters
    record.waiters = []
    for (const waiter of waiters) waiter(outcome)
    this.settled.push(ref)
    while (this.settled.length > this.keep) this.records.delete(this.settled.shift()!)
  }

  /**
   * The outcome of `ref`: the server's ack, the push timeout, or the push's failure; or `{ error: 'timeout' }`
   * after `timeoutMs` when given. An unknown ref is an `invalid_argument` error outcome, not a hang.
   */
  wait(ref: string, timeoutMs?: number): Promise<AckOutcome> {
    const record = this.records.get(ref)
    if (!record) {
      return Promise.resolve({ error: new RealtimeError('invalid_argument', `unknown ack ref ${String(ref)} (use the ref broadcastWithAck returned)`, { ref }) })
    }
    if (record.outcome) return Promise.resolve(record.outcome)
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const done = (outcome: AckOutcome): void => {
        if (timer !== undefined) clearTimeout(timer)
        const index = record.waiters.indexOf(done)
        if (index >= 0) record.waiters.splice(index, 1)
        resolve(outcome)
      }
      record.waiters.push(done)
      if (timeoutMs !== undefined) timer = setTimeout(() => done({ error: 'timeout' }), Math.max(0, timeoutMs))
    })
  }
}
