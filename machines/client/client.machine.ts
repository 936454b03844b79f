/**
 * The root client actor, in two parallel regions:
 *
 *   connection  closed ⇄ connecting ⇄ open ⇄ closing    what the invoked connection actor last reported;
 *               entering `open` tells every channel the socket opened, leaving it that it closed
 *   channels    idle ──group.occupied──▶ occupied ──last group.empty──▶ draining ──emptyChannelsGrace──▶ idle (socket closed)
 *                                          ▲                                 │
 *                                          └───────── group.occupied ────────┘
 *
 * Channel actors live in channel groups (channel-group.machine.ts), spawned on first use. The root's
 * public `channel.*` events become channel commands; inbound frames never pass through here (the
 * router hands lifecycle frames to the channel actor and data frames to listeners).
 */
import type { ActorRefFrom, AnyActorRef, SnapshotFrom } from 'xstate'
import { DEFAULT_VSN } from '../../src/protocol/types.js'
import type { ChannelActorRef } from '../channel/channel.machine.js'
import { DEFAULT_CHANNEL_BUFFER_SIZE, DEFAULT_REJOIN_DELAYS, DEFAULT_TIMEOUT_MS } from '../channel/contract.js'
import type { ConnectionStateName } from '../connection/contract.js'
import { DEFAULT_HEARTBEAT_INTERVAL_MS } from '../connection/setup.js'
import { tokenRefreshMarginFor } from '../connection/token-policy.js'
import { CONNECTION_SYSTEM_ID } from '../system-ids.js'
import { channelGroupOf, type ChannelGroupActorRef } from './channel-group.machine.js'
import { clientSetup, connectionInputOf } from './setup.js'


const machine = clientSetup.createMachine({
  id: 'client',
  type: 'parallel',
  context: ({ input }) => ({
    url: input.url,
    vsn: input.vsn ?? DEFAULT_VSN,
    apikey: input.apikey,
    accessToken: input.accessToken ?? null,
    sendBufferSize: input.sendBufferSize ?? null,
    reconnectDelays: input.reconnectDelays ?? null,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rejoinDelays: input.rejoinDelays ?? DEFAULT_REJOIN_DELAYS,
    channelBufferSize: input.channelBufferSize ?? DEFAULT_CHANNEL_BUFFER_SIZE,
    emptyChannelsGraceMs: input.emptyChannelsGraceMs ?? 2 * (input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS),
    refreshTokens: input.refreshTokens ?? false,
    tokenRefreshMarginMs: input.tokenRefreshMarginMs ?? tokenRefreshMarginFor(input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS),
    occupiedGroups: 0,
  }),
  invoke: {
    src: 'connection',
    id: 'connection',
    systemId: CONNECTION_SYSTEM_ID,
    input: ({ context }) => connectionInputOf(context),
  },
  on: {
    connect: { actions: 'forwardToConnection' },
    disconnect: { actions: 'forwardToConnection' },
    online: { actions: 'forwardToConnection' },
    offline: { actions: 'forwardToConnection' },
    visible: { actions: 'forwardToConnection' },
    hidden: { actions: 'forwardToConnection' },
    resume: { actions: 'forwardToConnection' },
    suspend: { actions: 'forwardToConnection' },
    setAuth: {
      actions: ['storeToken', 'forwardToConnection', { type: 'tellChannels', params: ({ event }) => ({ event: { type: 'setAuth', token: event.token } }) }],
    },
    // A subscribe connects unless the connection is open or on its way.
    'channel.subscribe': [
      { guard: 'connectionUnderWay', actions: 'forwardToChannel' },
      { guard: 'connectionStarting', actions: 'forwardToChannel' },
      { actions: ['forwardToChannel', 'connect'] },
    ],
    'channel.unsubscribe': { actions: 'forwardToChannel' },
    'channel.remove': { actions: 'removeChannel' },
    'channel.push': { actions: 'forwardToChannel' },
    'channel.track': { actions: 'forwardToChannel' },
    'channel.untrack': { actions: 'forwardToChannel' },
    'channel.configure': { actions: 'forwardToChannel' },
    'channel.setAuth': { actions: 'forwardToChannel' },
    'channel.unknown': { actions: 'reportUnknownTopic' },
    'connection.error': { actions: 'reportConnectionError' },
    'connection.rejected': { actions: ['reportConnectionError', { type: 'tellChannels', params: ({ event }) => ({ event: { type: 'socket.rejected', error: event.error } }) }] },
    'connection.heartbeat': { actions: 'reportHeartbeat' },
    // A fresh token from the token function (rotation or after an expiry): every channel gets it.
    'connection.token': { actions: 'adoptConnectionToken' },
  },
  states: {
    connection: {
      description: "The connection actor's state as it last reported it (`connection.state`).",
      initial: 'closed',
      on: {
        // A new channel starts online in `open` (below), offline elsewhere: the socket's state is this region's.
        'channel.add': { actions: { type: 'addChannel', params: { socketOpen: false } } },
        'connection.state': [
          { guard: 'toOpen', target: '.open', actions: 'reportConnectionState' },
          { guard: 'toConnecting', target: '.connecting', actions: 'reportConnectionState' },
          { guard: 'toClosing', target: '.closing', actions: 'reportConnectionState' },
          { target: '.closed', actions: 'reportConnectionState' },
        ],
      },
      states: {
        closed: {},
        connecting: {},
        open: {
          on: { 'channel.add': { actions: { type: 'addChannel', params: { socketOpen: true } } } },
          entry: ['adoptConnectionToken', { type: 'tellChannels', params: { event: { type: 'socket.open' } } }],
          exit: 'tellSocketClosed',
        },
        closing: {},
      },
    },

    channels: {
      description: 'Whether any channel exists; the socket closes `emptyChannelsGrace` after the last one went.',
      initial: 'idle',
      // Counted per channel group (a group says when it gets its first channel and loses its last).
      on: { 'group.occupied': { actions: 'countGroup' }, 'group.empty': { actions: 'countGroup' }, 'channel.removed': { actions: 'reportRemoved' } },
      states: {
        idle: {
          description: 'No channel since start or since the grace delay closed the socket. The socket may still be open by request.',
          on: { 'group.occupied': { target: 'occupied', actions: 'countGroup' } },
        },
        occupied: {
          on: { 'group.empty': { guard: 'isLastGroup', target: 'draining', actions: 'countGroup' } },
        },
        draining: {
          description: 'The last channel is gone: the socket closes after `emptyChannelsGrace` unless a channel comes back.',
          after: { emptyChannelsGrace: { target: 'idle', actions: 'disconnectConnection' } },
          on: {
            'group.occupied': { target: 'occupied', actions: 'countGroup' },
            // Closed by request: nothing left to wait for. (A region that handles an event shadows the
            // root's own handler for it, so this transition forwards the disconnect itself.)
            disconnect: { target: 'idle', actions: 'forwardToConnection' },
          },
        },
      },
    },
  },
})

/** The root client statechart. Its explicit type keeps declaration emit stable (xstate-notes §11c). */
export type ClientMachine = typeof machine
export const clientMachine: ClientMachine = machine
export type ClientActorRef = ActorRefFrom<ClientMachine>
export type ClientSnapshot = SnapshotFrom<ClientMachine>

/** `connecting | open | closing | closed`, as the root's `connection` region has it. */
export function connectionStateOfClient(snapshot: Pick<ClientSnapshot, 'value'>): ConnectionStateName {
  return snapshot.value.connection
}

/** The channel group that holds (or will hold) `topic`'s channel, once the root has made it. */
export function channelGroupActorOf(snapshot: Pick<ClientSnapshot, 'children'>, topic: string): ChannelGroupActorRef | undefined {
  return (snapshot.children as Record<string, ChannelGroupActorRef | undefined>)[channelGroupOf(topic)]
}

/** The channel actor of `topic` under a root snapshot (its group's child), or undefined. */
export function channelActorOf(snapshot: Pick<ClientSnapshot, 'children'>, topic: string): ChannelActorRef | undefined {
  return (channelGroupActorOf(snapshot, topic)?.getSnapshot() as { children?: Record<string, ChannelActorRef | undefined> } | undefined)?.children?.[topic]
}

/** The topics that have a channel actor. */
export function topicsOf(snapshot: Pick<ClientSnapshot, 'children'>): string[] {
  const topics: string[] = []
  for (const [id, child] of Object.entries(snapshot.children as Record<string, AnyActorRef | undefined>)) {
    if (!id.startsWith('channels:') || child === undefined) continue
    topics.push(...Object.keys((child.getSnapshot() as { children: object }).children))
  }
  return topics
}
