export { RealtimeError, toSupabaseError, isRealtimeError, type RealtimeErrorCode, type SupabaseError } from './errors.js'
export * from './protocol/index.js'
export { createRealtimeClient, RealtimeClient, type WaitForAckOptions, type AckOutcome } from './client.js'
export type { RealtimeClientOptions, XStateClock } from './client-options.js'
export {
  RealtimeChannel,
  type ChannelOptions,
  type SubscribeOptions,
  type PushOptions,
  type UnsubscribeResult,
} from './channel.js'
export type { BroadcastCallback, BroadcastMessage } from './broadcast-listeners.js'
export type {
  PresenceEntry,
  PresenceJoinPayload,
  PresenceLeavePayload,
  PresenceListenEvent,
  PresencePayload,
  PresencePayloadOf,
  PresenceResult,
  PresenceState,
  PresenceSyncPayload,
} from './presence/types.js'
export type { RealtimeEvent, RealtimeEventListener, Logger, LogLevel } from './events.js'
export type { HttpSendResult } from './http-send.js'
export type { ChannelStateName } from '../machines/channel/contract.js'
export type { ClientEvent } from '../machines/client/contract.js'
export type { ConnectionStateName, HeartbeatStatus, LifecycleSignal } from '../machines/connection/contract.js'
