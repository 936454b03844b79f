/**
 * The named actors, actions, guards and delays of the root client chart (client.machine.ts). The
 * root invokes the connection, spreads channel actors over channel groups (channel-group.machine.ts),
 * turns its public `channel.*` events into the channel's own commands, tells every channel when the
 * socket opens or closes, and closes the socket a grace delay after the last channel is gone.
 */
import { emit, enqueueActions, sendTo, setup, stateIn, type AnyActorRef } from 'xstate'
import { RealtimeError } from '../../src/errors.js'
import type { Vsn } from '../../src/protocol/types.js'
import type { ChannelCommand, ChannelConfigInput, ChannelInput } from '../channel/contract.js'
import { connectionMachine } from '../connection/connection.machine.js'
import type { ConnectionEvent, ConnectionInput } from '../connection/contract.js'
import { channelGroupMachine, channelGroupOf } from './channel-group.machine.js'
import type { ChannelGroupEvent, ClientEmitted, ClientInput, ClientMachineEvent } from './contract.js'

/** Plain data: `JSON.stringify(snapshot)` works. */
export interface ClientContext {
  url: string | undefined
  vsn: Vsn
  apikey: string
  /** The token channels join with: the static one, then whatever `setAuth` or the token function gave. */
  accessToken: string | null
  sendBufferSize: number | null
  reconnectDelays: readonly number[] | null
  timeoutMs: number
  rejoinDelays: readonly number[]
  channelBufferSize: number
  emptyChannelsGraceMs: number
  refreshTokens: boolean
  tokenRefreshMarginMs: number
  /** How many channel groups hold channels; `channels` is occupied while it is above zero. */
  occupiedGroups: number
}

/** The channel command a public `channel.*` event stands for (null for `channel.add`). */
export function channelCommandOf(event: ClientMachineEvent): ChannelCommand | null {
  switch (event.type) {
    case 'channel.subscribe':
      return event.timeoutMs === undefined ? { type: 'subscribe' } : { type: 'subscribe', timeoutMs: event.timeoutMs }
    case 'channel.unsubscribe':
      return { type: 'unsubscribe' }
    case 'channel.push': {
      const { ref, event: name, payload, expectReply, timeoutMs } = event
      return { type: 'push', ref, event: name, payload, expectReply, ...(timeoutMs !== undefined && { timeoutMs }) }
    }
    case 'channel.track':
      return { type: 'track', ref: event.ref, payload: event.payload, ...(event.timeoutMs !== undefined && { timeoutMs: event.timeoutMs }) }
    case 'channel.untrack':
      return { type: 'untrack', ref: event.ref, ...(event.timeoutMs !== undefined && { timeoutMs: event.timeoutMs }) }
    case 'channel.configure':
      return { type: 'configure', config: event.config }
    case 'channel.setAuth':
      return { type: 'setAuth', token: event.token }
    default:
      return null
  }
}

/**
 * The `group.add` that makes the channel of `topic` (in its group, `channelGroupOf(topic)`): the
 * channel's input from the root's context, starting online when the socket is open.
 */
export function groupAddOf(context: ClientContext, topic: string, config: ChannelConfigInput, socketOpen: boolean): Extract<ChannelGroupEvent, { type: 'group.add' }> {
  const input: ChannelInput = {
    hasParent: true,
    topic,
    config,
    accessToken: context.accessToken,
    refreshTokens: context.refreshTokens,
    timeoutMs: context.timeoutMs,
    rejoinDelays: context.rejoinDelays,
    bufferSize: context.channelBufferSize,
    socketOpen,
  }
  return { type: 'group.add', input }
}

function groupsOf(self: AnyActorRef): string[] {
  return Object.keys((self.getSnapshot() as { children: object }).children).filter((id) => id.startsWith('channels:'))
}

export function connectionInputOf(context: ClientContext): ConnectionInput {
  return {
    hasParent: true,
    url: context.url,
    vsn: context.vsn,
    apikey: context.apikey,
    accessToken: context.accessToken,
    refreshTokens: context.refreshTokens,
    tokenRefreshMarginMs: context.tokenRefreshMarginMs,
    ...(context.sendBufferSize !== null && { sendBufferSize: context.sendBufferSize }),
    ...(context.reconnectDelays !== null && { reconnectDelays: context.reconnectDelays }),
  }
}

export const clientSetup = setup({
  types: {
    context: {} as ClientContext,
    events: {} as ClientMachineEvent,
    input: {} as ClientInput,
    emitted: {} as ClientEmitted,
  },
  actors: {
    /** The connection statechart; its default socket actor does no I/O (`createRealtimeLogic` provides one). */
    connection: connectionMachine,
    channelGroup: channelGroupMachine,
  },
  delays: {
    emptyChannelsGrace: ({ context }) => context.emptyChannelsGraceMs,
  },
  guards: {
    toOpen: ({ event }) => event.type === 'connection.state' && event.new === 'open',
    toConnecting: ({ event }) => event.type === 'connection.state' && event.new === 'connecting',
    toClosing: ({ event }) => event.type === 'connection.state' && event.new === 'closing',
    /** Open already: a new channel starts online, a subscribe needs no `connect`. */
    connectionUnderWay: stateIn({ connection: 'open' }),
    connectionStarting: stateIn({ connection: 'connecting' }),
    isLastGroup: ({ context, event }) => event.type === 'group.empty' && context.occupiedGroups === 1,
  },
  actions: {
    forwardToConnection: sendTo('connection', ({ event }) => event as ConnectionEvent),
    connect: sendTo('connection', { type: 'connect' }),
    disconnectConnection: sendTo('connection', { type: 'disconnect' }),
    storeToken: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'setAuth') enqueue.assign({ accessToken: event.token })
    }),
    /** A topic's channel group is made on first use; the channel itself by the group. */
    addChannel: enqueueActions(({ context, event, enqueue, self }, params: { socketOpen: boolean }) => {
      if (event.type !== 'channel.add') return
      const group = channelGroupOf(event.topic)
      if ((self.getSnapshot() as { children: Record<string, unknown> }).children[group] === undefined) enqueue.spawnChild('channelGroup', { id: group })
      enqueue.sendTo(group, groupAddOf(context, event.topic, event.config ?? {}, params.socketOpen))
    }),
    /** The topic's group leaves the channel, then stops it once it reports closed. */
    removeChannel: enqueueActions(({ event, enqueue, self }) => {
      if (event.type !== 'channel.remove') return
      const group = channelGroupOf(event.topic)
      if ((self.getSnapshot() as { children: Record<string, unknown> }).children[group] === undefined) {
        enqueue.emit({ type: 'error', error: unknownTopicError(event.topic, event.type) })
        return
      }
      enqueue.sendTo(group, { type: 'group.remove', topic: event.topic } satisfies ChannelGroupEvent)
    }),
    forwardToChannel: enqueueActions(({ event, enqueue, self }) => {
      const command = channelCommandOf(event)
      if (command === null || !('topic' in event)) return
      const group = channelGroupOf(event.topic)
      if ((self.getSnapshot() as { children: Record<string, unknown> }).children[group] === undefined) {
        enqueue.emit({ type: 'error', error: unknownTopicError(event.topic, event.type) })
        return
      }
      enqueue.sendTo(group, { type: 'group.forward', topic: event.topic, event: command } satisfies ChannelGroupEvent)
    }),
    /** Something for every channel: the socket opened or closed, a new token. */
    tellChannels: enqueueActions(({ enqueue, self }, params: { event: Extract<ChannelGroupEvent, { type: 'group.broadcast' }>['event'] }) => {
      for (const group of groupsOf(self)) enqueue.sendTo(group, { type: 'group.broadcast', event: params.event } satisfies ChannelGroupEvent)
    }),
    /** The token this connection resolved (token function, setAuth) is what channels join with. */
    adoptConnectionToken: enqueueActions(({ context, event, enqueue, self }) => {
      if ((event.type !== 'connection.state' && event.type !== 'connection.token') || event.accessToken === undefined) return
      const token = event.accessToken
      if (token === context.apikey || token === context.accessToken) return
      enqueue.assign({ accessToken: token })
      for (const group of groupsOf(self)) enqueue.sendTo(group, { type: 'group.broadcast', event: { type: 'setAuth', token } } satisfies ChannelGroupEvent)
    }),
    /** One error for the whole loss, shared by every channel that was joining or joined. */
    tellSocketClosed: enqueueActions(({ event, enqueue, self }) => {
      const next = event.type === 'connection.state' ? event.new : 'closed'
      const error = new RealtimeError('connection_closed', `the socket closed (connection open → ${next})`, { connection: next })
      for (const group of groupsOf(self)) enqueue.sendTo(group, { type: 'group.broadcast', event: { type: 'socket.closed', error } } satisfies ChannelGroupEvent)
    }),
    reportConnectionState: emit(({ event }) =>
      event.type === 'connection.state'
        ? { type: 'connection' as const, kind: 'state_change' as const, old: event.old, new: event.new }
        : { type: 'error' as const, error: new RealtimeError('invalid_argument', `unexpected ${event.type}`) },
    ),
    reportConnectionError: emit(({ event }) => ({
      type: 'error' as const,
      error: event.type === 'connection.error' || event.type === 'connection.rejected' ? event.error : new RealtimeError('invalid_argument', event.type),
    })),
    reportHeartbeat: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'connection.heartbeat') return
      enqueue.emit(event.rttMs === undefined ? { type: 'connection', kind: 'heartbeat', status: event.status } : { type: 'connection', kind: 'heartbeat', status: event.status, rttMs: event.rttMs })
    }),
    reportUnknownTopic: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'channel.unknown') enqueue.emit({ type: 'error', error: unknownTopicError(event.topic, event.event) })
    }),
    countGroup: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'group.occupied') enqueue.assign({ occupiedGroups: context.occupiedGroups + 1 })
      if (event.type === 'group.empty') enqueue.assign({ occupiedGroups: Math.max(0, context.occupiedGroups - 1) })
    }),
    reportRemoved: emit(({ event }) => ({ type: 'channel' as const, kind: 'removed' as const, topic: 'topic' in event ? event.topic : '' })),
  },
})

function unknownTopicError(topic: string, what: string): RealtimeError {
  return new RealtimeError('invalid_argument', `${what}: no channel for ${topic} (send channel.add first)`, { topic })
}
