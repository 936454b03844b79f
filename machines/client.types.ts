/**
 * The root client actor's contract: its input, the events `client.send(event)` accepts, and what it
 * emits. The root owns the connection actor and one channel actor per topic.
 */
import type { PhoenixMessage, Vsn } from '../src/protocol/types.js'
import type { ChannelConfigInput, ChannelNotification } from './channel.types.js'
import type { ConnectionEmitted, ConnectionInput, ConnectionNotification, ConnectionStateName, LifecycleSignal, ReconnectSchedule } from './connection.types.js'

export const CLIENT_SYSTEM_ID = 'realtime-client'
export const CONNECTION_SYSTEM_ID = 'realtime-connection'
export const CHANNEL_SYSTEM_ID_PREFIX = 'realtime-channel:'

/** The `systemId` of a topic's channel actor, for `system.get(...)` from other actors of the system. */
export function channelSystemId(topic: string): string {
  return CHANNEL_SYSTEM_ID_PREFIX + topic
}

export interface ClientInput {
  apikey: string
  /** @default '2.0.0' */
  vsn?: Vsn
  accessToken?: string | null
  /** Socket send buffer while not open. @default 100 */
  sendBufferSize?: number
  /** Every decoded inbound frame (the data path, see src/router.ts). */
  deliver?: (message: PhoenixMessage) => void
  /** One socket-wide ref counter for joins, leaves, pushes and heartbeats. @default an own counter */
  makeRef?: () => string
  /** @default Date.now */
  now?: () => number
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
  reconnectDelays?: ReconnectSchedule
  random?: () => number
}

export interface ChannelEntry {
  config: ChannelConfigInput
  /** Removal asked for: the channel actor stops once it reports closed. */
  removing: boolean
}

export interface ClientContext {
  channels: Record<string, ChannelEntry>
  connection: ConnectionStateName
  accessToken: string | null
  apikey: string
  connectionInput: ConnectionInput
  makeRef: () => string
  now: () => number
  timeoutMs: number
  rejoinDelays: readonly number[]
  channelBufferSize: number
  emptyChannelsGraceMs: number
}

export interface ChannelPushEvent {
  type: 'channel.push'
  topic: string
  ref: string
  event: string
  payload: unknown
  expectReply: boolean
  timeoutMs?: number
}

/** Everything `client.send(event)` accepts (plus what the children tell the root). */
export type ClientEvent =
  | { type: 'connect' }
  | { type: 'disconnect'; code?: number; reason?: string }
  /** A token for every channel and the next upgrades; null: back to the static token / apikey. */
  | { type: 'setAuth'; token: string | null }
  | { type: LifecycleSignal }
  /** Create the channel actor of a topic (no-op when it exists). */
  | { type: 'channel.add'; topic: string; config?: ChannelConfigInput }
  | { type: 'channel.subscribe'; topic: string; timeoutMs?: number }
  /** Leave; the channel actor stays, closed, and may subscribe again. */
  | { type: 'channel.unsubscribe'; topic: string }
  /** Leave, then stop and forget the channel actor once it is closed. */
  | { type: 'channel.remove'; topic: string }
  | ChannelPushEvent
  | { type: 'channel.configure'; topic: string; config: ChannelConfigInput }
  /** A token for one channel only. */
  | { type: 'channel.setAuth'; topic: string; token: string | null }
  | ChannelNotification
  | ConnectionNotification

/** What the root emits (`client.actor.on`): connection facts and the channel registry's changes. */
export type ClientEmitted =
  | ConnectionEmitted
  | { type: 'channel'; kind: 'added' | 'removed'; topic: string }
