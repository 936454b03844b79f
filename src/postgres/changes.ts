/**
 * A channel's `postgres_changes` listeners and the delivery of one change: matched to the bindings
 * whose id the frame carries and whose event fits (protocol.md §7.4), converted once with
 * `PostgresTypes` (exact int8 / numeric from the frame's text when it may have been rounded), handed
 * to the listeners in realtime-js's shape and to the client's listeners as a `RealtimeEvent`.
 */
import { RealtimeError } from '../errors.js'
import type { PhoenixMessage } from '../protocol/types.js'
import { changeType, PostgresTypes, type PostgresChangeData, type PostgresConvertOptions } from './types.js'

/** What a listener gets: realtime-js's shape. */
export interface PostgresChangePayload {
  schema: string
  table: string
  commit_timestamp: string
  eventType: 'INSERT' | 'UPDATE' | 'DELETE'
  new: Record<string, unknown>
  old: Record<string, unknown>
  errors: unknown
}

export type PostgresChangeCallback = (payload: PostgresChangePayload) => void

interface Listener {
  /** Index of the binding in the channel's `config.postgres_changes`. */
  binding: number
  /** `*` or the change type it wants. */
  event: string
  callback: PostgresChangeCallback
}

export interface ChangeDelivery {
  topic: string
  /** The server's ids of the channel's bindings, by index (from the last join reply). */
  bindingIds: readonly number[]
  /** The frame's text, for exact int8 / numeric values. */
  raw?: string | undefined
  options?: PostgresConvertOptions | undefined
}

const TYPES = new Set(['INSERT', 'UPDATE', 'DELETE'])

export class PostgresChangeListeners {
  private listeners: readonly Listener[] = []

  get size(): number {
    return this.listeners.length
  }

  add(binding: number, event: string, callback: PostgresChangeCallback): () => void {
    const listener: Listener = { binding, event, callback }
    this.listeners = [...this.listeners, listener]
    return () => {
      this.listeners = this.listeners.filter((item) => item !== listener)
    }
  }

  /**
   * The change of this frame, delivered to the matching listeners; the converted payload, or null
   * for a frame that is not a change. A frame that is not one (no `data.type`) is an error.
   */
  deliver(message: PhoenixMessage, delivery: ChangeDelivery, onError: (error: unknown) => void): PostgresChangePayload | RealtimeError {
    const frame = message.payload as { ids?: unknown; data?: PostgresChangeData & { schema?: unknown; table?: unknown; commit_timestamp?: unknown; errors?: unknown } } | null
    const data = frame?.data
    const type = changeType(data?.type)
    if (!data || !TYPES.has(type)) return new RealtimeError('invalid_frame', `a postgres_changes frame on ${delivery.topic} without a change type`, { topic: delivery.topic })
    const exact = delivery.raw === undefined ? null : PostgresTypes.exactRecords(delivery.raw, 'postgres_changes', data)
    if (exact instanceof RealtimeError) return exact
    const converted = PostgresTypes.convertChange(data, delivery.options, exact)
    const payload: PostgresChangePayload = {
      schema: String(data.schema ?? ''),
      table: String(data.table ?? ''),
      commit_timestamp: String(data.commit_timestamp ?? ''),
      eventType: type as PostgresChangePayload['eventType'],
      new: converted.new,
      old: converted.old,
      errors: data.errors ?? null,
    }
    if (this.listeners.length === 0) return payload
    const ids = Array.isArray(frame?.ids) ? (frame.ids as unknown[]) : []
    for (const listener of this.listeners) {
      const id = delivery.bindingIds[listener.binding]
      if (id === undefined || !ids.includes(id)) continue
      if (listener.event !== '*' && listener.event !== type) continue
      try {
        listener.callback(payload)
      } catch (error) {
        onError(error)
      }
    }
    return payload
  }
}
