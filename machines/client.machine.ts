/**
 * The root client actor: invokes the connection actor, spawns one channel actor per topic, carries
 * frames from channels to the connection, tells every channel when the socket opens or closes, and
 * closes the socket a grace delay after the last channel is gone.
 *
 *   idle ──channel.add──▶ occupied ──last channel removed──▶ draining ──after emptyChannelsGrace──▶ idle (socket closed)
 *                            ▲                                   │
 *                            └──────────── channel.add ──────────┘
 *
 * Inbound frames do not pass through here: the connection hands them to `input.deliver` (src/router.ts).
 */
import { assign, emit, enqueueActions, sendTo, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate'
import { RealtimeError } from '../src/errors.js'
import { DEFAULT_VSN } from '../src/protocol/types.js'
import { channelMachine } from './channel.machine.js'
import { DEFAULT_CHANNEL_BUFFER_SIZE, DEFAULT_REJOIN_DELAYS, DEFAULT_TIMEOUT_MS, type ChannelEvent, type ChannelInput } from './channel.types.js'
import { channelSystemId, CONNECTION_SYSTEM_ID, type ClientContext, type ClientEmitted, type ClientEvent, type ClientInput } from './client.types.js'
import { connectionMachine } from './connection.machine.js'
import type { ConnectionEvent } from './connection.types.js'

/** realtime-js's heartbeat interval; the grace default is twice it (protocol.md §4.6). */
const DEFAULT_HEARTBEAT_INTERVAL_MS = 25_000

function topicOf(event: ClientEvent): string | null {
  return 'topic' in event && typeof event.topic === 'string' ? event.topic : null
}

/** The channel event a root event stands for, or null when it is not one of the forwarded kinds. */
function channelEventOf(event: ClientEvent): ChannelEvent | null {
  switch (event.type) {
    case 'channel.subscribe':
      return event.timeoutMs === undefined ? { type: 'subscribe' } : { type: 'subscribe', timeoutMs: event.timeoutMs }
    case 'channel.unsubscribe':
    case 'channel.remove':
      return { type: 'unsubscribe' }
    case 'channel.push': {
      const { ref, event: name, payload, expectReply, timeoutMs } = event
      return timeoutMs === undefined ? { type: 'push', ref, event: name, payload, expectReply } : { type: 'push', ref, event: name, payload, expectReply, timeoutMs }
    }
    case 'channel.configure':
      return { type: 'configure', config: event.config }
    case 'channel.setAuth':
      return { type: 'setAuth', token: event.token }
    default:
      return null
  }
}

/** The connection event a root event stands for (connect, disconnect, setAuth, lifecycle signals). */
function connectionEventOf(event: ClientEvent): ConnectionEvent | null {
  switch (event.type) {
    case 'connect':
    case 'online':
    case 'offline':
    case 'visible':
    case 'hidden':
    case 'resume':
    case 'suspend':
      return { type: event.type }
    case 'disconnect': {
      const { code, reason } = event
      return { type: 'disconnect', ...(code !== undefined && { code }), ...(reason !== undefined && { reason }) }
    }
    case 'setAuth':
      return { type: 'setAuth', token: event.token }
    default:
      return null
  }
}

function ownCounter(): () => string {
  let next = 0
  return () => String(++next)
}

const clientSetup = setup({
  types: {
    context: {} as ClientContext,
    events: {} as ClientEvent,
    input: {} as ClientInput,
    emitted: {} as ClientEmitted,
  },
  actors: {
    /** The connection statechart; its default socket actor does no I/O (src/connection.ts provides the real one). */
    connection: connectionMachine,
    channel: channelMachine,
  },
  delays: {
    emptyChannelsGrace: ({ context }) => context.emptyChannelsGraceMs,
  },
  guards: {
    isNewTopic: ({ context, event }) => event.type === 'channel.add' && !Object.hasOwn(context.channels, event.topic),
    isKnownTopic: ({ context, event }) => {
      const topic = topicOf(event)
      return topic !== null && Object.hasOwn(context.channels, topic)
    },
    isRemovedChannel: ({ context, event }) =>
      event.type === 'channel.closed' && Object.hasOwn(context.channels, event.topic) && context.channels[event.topic]!.removing,
    hasNoChannels: ({ context }) => Object.keys(context.channels).length === 0,
    socketNotOpen: ({ context }) => context.connection !== 'open' && context.connection !== 'connecting',
  },
  actions: {
    /**
     * One channel actor per topic, registered under a topic-derived systemId. The systemId is checked
     * first: spawning a duplicate systemId is an uncaught error in XState 5 (xstate-notes §8).
     */
    spawnChannel: enqueueActions(({ context, event, enqueue, system }) => {
      if (event.type !== 'channel.add' || Object.hasOwn(context.channels, event.topic)) return
      const input: ChannelInput = {
        topic: event.topic,
        config: event.config ?? {},
        accessToken: context.accessToken,
        makeRef: context.makeRef,
        now: context.now,
        socketOpen: context.connection === 'open',
        timeoutMs: context.timeoutMs,
        rejoinDelays: context.rejoinDelays,
        bufferSize: context.channelBufferSize,
      }
      const systemId = channelSystemId(event.topic)
      if (system.get(systemId)) enqueue.spawnChild('channel', { id: event.topic, input })
      else enqueue.spawnChild('channel', { id: event.topic, systemId, input })
      enqueue.assign({ channels: { ...context.channels, [event.topic]: { config: event.config ?? {}, removing: false } } })
      enqueue.emit({ type: 'channel', kind: 'added', topic: event.topic })
    }),
    /** `channel.add` for a topic being removed keeps it: the caller wants the channel after all. */
    keepChannel: assign({
      channels: ({ context, event }) => {
        const topic = topicOf(event)
        if (topic === null || !context.channels[topic]?.removing) return context.channels
        return { ...context.channels, [topic]: { ...context.channels[topic]!, removing: false } }
      },
    }),
    markRemoving: assign({
      channels: ({ context, event }) => {
        const topic = topicOf(event)
        if (topic === null || !context.channels[topic]) return context.channels
        return { ...context.channels, [topic]: { ...context.channels[topic]!, removing: true } }
      },
    }),
    removeChannel: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'channel.closed') return
      const { [event.topic]: _removed, ...rest } = context.channels
      enqueue.stopChild(event.topic)
      enqueue.assign({ channels: rest })
      enqueue.emit({ type: 'channel', kind: 'removed', topic: event.topic })
    }),
    forwardToChannel: enqueueActions(({ event, enqueue }) => {
      const topic = topicOf(event)
      const channelEvent = channelEventOf(event)
      if (topic !== null && channelEvent !== null) enqueue.sendTo(topic, channelEvent)
    }),
    reportUnknownTopic: emit(({ event }) => ({
      type: 'error' as const,
      error: new RealtimeError('invalid_argument', `${event.type}: no channel for topic ${String(topicOf(event))} (send channel.add first)`, {
        topic: topicOf(event),
        event: event.type,
      }),
    })),
    transmit: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'channel.transmit') enqueue.sendTo('connection', { type: 'send', message: event.message })
    }),
    connect: sendTo('connection', { type: 'connect' }),
    closeSocket: sendTo('connection', { type: 'disconnect' }),
    forwardToConnection: enqueueActions(({ event, enqueue }) => {
      const command = connectionEventOf(event)
      if (command) enqueue.sendTo('connection', command)
    }),
    storeToken: assign({ accessToken: ({ context, event }) => (event.type === 'setAuth' ? event.token : context.accessToken) }),
    authChannels: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'setAuth') return
      for (const topic of Object.keys(context.channels)) enqueue.sendTo(topic, { type: 'setAuth', token: event.token })
    }),
    /**
     * The connection reports each move between its four state names. Channels only care about open /
     * not open; on open they also learn the token this connection was made with (the token function's
     * latest answer), unless it is just the apikey.
     */
    trackConnection: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'connection.state') return
      enqueue.assign({ connection: event.new })
      enqueue.emit({ type: 'connection', kind: 'state_change', old: event.old, new: event.new })
      const topics = Object.keys(context.channels)
      if (event.new === 'open') {
        const token = event.accessToken
        if (token !== undefined && token !== context.apikey && token !== context.accessToken) {
          enqueue.assign({ accessToken: token })
          for (const topic of topics) enqueue.sendTo(topic, { type: 'setAuth', token })
        }
        for (const topic of topics) enqueue.sendTo(topic, { type: 'socket.open' })
      } else if (event.old === 'open') {
        for (const topic of topics) enqueue.sendTo(topic, { type: 'socket.closed' })
      }
    }),
    reportConnectionError: enqueueActions(({ event, enqueue }) => {
      if (event.type === 'connection.error') enqueue.emit({ type: 'error', error: event.error })
    }),
    reportHeartbeat: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'connection.heartbeat') return
      enqueue.emit(
        event.rttMs === undefined
          ? { type: 'connection', kind: 'heartbeat', status: event.status }
          : { type: 'connection', kind: 'heartbeat', status: event.status, rttMs: event.rttMs },
      )
    }),
  },
})

const machine = clientSetup.createMachine({
  id: 'client',
  context: ({ input }) => {
    const makeRef = input.makeRef ?? ownCounter()
    const now = input.now ?? Date.now
    const connectionInput = {
      vsn: input.vsn ?? DEFAULT_VSN,
      apikey: input.apikey,
      accessToken: input.accessToken ?? null,
      makeRef,
      now,
      ...(input.sendBufferSize !== undefined && { sendBufferSize: input.sendBufferSize }),
      ...(input.deliver !== undefined && { deliver: input.deliver }),
      ...(input.reconnectDelays !== undefined && { reconnectDelays: input.reconnectDelays }),
      ...(input.random !== undefined && { random: input.random }),
    }
    return {
      channels: {},
      connection: 'closed',
      accessToken: input.accessToken ?? null,
      apikey: input.apikey,
      connectionInput,
      makeRef,
      now,
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      rejoinDelays: input.rejoinDelays ?? DEFAULT_REJOIN_DELAYS,
      channelBufferSize: input.channelBufferSize ?? DEFAULT_CHANNEL_BUFFER_SIZE,
      emptyChannelsGraceMs: input.emptyChannelsGraceMs ?? 2 * (input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS),
    }
  },
  invoke: {
    src: 'connection',
    id: 'connection',
    systemId: CONNECTION_SYSTEM_ID,
    input: ({ context }) => context.connectionInput,
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
    setAuth: { actions: ['storeToken', 'forwardToConnection', 'authChannels'] },
    'channel.add': [{ guard: 'isNewTopic', target: '.occupied', actions: 'spawnChannel' }, { actions: 'keepChannel' }],
    'channel.subscribe': [
      { guard: 'isKnownTopic', actions: ['keepChannel', 'forwardToChannel', 'connect'] },
      { actions: 'reportUnknownTopic' },
    ],
    'channel.unsubscribe': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.remove': [{ guard: 'isKnownTopic', actions: ['markRemoving', 'forwardToChannel'] }, { actions: 'reportUnknownTopic' }],
    'channel.push': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.configure': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.setAuth': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.transmit': { actions: 'transmit' },
    'channel.closed': { guard: 'isRemovedChannel', actions: 'removeChannel' },
    'connection.state': { actions: 'trackConnection' },
    'connection.error': { actions: 'reportConnectionError' },
    'connection.heartbeat': { actions: 'reportHeartbeat' },
  },
  initial: 'idle',
  states: {
    idle: {
      description: 'No channel since start or since the grace delay closed the socket. The socket may still be open by request.',
    },
    occupied: {
      description: 'At least one channel exists.',
      always: { guard: 'hasNoChannels', target: 'draining' },
    },
    draining: {
      description: 'The last channel is gone: the socket closes after `emptyChannelsGrace` unless a channel comes back.',
      after: { emptyChannelsGrace: { target: 'idle', actions: 'closeSocket' } },
      // Closed by request already: nothing left to wait for.
      on: { disconnect: { target: 'idle', actions: 'forwardToConnection' } },
    },
  },
})

/** The root client statechart. Its explicit type keeps declaration emit stable (xstate-notes §11c). */
export type ClientMachine = typeof machine
export const clientMachine: ClientMachine = machine
export type ClientActorRef = ActorRefFrom<ClientMachine>
export type ClientSnapshot = SnapshotFrom<ClientMachine>

/** The topics that have a channel actor, in creation order. */
export function topicsOf(snapshot: Pick<ClientSnapshot, 'context'>): string[] {
  return Object.keys(snapshot.context.channels)
}
