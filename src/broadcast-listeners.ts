/**
 * Broadcast listeners of one channel, matched as realtime-js matches them (protocol.md §5.3): the
 * event name case-insensitively, or every event for `'*'` (and the seed spelling `'all'`).
 */
import { RealtimeError } from './errors.js'
import { ListenerList } from './events.js'
import type { BroadcastPayload } from './protocol/types.js'

export type BroadcastMessage = BroadcastPayload
export type BroadcastCallback = (message: BroadcastMessage) => void

const WILDCARDS = new Set(['*', 'all'])

export class BroadcastListeners {
  private readonly byEvent = new Map<string, ListenerList<BroadcastMessage>>()
  private readonly wildcard = new ListenerList<BroadcastMessage>()

  add(event: string, callback: BroadcastCallback): () => void {
    if (typeof event !== 'string' || event.length === 0) {
      throw new RealtimeError('invalid_argument', "on('broadcast', { event }): event must be a name, '*' or 'all'", { event })
    }
    if (typeof callback !== 'function') throw new RealtimeError('invalid_argument', "on('broadcast'): the callback must be a function")
    const key = event.toLowerCase()
    if (WILDCARDS.has(key)) return this.wildcard.add(callback)
    let list = this.byEvent.get(key)
    if (!list) {
      list = new ListenerList<BroadcastMessage>()
      this.byEvent.set(key, list)
    }
    return list.add(callback)
  }

  get size(): number {
    let size = this.wildcard.size
    for (const list of this.byEvent.values()) size += list.size
    return size
  }

  dispatch(message: BroadcastMessage, onError: (error: unknown) => void): void {
    if (this.byEvent.size > 0) this.byEvent.get(message.event.toLowerCase())?.dispatch(message, onError)
    if (this.wildcard.size > 0) this.wildcard.dispatch(message, onError)
  }
}
