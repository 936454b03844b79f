// realtime-xstate/react: React bindings over the client's actors. React (>= 18) and @xstate/react are
// optional peer dependencies: only this entry imports them.
export { RealtimeProvider, useRealtimeClient, DEFAULT_LEAVE_GRACE_MS, type RealtimeProviderProps } from './provider.js'
export { useRealtime, type RealtimeState, type UseRealtimeOptions } from './use-realtime.js'
export { useRealtimeEvent, type RealtimeEventFilter, type RealtimeEventPayload } from './use-realtime-event.js'
