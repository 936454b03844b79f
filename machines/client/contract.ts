/**
 * The root client actor's contract: its input, the events `client.send(event)` accepts, and what it
 * emits. The root owns the connection actor and one channel actor per topic.
 */
import type { AnyActorRef } from 'xstate'
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'
import type { ChannelActorRef } from '../channel/channel.machine.js'
import type { ChannelConfigInput, ChannelNotification } from '../channel/contract.js'
import type { ConnectionEmitted, ConnectionInput, ConnectionNotification, ConnectionStateName, LifecycleSignal, ReconnectSchedule } from '../connection/contract.js'

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
  /**
   * Where channel actors live. `'children'`: spawned children of the root
   * (`snapshot.children[topic]`); XState 5 copies the children object on every spawn and stop, so N
   * channels cost O(N²) to create, remove and close. `'registry'`: children of the root's `channels`
   * registry actor (machines/client/channel-registry.ts), O(1) each. Either way every channel actor is in
   * the root's system (`system.get(channelSystemId(topic))`), visible to `inspect`, stopped with the
   * root, and `channelActorOf(snapshot, topic)` finds it.
   * @default 'children'
   */
  channelActors?: 'children' | 'registry'
}

export interface ChannelEntry {
  readonly ref: ChannelActorRef
  readonly config: ChannelConfigInput
  /** Removal asked for: the channel actor stops once it reports closed. */
  readonly removing: boolean
}

export interface ClientContext {
  /**
   * topic → channel, in creation order. A live table owned by this root actor and updated in place by
   * its own actions (a copy per change made N channels O(N²), issue 6), like `snapshot.children`
   * holds live actor refs: read it from the current snapshot. `channelCount` changes with it.
   */
  channels: ReadonlyMap<string, ChannelEntry>
  channelCount: number
  channelActors: 'children' | 'registry'
  /** The parent of the channel actors in `'registry'` mode (child `channels` of the root), else null. */
  registry: AnyActorRef | null
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
  | ChannelTrackEvent
  | ChannelUntrackEvent
  | { type: 'channel.configure'; topic: string; config: ChannelConfigInput }
  /** A token for one channel only. */
  | { type: 'channel.setAuth'; topic: string; token: string | null }
  | ChannelNotification
  | ConnectionNotification

/** What the root emits (`client.actor.on`): connection facts and the channel registry's changes. */
export type ClientEmitted =
  | ConnectionEmitted
  | { type: 'channel'; kind: 'added' | 'removed'; topic: string }
