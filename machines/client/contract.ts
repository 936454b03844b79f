/**
 * The root client actor's contract: its input (plain data), the events `client.send(event)` accepts,
 * the notifications its children send it, and what it emits.
 */
import type { Vsn } from '../../src/protocol/types.js'
import type { ChannelConfigInput, ChannelInput } from '../channel/contract.js'
import type { ConnectionEmitted, ConnectionNotification, LifecycleSignal } from '../connection/contract.js'

export { CLIENT_SYSTEM_ID, CONNECTION_SYSTEM_ID, SOCKET_SYSTEM_ID, CHANNEL_SYSTEM_ID_PREFIX, channelSystemId } from '../system-ids.js'

/** Plain data: what an XState app passes when it invokes or spawns the client machine. */
export interface ClientInput {
  /** The Realtime endpoint (`https://<ref>.supabase.co`, `…/realtime/v1`, `ws://…/socket`), for the socket actor. */
  url?: string
  apikey: string
  /** @default '2.0.0' */
  vsn?: Vsn
  accessToken?: string | null
  /** Socket send buffer while not open. @default 100 */
  sendBufferSize?: number
  /** Join, leave and push timeout. @default 10000 */
  timeoutMs?: number
  /** Channel rejoin backoff. @default [1000, 2000, 5000, 10000] */
  rejoinDelays?: readonly number[]
  /** Channel push buffer while not joined. @default 100 */
  channelBufferSize?: number
  /** Used for the default of `emptyChannelsGraceMs`. @default 25000 */
  heartbeatIntervalMs?: number
  /** Delay before the socket closes once the last channel is gone. @default 2 × heartbeatIntervalMs */
  emptyChannelsGraceMs?: number
  /**
   * The connection's `accessToken` actor is a real token function (`createRealtimeClient` sets it when
   * `accessTokenFn` is given): tokens are rotated before they expire, and a channel whose token the
   * server expired rejoins with a fresh one instead of stopping. @default false
   */
  refreshTokens?: boolean
  /** Rotate once less than this remains before the token's `exp`. @default max(60000, 2 × heartbeatIntervalMs) */
  tokenRefreshMarginMs?: number
  /** Reconnect base delays in ms (jittered ±10 %, the last repeats). @default 0–250 ms, then 1, 2, 5, 10 s */
  reconnectDelays?: readonly number[]
}

export interface ChannelPushEvent {
  type: 'channel.push'
  topic: string
  /** Yours to choose, unique on the channel, not a plain integer (the channel's own refs are). */
  ref: string
  event: string
  payload: unknown
  expectReply: boolean
  timeoutMs?: number
}

/** Track `payload` as this client's presence on `topic` (a `presence` push, re-sent after every rejoin). */
export interface ChannelTrackEvent {
  type: 'channel.track'
  topic: string
  ref: string
  payload: Record<string, unknown>
  timeoutMs?: number
}

export interface ChannelUntrackEvent {
  type: 'channel.untrack'
  topic: string
  ref: string
  timeoutMs?: number
}

/** Everything `client.send(event)` accepts: what a user may ask of the root. */
export type ClientEvent =
  | { type: 'connect' }
  | { type: 'disconnect'; code?: number; reason?: string }
  /** A token for every channel and the next upgrades; null: back to the static token / apikey. */
  | { type: 'setAuth'; token: string | null }
  | { type: LifecycleSignal }
  /** Create the channel actor of a topic (for a topic being removed: keep it). */
  | { type: 'channel.add'; topic: string; config?: ChannelConfigInput }
  /** Join (and connect if needed). */
  | { type: 'channel.subscribe'; topic: string; timeoutMs?: number }
  /** Leave; the channel actor stays, closed, and may subscribe again. */
  | { type: 'channel.unsubscribe'; topic: string }
  /** Leave, then stop the channel actor once it is closed. */
  | { type: 'channel.remove'; topic: string }
  | ChannelPushEvent
  | ChannelTrackEvent
  | ChannelUntrackEvent
  | { type: 'channel.configure'; topic: string; config: ChannelConfigInput }
  /** A token for one channel only. */
  | { type: 'channel.setAuth'; topic: string; token: string | null }

/** What a channel group tells the root about its channels. */
export type ChannelGroupNotification =
  /** The group's first channel was created; `group.empty`: its last one was removed. */
  | { type: 'group.occupied' }
  | { type: 'group.empty' }
  | { type: 'channel.removed'; topic: string }
  | { type: 'channel.unknown'; topic: string; event: string }

/** The root's events: the public ones and its children's notifications (which `client.send` refuses). */
export type ClientMachineEvent = ClientEvent | ConnectionNotification | ChannelGroupNotification

/** What the root emits (`client.actor.on`): connection facts and the channel table's changes. */
export type ClientEmitted = ConnectionEmitted | { type: 'channel'; kind: 'removed'; topic: string }

/** What the root asks of a channel group. */
export type ChannelGroupEvent =
  /** A channel for `input.topic` (its `socketOpen` says whether it starts online), unless the group has one. */
  | { type: 'group.add'; input: ChannelInput }
  | { type: 'group.forward'; topic: string; event: import('../channel/contract.js').ChannelCommand }
  /** Leave the topic's channel, then stop it once it is closed (unless a `group.add` keeps it first). */
  | { type: 'group.remove'; topic: string }
  | { type: 'group.broadcast'; event: import('../channel/contract.js').ChannelSocketEvent | { type: 'setAuth'; token: string | null } }
  /** A channel of the group closed (the group stops it when it is being removed). */
  | { type: 'channel.closed'; topic: string }
