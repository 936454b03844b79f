export { RealtimeError, toSupabaseError, isRealtimeError, type RealtimeErrorCode, type SupabaseError } from './errors.js'
export * from './protocol/index.js'
export { createRealtimeClient, RealtimeClient, type WaitForAckOptions, type AckOutcome } from './client.js'
export { createRealtimeLogic, type RealtimeLogicOptions } from './realtime-logic.js'
export { createConnectionLogic, type ConnectionOptions, type ConnectionWiring } from './connection.js'
export { redactInspection, redactInspectionEvent, type InspectionObserver } from './inspect-redaction.js'
export { checkClientEvent } from './client-events.js'
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
export type { ClientEvent, ClientInput, ClientEmitted } from '../machines/client/contract.js'
export { CLIENT_SYSTEM_ID, CONNECTION_SYSTEM_ID, channelSystemId } from '../machines/system-ids.js'
export type { ConnectionStateName, HeartbeatStatus, LifecycleSignal } from '../machines/connection/contract.js'
