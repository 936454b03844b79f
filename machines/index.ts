// ── channel and root client machines ──
export { channelMachine, channelStateOf, pushTimerId, rejoinDelayFor } from './channel.machine.js'
export type { ChannelMachine, ChannelActorRef, ChannelSnapshot } from './channel.machine.js'
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
  type BufferedPush,
  type JoinPayload,
  type PostgresChangesFilter,
} from './channel.types.js'
export { classifyJoinError, type JoinFailure } from './join-policy.js'
export { clientMachine, topicsOf } from './client.machine.js'
export type { ClientMachine, ClientActorRef, ClientSnapshot } from './client.machine.js'
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
} from './client.types.js'
