/**
 * Fault injection for tests: the switches sessions consult (silence, delay, swallowed acks,
 * refused upgrades) and the actions the server performs on demand (drop, channel error, restart).
 */

export interface UpgradeRefusal {
  /** HTTP status of the refusal. @default 500 */
  readonly status?: number
  /** Body `error`. @default 'Error connecting to Realtime' */
  readonly error?: string
}

export interface FaultState {
  readonly silent: boolean
  readonly delayMs: number
  readonly swallowAcks: boolean
  readonly refuseUpgrades: number
}

export interface DevServerFaults {
  /**
   * Drops every socket. Without `code` the TCP connection is cut (clients see 1006, like a network
   * loss); with one, a close frame with that code is sent (e.g. 1012 for a drain). Returns the count.
   */
  dropAllSockets(close?: { code: number; reason?: string }): number
  /** Keeps sockets open but stops reading and answering them (heartbeats included) until `resume()`. */
  goSilent(): void
  /** Ends `goSilent()`. Frames that arrived while silent were never read and stay unanswered. */
  resume(): void
  /** The next `count` WebSocket upgrades get an HTTP error instead (default 500 `Error connecting to Realtime`). */
  refuseUpgrades(count: number, refusal?: UpgradeRefusal): void
  /** Delays every frame the server sends by `ms` (order kept). `0` ends the delay. */
  delayFrames(ms: number): void
  /** Crashes `topic`'s channel on every socket: `phx_error`, then the channel is gone. Returns the count. */
  errorChannel(topic: string): number
  /** While on, broadcast acks are never sent (the pushes are still fanned out). */
  swallowAcks(on?: boolean): void
  /** Drops every socket and forgets all rooms, presence and faults; the server keeps its port and secret. */
  restart(): Promise<void>
  /** Turns every switch off (silence, delay, swallowed acks, pending refusals). */
  reset(): void
  readonly state: FaultState
}

/** What the server does for the action faults. */
export interface FaultHost {
  dropAllSockets(close?: { code: number; reason?: string }): number
  errorChannel(topic: string): number
  restart(): Promise<void>
}

export class Faults implements DevServerFaults {
  #silent = false
  #delayMs = 0
  #swallowAcks = false
  #refusals: { remaining: number; status: number; error: string } = { remaining: 0, status: 500, error: 'Error connecting to Realtime' }
  host: FaultHost | null = null

  get state(): FaultState {
    return { silent: this.#silent, delayMs: this.#delayMs, swallowAcks: this.#swallowAcks, refuseUpgrades: this.#refusals.remaining }
  }

  get silent(): boolean {
    return this.#silent
  }

  get delayMs(): number {
    return this.#delayMs
  }

  get acksSwallowed(): boolean {
    return this.#swallowAcks
  }

  /** Consumes one refusal, if any is pending. */
  takeUpgradeRefusal(): { status: number; error: string } | null {
    if (this.#refusals.remaining <= 0) return null
    this.#refusals.remaining -= 1
    return { status: this.#refusals.status, error: this.#refusals.error }
  }

  dropAllSockets(close?: { code: number; reason?: string }): number {
    return this.#requireHost().dropAllSockets(close)
  }

  goSilent(): void {
    this.#silent = true
  }

  resume(): void {
    this.#silent = false
  }

  refuseUpgrades(count: number, refusal: UpgradeRefusal = {}): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`refuseUpgrades count must be a non-negative integer, got ${count}`)
    this.#refusals = { remaining: count, status: refusal.status ?? 500, error: refusal.error ?? 'Error connecting to Realtime' }
  }

  delayFrames(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`delayFrames ms must be a non-negative number, got ${ms}`)
    this.#delayMs = ms
  }

  errorChannel(topic: string): number {
    return this.#requireHost().errorChannel(topic)
  }

  swallowAcks(on = true): void {
    this.#swallowAcks = on
  }

  restart(): Promise<void> {
    return this.#requireHost().restart()
  }

  reset(): void {
    this.#silent = false
    this.#delayMs = 0
    this.#swallowAcks = false
    this.#refusals = { ...this.#refusals, remaining: 0 }
  }

  #requireHost(): FaultHost {
    if (!this.host) throw new Error('the dev server is not running')
    return this.host
  }
}
