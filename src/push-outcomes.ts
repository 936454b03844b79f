/**
 * The facade's side of the one push concept (machines/channel/pushes.ts): the outcome of every push
 * someone may wait for — a `broadcastWithAck` (read later with `waitForAck`), a `track` or an
 * `untrack` (awaited at once). An outcome that arrives before anyone waits is kept, so the order of
 * the two never matters; settled outcomes nobody reads are forgotten oldest first beyond `keep`.
 */
import { RealtimeError } from './errors.js'

export type AckOutcome = { ok: 'acknowledged' } | { error: 'timeout' } | { error: RealtimeError }

interface PushRecord {
  outcome: AckOutcome | null
  waiters: Array<(outcome: AckOutcome) => void>
}

export class PushOutcomes {
  private readonly records = new Map<string, PushRecord>()
  private readonly settled: string[] = []

  constructor(private readonly keep = 1000) {}

  /** Someone may wait for the push `ref`: its outcome will be kept. */
  expect(ref: string): void {
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

  /** Every push still waiting fails with `error` (the client was closed). */
  failAll(error: RealtimeError): void {
    for (const ref of [...this.records.keys()]) this.settle(ref, { error })
  }
}
