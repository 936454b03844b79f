// ── connection machine ──
export {
  connectionMachine,
  connectionStateOf,
  reconnectDelayFor,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_HEARTBEAT_TIMEOUT_MS,
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_TOKEN_TIMEOUT_MS,
  DEFAULT_SEND_BUFFER_SIZE,
  DEFAULT_RECONNECT_DELAYS_MS,
  type ConnectionMachine,
  type ConnectionActorRef,
  type ConnectionSnapshot,
  type ConnectionContext,
  type ConnectionMachineEvent,
  type SocketActorInput,
  type SocketCommand,
  type SocketEvent,
} from './connection/connection.machine.js'
export type {
  ConnectionStateName,
  ConnectionEvent,
  ConnectionNotification,
  ConnectionEmitted,
  ConnectionInput,
  HeartbeatStatus,
  LifecycleSignal,
  ReconnectSchedule,
} from './connection/contract.js'
// ── channel and root client machines ──
export { channelMachine, channelStateOf, pushTimerId, rejoinDelayFor } from './channel/channel.machine.js'
export type { ChannelMachine, ChannelActorRef, ChannelSnapshot } from './channel/channel.machine.js'
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
  type ChannelEvent,
  type ChannelEmitted,
  type ChannelNotification,
  type ChannelPush,
  type ChannelTrack,
  type ChannelUntrack,
  type BufferedPush,
  type JoinPayload,
  type PostgresChangesFilter,
} from './channel/contract.js'
export { classifyJoinError, type JoinFailure } from './channel/join-policy.js'
export { clientMachine, topicsOf } from './client/client.machine.js'
export type { ClientMachine, ClientActorRef, ClientSnapshot } from './client/client.machine.js'
export {
  channelSystemId,
  CLIENT_SYSTEM_ID,
  CONNECTION_SYSTEM_ID,
  CHANNEL_SYSTEM_ID_PREFIX,
  type ClientInput,
  type ClientContext,
  type ClientEvent,
  type ClientEmitted,
  type ChannelEntry,
  type ChannelPushEvent,
  type ChannelTrackEvent,
  type ChannelUntrackEvent,
} from './client/contract.js'
