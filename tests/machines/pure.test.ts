/**
 * Each chart through XState's pure `initialTransition()` / `transition()`: the next snapshot and the
 * actions it would run, nothing started or executed. And every running actor's snapshot is JSON.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, initialTransition, transition, type AnyActorRef, type InspectionEvent } from 'xstate'
import { channelMachine, channelStateOf } from '../../machines/channel/channel.machine.js'
import { clientMachine } from '../../machines/client/client.machine.js'
import { connectionMachine, connectionStateOf } from '../../machines/connection/connection.machine.js'
import type { ConnectionMachine } from '../../machines/connection/connection.machine.js'
import { redactInspection } from '../../src/inspect-redaction.js'

const TOPIC = 'realtime:pure'

type Action = { type: string; params?: unknown }
const types = (actions: readonly Action[]): string[] => actions.map((action) => action.type)

const pure = suite('charts through the pure transition()')

/** The chart with its I/O action as a plain function: `transition()` then lists it with its params. */
const channel = channelMachine.provide({ actions: { transmit: () => {} } })

const emitted = (actions: readonly Action[]): unknown[] =>
  actions.flatMap((action) => (action.type === 'xstate.emit' ? [(action.params as { event: unknown }).event] : []))

pure('channel: subscribe on an open socket makes the join frame; JOIN_OK joins; a socket loss errors', () => {
  let [snapshot, actions] = initialTransition(channel, { topic: TOPIC, accessToken: 'tok' })
  assert.is(channelStateOf(snapshot), 'closed')
  ;[snapshot] = transition(channel, snapshot, { type: 'socket.open' })
  ;[snapshot, actions] = transition(channel, snapshot, { type: 'subscribe' })
  assert.equal(snapshot.value, { joining: 'sending' })
  const transmit = actions.find((action) => action.type === 'transmit') as Action & { params: { messages: Array<{ event: string; ref: string; payload: unknown }> } }
  assert.is(transmit.params.messages[0]!.event, 'phx_join')
  assert.is(transmit.params.messages[0]!.ref, '1')
  assert.is((transmit.params.messages[0]!.payload as { access_token: string }).access_token, 'tok')
  assert.equal(emitted(actions), [{ type: 'channel', kind: 'state_change', topic: TOPIC, old: 'closed', new: 'joining' }])
  ;[snapshot, actions] = transition(channel, snapshot, { type: 'JOIN_OK', response: {} })
  assert.is(channelStateOf(snapshot), 'joined')
  ;[snapshot, actions] = transition(channel, snapshot, { type: 'socket.closed' })
  assert.equal(snapshot.value, { errored: 'waitingForSocket' })
  assert.is(snapshot.context.error?.code, 'connection_closed')
  assert.ok(snapshot.context.gapSince !== null, 'the gap starts on the transition')
  assert.equal(emitted(actions), [{ type: 'channel', kind: 'state_change', topic: TOPIC, old: 'joined', new: 'errored' }])
})

pure('channel: spawned on an open socket (input socketOpen) it starts online; subscribe sends the join at once; the flag is not kept', () => {
  let [snapshot, actions] = initialTransition(channel, { topic: TOPIC, socketOpen: true })
  assert.equal(snapshot.value, { closed: 'online' })
  assert.not.ok('socketOpen' in snapshot.context, 'the input flag is not context: the state says it')
  ;[snapshot, actions] = transition(channel, snapshot, { type: 'subscribe' })
  assert.equal(snapshot.value, { joining: 'sending' })
  assert.ok(types(actions).includes('transmit'))
  // Back in closed.offline later (the socket closed), it waits for socket.open as any channel does.
  ;[snapshot] = transition(channel, snapshot, { type: 'unsubscribe' })
  ;[snapshot] = transition(channel, snapshot, { type: 'socket.closed' })
  assert.equal(snapshot.value, { closed: 'offline' })
  ;[snapshot] = transition(channel, snapshot, { type: 'subscribe' })
  assert.equal(snapshot.value, { joining: 'waitingForSocket' })
  const [offline] = initialTransition(channel, { topic: TOPIC, socketOpen: false })
  assert.equal(offline.value, { closed: 'offline' })
})

pure('channel: a final join error halts on the transition itself; a retryable one backs off', () => {
  const joining = () => {
    let [snapshot] = initialTransition(channelMachine, { topic: TOPIC })
    ;[snapshot] = transition(channelMachine, snapshot, { type: 'socket.open' })
    ;[snapshot] = transition(channelMachine, snapshot, { type: 'subscribe' })
    return snapshot
  }
  const [halted] = transition(channelMachine, joining(), { type: 'JOIN_ERROR', response: { reason: 'Unauthorized: no' } })
  assert.ok(halted.matches({ errored: 'halted' }))
  const [backoff, actions] = transition(channelMachine, joining(), { type: 'JOIN_ERROR', response: { reason: 'RealtimeRestarting: soon' } })
  assert.ok(backoff.matches({ errored: 'backoff' }))
  assert.ok(types(actions).includes('xstate.raise'), 'the rejoin timer is scheduled')
})

pure('channel: unsubscribe while joined leaves; the leave reply closes it', () => {
  let [snapshot] = initialTransition(channel, { topic: TOPIC })
  for (const event of [{ type: 'socket.open' }, { type: 'subscribe' }, { type: 'JOIN_OK', response: {} }, { type: 'unsubscribe' }] as const) [snapshot] = transition(channel, snapshot, event)
  assert.equal(snapshot.value, 'leaving')
  const leave = snapshot.context.inFlight.find((push) => push.kind === 'leave')!
  const [closed, actions] = transition(channel, snapshot, { type: 'REPLY', ref: leave.ref, status: 'ok', response: {} })
  assert.is(channelStateOf(closed), 'closed')
  assert.equal(emitted(actions).at(-1), { type: 'channel', kind: 'state_change', topic: TOPIC, old: 'leaving', new: 'closed' })
})

pure('channel: a join reply whose postgres_changes bindings are not ours halts the channel and leaves; matching ones are recorded', () => {
  const binding = { event: 'INSERT', schema: 'public', table: 'todos' }
  const joining = () => {
    let [snapshot] = initialTransition(channel, { topic: TOPIC, config: { postgres_changes: [binding] } })
    ;[snapshot] = transition(channel, snapshot, { type: 'socket.open' })
    ;[snapshot] = transition(channel, snapshot, { type: 'subscribe' })
    return snapshot
  }
  const [mismatch, actions] = transition(channel, joining(), { type: 'JOIN_OK', response: { postgres_changes: [{ ...binding, table: 'other', id: 7 }] } })
  assert.ok(mismatch.matches({ errored: 'halted' }), 'not retried, not joined')
  assert.is(mismatch.context.error?.code, 'join_failed')
  assert.match(mismatch.context.error!.message, 'mismatch between server and client bindings for postgres changes')
  const leave = actions.find((action) => action.type === 'transmit') as Action & { params: { messages: Array<{ event: string }> } }
  assert.is(leave.params.messages[0]!.event, 'phx_leave', 'the server joined us: leave')
  const [joined] = transition(channel, joining(), { type: 'JOIN_OK', response: { postgres_changes: [{ ...binding, id: 30636876 }] } })
  assert.is(channelStateOf(joined), 'joined')
  assert.equal(joined.context.bindingIds, [30636876])
})

pure('connection: connect asks for the token (an actor to start, not started); socket.opened opens', () => {
  let [snapshot, actions] = initialTransition(connectionMachine, { vsn: '2.0.0', apikey: 'k' })
  assert.is(connectionStateOf(snapshot), 'closed')
  ;[snapshot, actions] = transition(connectionMachine, snapshot, { type: 'connect' })
  assert.equal(snapshot.value, { connecting: 'fetchingToken' })
  assert.ok(actions.some((action) => action.type === 'xstate.spawnChild'), 'the token actor is an action to run, not a running actor')
  assert.equal(emitted(actions), [{ type: 'connection', kind: 'state_change', old: 'closed', new: 'connecting' }])
})

pure('client: connection.state moves the connection region; a group with channels makes it occupied', () => {
  let [snapshot, actions] = initialTransition(clientMachine, { apikey: 'k', url: 'ws://127.0.0.1:1/socket' })
  assert.equal(snapshot.value, { connection: 'closed', channels: 'idle' })
  assert.ok(actions.some((action) => action.type === 'xstate.spawnChild'), 'the connection is invoked')
  ;[snapshot, actions] = transition(clientMachine, snapshot, { type: 'connection.state', old: 'closed', new: 'connecting' })
  assert.equal(snapshot.value, { connection: 'connecting', channels: 'idle' })
  ;[snapshot, actions] = transition(clientMachine, snapshot, { type: 'group.occupied' })
  assert.equal(snapshot.value, { connection: 'connecting', channels: 'occupied' })
  assert.is(snapshot.context.occupiedGroups, 1)
  ;[snapshot, actions] = transition(clientMachine, snapshot, { type: 'group.empty' })
  assert.equal(snapshot.value, { connection: 'connecting', channels: 'draining' })
  assert.ok(types(actions).includes('xstate.raise'), 'the grace timer starts')
})

pure.run()

const serialisable = suite('snapshots are JSON, inspection carries no token')

serialisable('every actor of a running client has a JSON snapshot, with nothing lost to functions', () => {
  const events: InspectionEvent[] = []
  const fake = fromCallback(() => {})
  const root = createActor(clientMachine.provide({ actors: { connection: fake as unknown as ConnectionMachine } }), {
    input: { apikey: 'anon', accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl', url: 'ws://127.0.0.1:1/socket' },
    inspect: redactInspection((event) => void events.push(event)),
  })
  root.start()
  root.send({ type: 'channel.add', topic: TOPIC })
  root.send({ type: 'connection.state', old: 'closed', new: 'open', accessToken: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ5In0.c2lnbmF0dXJl' })
  root.send({ type: 'channel.subscribe', topic: TOPIC })
  const actors = new Set<AnyActorRef>([root])
  for (const event of events) actors.add(event.actorRef as AnyActorRef)
  let checked = 0
  for (const actor of actors) {
    const snapshot = actor.getSnapshot() as { context?: unknown }
    if (snapshot.context === undefined) continue
    const json = JSON.stringify(snapshot)
    assert.equal(JSON.parse(JSON.stringify(snapshot.context)), JSON.parse(json).context, `${actor.id}: context survives JSON`)
    checked++
  }
  assert.ok(checked >= 3, 'root, group and channel')
  const seen = JSON.stringify(events.map((event) => ({ snapshot: (event as { snapshot?: unknown }).snapshot, event: (event as { event?: unknown }).event })))
  assert.not.match(seen, /eyJhbGciOiJIUzI1NiJ9\.eyJ/, 'no token in what inspection sees')
  assert.match(seen, /\[redacted\]/)
  root.stop()
})

serialisable.run()
