/**
 * `realtime-xstate/machines`: the three statecharts, their contracts and policies, for XState apps
 * that spawn, drive or inspect them. `createRealtimeLogic(options)` (from `realtime-xstate`) provides
 * their I/O; these are pure.
 */
export { CLIENT_SYSTEM_ID, CONNECTION_SYSTEM_ID, SOCKET_SYSTEM_ID, CHANNEL_SYSTEM_ID_PREFIX, channelSystemId } from './system-ids.js'

// ── connection ──
export {
  connectionMachine,
  connectionMachineWith,
  connectionStateOf,
  type ConnectionMachine,
  type ConnectionActorRef,
  type ConnectionSnapshot,
  type ConnectionEnvironment,
} from './connection/connection.machine.js'
export {
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_TOKEN_TIMEOUT_MS,
  DEFAULT_SEND_BUFFER_SIZE,
  type ConnectionContext,
} from './connection/setup.js'
export { reconnectDelayFor, DEFAULT_RECONNECT_DELAYS_MS } from './connection/reconnect-policy.js'
export type {
  ConnectionStateName,
  ConnectionEvent,
  ConnectionMachineEvent,
  ConnectionNotification,
  ConnectionEmitted,
  ConnectionInput,
  HeartbeatStatus,
  LifecycleSignal,
  ReconnectSchedule,
  SocketActorInput,
  SocketCommand,
  SocketEvent,
} from './connection/contract.js'

// ── channel ──
export { channelMachine, channelMachineWithClock, channelStateOf, type ChannelMachine, type ChannelActorRef, type ChannelSnapshot } from './channel/channel.machine.js'
export { rejoinDelayFor } from './channel/setup.js'
export { pushTimerId, presenceBody, type Push, type PushKind } from './channel/pushes.js'
export {
  channelConfig,
  joinPayload,
  DEFAULT_REJOIN_DELAYS,
  DEFAULT_TIMEOUT_MS,
  DEFAULT_CHANNEL_BUFFER_SIZE,
  type ChannelStateName,
  type ChannelConfig,
  type ChannelConfigInput,
  type ChannelInput,
  type ChannelContext,
  type ChannelCommand,
  type ChannelEvent,
  type ChannelFrameEvent,
  type ChannelSocketEvent,
  type ChannelEmitted,
  type ChannelNotification,
  type ChannelPush,
  type ChannelTrack,
  type ChannelUntrack,
  type JoinPayload,
  type PostgresChangesFilter,
} from './channel/contract.js'
export { classifyJoinError, type JoinFailure } from './channel/join-policy.js'

// ── client (root) ──
export { clientMachine, channelActorOf, connectionStateOfClient, topicsOf, type ClientMachine, type ClientActorRef, type ClientSnapshot } from './client/client.machine.js'
export { channelGroupMachine, channelGroupOf, CHANNEL_GROUPS, type ChannelGroupMachine } from './client/channel-group.machine.js'
export type { ClientContext } from './client/setup.js'
export type {
  ClientInput,
  ClientEvent,
  ClientMachineEvent,
  ClientEmitted,
  ChannelGroupEvent,
  ChannelGroupNotification,
  ChannelPushEvent,
  ChannelTrackEvent,
  ChannelUntrackEvent,
} from './client/contract.js'
