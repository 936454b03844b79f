/** `channel.on('presence', { event }, cb)` listeners of one channel: `join`, `leave`, `sync` or every one with `'*'`. */
import { RealtimeError } from '../errors.js'
import { ListenerList } from '../events.js'
import type { PresenceListenEvent, PresencePayload, PresencePayloadOf } from './types.js'

const EVENTS: ReadonlySet<string> = new Set<PresenceListenEvent>(['join', 'leave', 'sync', '*'])

export class PresenceListeners {
  private readonly lists = new Map<PresenceListenEvent, ListenerList<PresencePayload>>()

  get size(): number {
    let size = 0
    for (const list of this.lists.values()) size += list.size
    return size
  }

  add<E extends PresenceListenEvent>(event: E, callback: (payload: PresencePayloadOf<E>) => void): () => void {
    if (!EVENTS.has(event)) throw new RealtimeError('invalid_argument', `on('presence', { event }): event must be 'join', 'leave', 'sync' or '*', got ${String(event)}`, { event })
    if (typeof callback !== 'function') throw new RealtimeError('invalid_argument', "on('presence'): the callback must be a function")
    let list = this.lists.get(event)
    if (!list) {
      list = new ListenerList<PresencePayload>()
      this.lists.set(event, list)
    }
    // A `join` list only ever receives join payloads (dispatch picks the list by the payload's event).
    return list.add(callback as (payload: PresencePayload) => void)
  }

  dispatch(payload: PresencePayload, onError: (error: unknown) => void): void {
    this.lists.get(payload.event)?.dispatch(payload, onError)
    this.lists.get('*')?.dispatch(payload, onError)
  }
}
