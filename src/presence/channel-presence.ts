/**
 * Presence of one channel facade: the store fed by the router's `presence_state` / `presence_diff`
 * frames, and its reports handed to `channel.on('presence', …)` listeners and, as `RealtimeEvent`s,
 * to the client's listeners. Reports are dispatched after the store applied the whole frame.
 */
import type { RealtimeEvent } from '../events.js'
import type { PhoenixMessage } from '../protocol/types.js'
import { PresenceListeners } from './listeners.js'
import { PresenceStore } from './store.js'
import type { PresencePayload, RawPresenceDiff, RawPresenceMap } from './types.js'

export interface PresenceHost {
  readonly topic: string
  /** The channel's current join ref. */
  joinRef(): string | null
  /** Whether the client has listeners (`handleEvent`, `client.subscribe`). */
  hasClientListeners(): boolean
  emit(event: RealtimeEvent): void
  onListenerError(error: unknown): void
}

export function presenceEvent(topic: string, payload: PresencePayload): RealtimeEvent {
  switch (payload.event) {
    case 'join':
      return { type: 'presence', kind: 'join', topic, ...payload }
    case 'leave':
      return { type: 'presence', kind: 'leave', topic, ...payload }
    case 'sync':
      return { type: 'presence', kind: 'sync', topic, event: 'sync' }
    default: {
      const unreachable: never = payload
      return unreachable
    }
  }
}

export class ChannelPresence {
  readonly listeners = new PresenceListeners()
  readonly store: PresenceStore

  constructor(private readonly host: PresenceHost) {
    this.store = new PresenceStore({
      joinRef: () => host.joinRef(),
      wantsReports: () => this.listeners.size > 0 || host.hasClientListeners(),
    })
  }

  readonly onState = (message: PhoenixMessage): void => this.deliver(this.store.applyState(message.payload as RawPresenceMap))

  readonly onDiff = (message: PhoenixMessage): void => this.deliver(this.store.applyDiff(message.payload as RawPresenceDiff))

  private deliver(reports: PresencePayload[]): void {
    for (const report of reports) {
      if (this.listeners.size > 0) this.listeners.dispatch(report, this.host.onListenerError)
      if (this.host.hasClientListeners()) this.host.emit(presenceEvent(this.host.topic, report))
    }
  }
}
