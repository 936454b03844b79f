/**
 * The root client actor: invokes the connection actor, spawns one channel actor per topic, carries
 * frames from channels to the connection, tells every channel when the socket opens or closes, and
 * closes the socket a grace delay after the last channel is gone.
 *
 *   idle ──a channel exists──▶ occupied ──last channel removed──▶ draining ──after emptyChannelsGrace──▶ idle (socket closed)
 *                                 ▲                                   │
 *                                 └────────── a channel exists ───────┘
 *
 * Inbound frames do not pass through here: the connection hands them to `input.deliver` (src/router.ts).
 *
 * Cost per channel (issue 6): every per-channel step is O(1) in the number of channels — the channel
 * table is updated in place, `channelCount` replaces counting keys, channels are addressed by ref
 * (never by scanning `snapshot.children`) — except what XState itself does with `snapshot.children`
 * in the default `channelActors: 'children'` mode; `'registry'` mode avoids that too
 * (machines/client/channel-registry.ts).
 */
import { assign, createActor, emit, enqueueActions, sendTo, setup, type ActorRefFrom, type AnyMachineSnapshot, type SnapshotFrom } from 'xstate'
import { RealtimeError } from '../../src/errors.js'
import { DEFAULT_VSN } from '../../src/protocol/types.js'
import { channelRegistryLogic, type RegistryStopEvent } from './channel-registry.js'
import { channelMachine, type ChannelActorRef } from '../channel/channel.machine.js'
import { DEFAULT_CHANNEL_BUFFER_SIZE, DEFAULT_REJOIN_DELAYS, DEFAULT_TIMEOUT_MS, type ChannelEvent, type ChannelInput } from '../channel/contract.js'
import {
  channelSystemId,
  CONNECTION_SYSTEM_ID,
  type ChannelEntry,
  type ClientContext,
  type ClientEmitted,
  type ClientEvent,
  type ClientInput,
} from './contract.js'
import { connectionMachine } from '../connection/connection.machine.js'
import type { ConnectionEvent } from '../connection/contract.js'

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
    case 'channel.track': {
      const { ref, payload, timeoutMs } = event
      return timeoutMs === undefined ? { type: 'track', ref, payload } : { type: 'track', ref, payload, timeoutMs }
    }
    case 'channel.untrack':
      return event.timeoutMs === undefined ? { type: 'untrack', ref: event.ref } : { type: 'untrack', ref: event.ref, timeoutMs: event.timeoutMs }
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

/**
 * The root's own table, written only by the actions below, at resolve time (so the guards of the
 * same macrostep see it). `ClientContext.channels` is typed read-only for everyone else.
 */
function tableOf(context: ClientContext): Map<string, ChannelEntry> {
  return context.channels as Map<string, ChannelEntry>
}

function entryOf(context: ClientContext, event: ClientEvent): ChannelEntry | undefined {
  const topic = topicOf(event)
  return topic === null ? undefined : context.channels.get(topic)
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
    /** The parent of the channel actors in `channelActors: 'registry'` mode. */
    channelRegistry: channelRegistryLogic,
  },
  delays: {
    emptyChannelsGrace: ({ context }) => context.emptyChannelsGraceMs,
  },
  guards: {
    isNewTopic: ({ context, event }) => event.type === 'channel.add' && !context.channels.has(event.topic),
    isKnownTopic: ({ context, event }) => entryOf(context, event) !== undefined,
    isRemovedChannel: ({ context, event }) => event.type === 'channel.closed' && entryOf(context, event)?.removing === true,
    // Evaluated on every event while `occupied` (an `always` guard): O(1), never a scan of the table.
    hasNoChannels: ({ context }) => context.channelCount === 0,
    hasChannels: ({ context }) => context.channelCount > 0,
    socketNotOpen: ({ context }) => context.connection !== 'open' && context.connection !== 'connecting',
  },
  actions: {
    /**
     * One channel actor per topic, registered under a topic-derived systemId. The systemId is checked
     * first: spawning a duplicate systemId is an uncaught error in XState 5 (xstate-notes §8).
     */
    spawnChannel: enqueueActions(({ context, event, enqueue, system, self }) => {
      if (event.type !== 'channel.add' || context.channels.has(event.topic)) return
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
      const id = event.topic
      const config = event.config ?? {}
      const systemId = system.get(channelSystemId(id)) ? undefined : channelSystemId(id)
      const options = { id, input, ...(systemId !== undefined && { systemId }) }
      const registry = context.registry
      if (registry === null) {
        // A spawned child of the root: XState copies `snapshot.children` here (O(channels)).
        enqueue.assign(({ context, spawn }) => {
          const ref: ChannelActorRef = spawn('channel', options)
          tableOf(context).set(id, { ref, config, removing: false })
          return { channelCount: context.channelCount + 1 }
        })
      } else {
        // What `spawn` does (same system, inspection, `src`), with the registry as parent and no copy
        // of `snapshot.children`. The
        // logic comes from this machine's implementations, so `.provide({ actors: { channel } })` applies.
        // Started by `startChannel`, the next action of the same transition.
        const logic = (self.getSnapshot() as AnyMachineSnapshot).machine.implementations.actors['channel'] as typeof channelMachine
        const ref: ChannelActorRef = createActor(logic, { ...options, parent: registry, src: 'channel' })
        tableOf(context).set(id, { ref, config, removing: false })
        enqueue.assign({ channelCount: context.channelCount + 1 })
      }
      enqueue.emit({ type: 'channel', kind: 'added', topic: id })
    }),
    /** Registry mode: start the channel `spawnChannel` created (a spawned child is started by XState). */
    startChannel: ({ context, event }) => {
      if (context.registry === null || event.type !== 'channel.add') return
      context.channels.get(event.topic)?.ref.start()
    },
    /** `channel.add` for a topic being removed keeps it: the caller wants the channel after all. */
    keepChannel: enqueueActions(({ context, event, enqueue }) => {
      const topic = topicOf(event)
      // Only a channel being removed changes; the common case (subscribe) copies no snapshot.
      if (topic === null || !entryOf(context, event)?.removing) return
      enqueue.assign(({ context }) => {
        const entry = entryOf(context, event)
        if (entry) tableOf(context).set(topic, { ...entry, removing: false })
        return {}
      })
    }),
    markRemoving: assign(({ context, event }) => {
      const topic = topicOf(event)
      const entry = entryOf(context, event)
      if (topic !== null && entry) tableOf(context).set(topic, { ...entry, removing: true })
      return {}
    }),
    removeChannel: enqueueActions(({ context, event, enqueue }) => {
      const entry = entryOf(context, event)
      if (event.type !== 'channel.closed' || !entry) return
      tableOf(context).delete(event.topic)
      enqueue.assign({ channelCount: context.channelCount - 1 })
      if (context.registry === null) enqueue.stopChild(entry.ref)
      else enqueue.sendTo(context.registry, { type: 'registry.stop', ref: entry.ref } satisfies RegistryStopEvent)
      enqueue.emit({ type: 'channel', kind: 'removed', topic: event.topic })
    }),
    /**
     * The channel's own form of a `channel.*` event, to its actor. Always behind `isKnownTopic`, so the
     * entry exists; a plain `sendTo` rather than `enqueueActions`, as every push passes here (issue 6).
     */
    forwardToChannel: sendTo(
      ({ context, event }) => entryOf(context, event)!.ref,
      ({ event }) => channelEventOf(event)!,
    ),
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
    /** A subscribe needs a socket: ask for one unless it is open (saves the connection a macrostep per channel). */
    connect: enqueueActions(({ context, enqueue }) => {
      if (context.connection !== 'open') enqueue.sendTo('connection', { type: 'connect' })
    }),
    closeSocket: sendTo('connection', { type: 'disconnect' }),
    forwardToConnection: enqueueActions(({ event, enqueue }) => {
      const command = connectionEventOf(event)
      if (command) enqueue.sendTo('connection', command)
    }),
    storeToken: assign({ accessToken: ({ context, event }) => (event.type === 'setAuth' ? event.token : context.accessToken) }),
    authChannels: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'setAuth') return
      for (const { ref } of context.channels.values()) enqueue.sendTo(ref, { type: 'setAuth', token: event.token })
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
      const channels = context.channels
      if (event.new === 'open') {
        const token = event.accessToken
        if (token !== undefined && token !== context.apikey && token !== context.accessToken) {
          enqueue.assign({ accessToken: token })
          for (const { ref } of channels.values()) enqueue.sendTo(ref, { type: 'setAuth', token })
        }
        for (const { ref } of channels.values()) enqueue.sendTo(ref, { type: 'socket.open' })
      } else if (event.old === 'open') {
        // One error for the whole loss, shared by every channel that was joining or joined.
        const error = new RealtimeError('connection_closed', `the socket closed (connection ${event.old} → ${event.new})`, { connection: event.new })
        for (const { ref } of channels.values()) enqueue.sendTo(ref, { type: 'socket.closed', error })
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
  context: ({ input, spawn, self }) => {
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
    const channels = new Map<string, ChannelEntry>()
    const channelActors = input.channelActors ?? 'children'
    return {
      channels,
      channelCount: 0,
      channelActors,
      registry: channelActors === 'registry' ? spawn('channelRegistry', { id: 'channels', input: { parent: self, channels } }) : null,
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
    'channel.add': [{ guard: 'isNewTopic', actions: ['spawnChannel', 'startChannel'] }, { actions: 'keepChannel' }],
    'channel.subscribe': [
      { guard: 'isKnownTopic', actions: ['keepChannel', 'forwardToChannel', 'connect'] },
      { actions: 'reportUnknownTopic' },
    ],
    'channel.unsubscribe': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.remove': [{ guard: 'isKnownTopic', actions: ['markRemoving', 'forwardToChannel'] }, { actions: 'reportUnknownTopic' }],
    'channel.push': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.track': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
    'channel.untrack': [{ guard: 'isKnownTopic', actions: 'forwardToChannel' }, { actions: 'reportUnknownTopic' }],
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
      always: { guard: 'hasChannels', target: 'occupied' },
    },
    occupied: {
      description: 'At least one channel exists.',
      always: { guard: 'hasNoChannels', target: 'draining' },
    },
    draining: {
      description: 'The last channel is gone: the socket closes after `emptyChannelsGrace` unless a channel comes back.',
      always: { guard: 'hasChannels', target: 'occupied' },
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
  return [...snapshot.context.channels.keys()]
}

/**
 * The channel actor of `topic`, in either `channelActors` mode (O(1)). Prefer it to
 * `snapshot.children[topic]`, which only holds channels in `'children'` mode.
 */
export function channelActorOf(snapshot: Pick<ClientSnapshot, 'context'>, topic: string): ChannelActorRef | undefined {
  return snapshot.context.channels.get(topic)?.ref
}
