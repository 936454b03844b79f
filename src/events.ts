/**
 * `RealtimeEvent`: one member per thing a user can receive, delivered to `handleEvent` and to
 * `client.subscribe` listeners. A listener that throws is logged and skipped, never allowed to break
 * the client or the listeners after it.
 */
import type { ChannelStateName } from '../machines/channel/contract.js'
import type { ConnectionStateName, HeartbeatStatus } from '../machines/connection/contract.js'
import type { RealtimeError } from './errors.js'
import type { PresenceEntry } from './presence/types.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'
export type Logger = (level: LogLevel, message: string, data?: unknown) => void

export type { PresenceEntry }

export type RealtimeEvent =
  | { type: 'broadcast'; topic: string; event: string; payload: unknown; meta?: Record<string, unknown> }
  /**
   * Presence: `event` is realtime-js's payload field (the rest of the object is its payload shape);
   * `kind` carries the same value so presence reads like the other families (`connection`, `channel`).
   */
  | { type: 'presence'; kind: 'sync'; topic: string; event: 'sync' }
  | { type: 'presence'; kind: 'join'; topic: string; event: 'join'; key: string; currentPresences: PresenceEntry[]; newPresences: PresenceEntry[] }
  | { type: 'presence'; kind: 'leave'; topic: string; event: 'leave'; key: string; currentPresences: PresenceEntry[]; leftPresences: PresenceEntry[] }
  | {
      type: 'postgres_changes'
      topic: string
      eventType: 'INSERT' | 'UPDATE' | 'DELETE'
      schema: string
      table: string
      commit_timestamp: string
      new: Record<string, unknown>
      old: Record<string, unknown>
      errors: unknown
    }
  | { type: 'connection'; kind: 'state_change'; old: ConnectionStateName; new: ConnectionStateName }
  | { type: 'connection'; kind: 'heartbeat'; status: HeartbeatStatus; rttMs?: number }
  | { type: 'channel'; kind: 'state_change'; topic: string; old: ChannelStateName; new: ChannelStateName }
  | { type: 'channel'; kind: 'resubscribed'; topic: string; gapMs: number }
  | { type: 'channel'; kind: 'system'; topic: string; status: string; message: string; extension: string | null }
  | { type: 'error'; error: RealtimeError; topic?: string }

export type RealtimeEventListener = (event: RealtimeEvent) => void

/** Errors and warnings reach the console unless a logger is given; debug and info are dropped. */
export const defaultLogger: Logger = (level, message, data) => {
  if (level === 'error') console.error(`[realtime-xstate] ${message}`, data ?? '')
  else if (level === 'warn') console.warn(`[realtime-xstate] ${message}`, data ?? '')
}

/**
 * A listener list that is copied on write, so dispatch iterates a stable array without allocating
 * (a listener that unsubscribes itself or another one during dispatch does not disturb the loop).
 */
export class ListenerList<T> {
  private items: ReadonlyArray<(value: T) => void> = []

  get size(): number {
    return this.items.length
  }

  add(listener: (value: T) => void): () => void {
    // A wrapper per registration: the same function added twice has two independent disposers.
    const entry = (value: T): void => listener(value)
    this.items = [...this.items, entry]
    let active = true
    return () => {
      if (!active) return
      active = false
      this.items = this.items.filter((item) => item !== entry)
    }
  }

  /** Calls every listener; one that throws is reported to `onError` and the others still run. */
  dispatch(value: T, onError: (error: unknown) => void): void {
    const items = this.items
    for (let i = 0; i < items.length; i++) {
      try {
        items[i]!(value)
      } catch (error) {
        onError(error)
      }
    }
  }
}
