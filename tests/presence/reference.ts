/**
 * The reference the differential test compares against: the official Phoenix JS client's `Presence`
 * (npm `phoenix`, the algorithm) on a fake channel, with its callbacks turned into realtime-js payloads
 * by realtime-js's own `PresenceAdapter` (the shapes). Not a test file: it only exports helpers.
 */
import { createRequire } from 'node:module'
import type { PresencePayload } from '../../src/presence/index.js'

/** Phoenix's presence data: `{ [key]: { metas } }`, metas with `phx_ref`. */
export type PhxState = Record<string, { metas: Array<Record<string, unknown>> }>
export interface PhxDiff {
  joins: PhxState
  leaves: PhxState
}
type OnJoin = (key: string, current: PhxState[string] | undefined, joined: PhxState[string]) => void
type OnLeave = (key: string, current: PhxState[string], left: PhxState[string]) => void

interface FakeChannel {
  joinRef(): string | null
  on(event: string, callback: (payload: unknown) => void): void
}

interface PhoenixPresenceInstance {
  state: PhxState
  pendingDiffs: PhxDiff[]
  onJoin(callback: OnJoin): void
  onLeave(callback: OnLeave): void
  onSync(callback: () => void): void
  inPendingSyncState(): boolean
}

export interface PhoenixPresenceClass {
  new (channel: FakeChannel): PhoenixPresenceInstance
  syncState(current: PhxState, next: PhxState, onJoin?: OnJoin, onLeave?: OnLeave): PhxState
  syncDiff(state: PhxState, diff: PhxDiff, onJoin?: OnJoin, onLeave?: OnLeave): PhxState
}

interface RealtimePresenceAdapter {
  transformState(state: PhxState): Record<string, unknown[]>
  onJoinPayload(key: string, current: PhxState[string] | undefined, joined: PhxState[string]): PresencePayload
  onLeavePayload(key: string, current: PhxState[string], left: PhxState[string]): PresencePayload
}

// `phoenix` ships no types: loaded through a non-literal specifier and typed by the interfaces above.
const phoenixSpecifier = 'phoenix'
export const { Presence } = (await import(phoenixSpecifier)) as { Presence: PhoenixPresenceClass }

// realtime-js does not export its adapter; its CommonJS build is loaded by path (stable across Node versions).
const require = createRequire(import.meta.url)
export const PresenceAdapter = (require('@supabase/realtime-js/dist/main/phoenix/presenceAdapter.js') as { default: RealtimePresenceAdapter }).default

/** A JSON deep copy: keeps own `__proto__` keys as data, as the wire does. */
export const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

/**
 * realtime-js's payloads for Phoenix's callbacks, copied at call time: Phoenix hands its live state to
 * `onLeave` and keeps mutating it afterwards.
 */
export function reportingCallbacks(log: PresencePayload[]): { onJoin: OnJoin; onLeave: OnLeave } {
  return {
    onJoin: (key, current, joined) => log.push(clone(PresenceAdapter.onJoinPayload(key, current, joined))),
    onLeave: (key, current, left) => log.push(clone(PresenceAdapter.onLeavePayload(key, current, left))),
  }
}

/** A Phoenix `Presence` on a fake channel whose join ref the test moves, with every payload logged. */
export class PhoenixReference {
  joinRef: string | null = null
  readonly log: PresencePayload[] = []
  private readonly handlers = new Map<string, (payload: unknown) => void>()
  readonly presence: PhoenixPresenceInstance

  constructor() {
    const channel: FakeChannel = {
      joinRef: () => this.joinRef,
      on: (event, callback) => void this.handlers.set(event, callback),
    }
    this.presence = new Presence(channel)
    const { onJoin, onLeave } = reportingCallbacks(this.log)
    this.presence.onJoin(onJoin)
    this.presence.onLeave(onLeave)
    this.presence.onSync(() => this.log.push({ event: 'sync' }))
  }

  applyState(state: PhxState): void {
    this.trigger('presence_state', state)
  }

  applyDiff(diff: PhxDiff): void {
    this.trigger('presence_diff', diff)
  }

  /** The payloads logged since the last call. */
  drain(): PresencePayload[] {
    return this.log.splice(0)
  }

  private trigger(event: string, payload: unknown): void {
    const handler = this.handlers.get(event)
    if (!handler) throw new Error(`phoenix Presence did not bind ${event}`)
    handler(payload)
  }
}

/**
 * realtime-js's `presenceState()` of a Phoenix state, entry by entry with realtime-js's own transform.
 * Not `PresenceAdapter.transformState` itself: it assigns keys into a `{}`, so a `__proto__` key sets the
 * result's prototype instead of appearing (a realtime-js bug we do not copy).
 */
export function realtimeView(state: PhxState): Record<string, unknown[]> {
  const view = Object.create(null) as Record<string, unknown[]>
  for (const key of Object.getOwnPropertyNames(state)) {
    const presence = state[key]
    if (presence) view[key] = (PresenceAdapter.onJoinPayload(key, undefined, presence) as { newPresences: unknown[] }).newPresences
  }
  return view
}

/** Phoenix's state reduced to what the store keeps (`metas` per key), as JSON text: key order counts. */
export function phxStateText(state: PhxState): string {
  const out = Object.create(null) as PhxState
  for (const key of Object.getOwnPropertyNames(state)) out[key] = { metas: state[key]?.metas ?? [] }
  return JSON.stringify(out)
}
