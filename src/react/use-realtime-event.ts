// useRealtimeEvent(topic, filter, callback): a listener on the shared channel of `topic` that always
// calls the callback of the latest render, without removing and re-adding the listener when the
// callback changes (only a new topic or filter does).
import { useEffect, useLayoutEffect, useRef } from 'react'
import type { BroadcastMessage } from '../broadcast-listeners.js'
import type { ChannelOptions, RealtimeChannel } from '../channel.js'
import type { PresenceListenEvent, PresencePayloadOf } from '../presence/types.js'
import { useSharedChannel } from './use-realtime.js'

export type RealtimeEventFilter = { type: 'broadcast'; event: string } | { type: 'presence'; event: PresenceListenEvent }

export type RealtimeEventPayload<F extends RealtimeEventFilter> = F extends { type: 'presence'; event: infer E extends PresenceListenEvent } ? PresencePayloadOf<E> : BroadcastMessage

// useLayoutEffect warns during a server render; there, no effect runs anyway.
const useLatestEffect = typeof window === 'undefined' ? useEffect : useLayoutEffect

/**
 * Presence listeners turn presence on in the join config: give the topic a presence option (in
 * `options` or in the `useRealtime` of the same topic), or mount the listener with the first user
 * of the topic, else the channel's `invalid_argument` error becomes the topic's `error`.
 */
export function useRealtimeEvent<F extends RealtimeEventFilter>(topic: string, filter: F, callback: (payload: RealtimeEventPayload<F>) => void, options?: ChannelOptions): void {
  const shared = useSharedChannel(topic, options)
  const latest = useRef(callback)
  useLatestEffect(() => {
    latest.current = callback
  })
  const { type, event } = filter
  useEffect(() => {
    if (!shared) return
    const call = (payload: unknown): void => latest.current(payload as RealtimeEventPayload<F>)
    return shared.listen((channel: RealtimeChannel) =>
      type === 'broadcast' ? channel.on('broadcast', { event }, call) : channel.on('presence', { event: event as PresenceListenEvent }, call),
    )
  }, [shared, type, event])
}
