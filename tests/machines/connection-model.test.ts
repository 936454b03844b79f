/**
 * Model-based test of the connection chart: `@xstate/graph` walks it from `closed` with every event the
 * connection can receive (commands, lifecycle signals, the socket's news, the answers of its token and
 * socket actors, and its own timers read from the chart), and every edge is replayed through XState's
 * pure `transition()` to check, on every path:
 * - each move between the four names is announced once, as a contiguous chain, and the parent is told
 *   the same moves (`connection.state`, with the token on a move to `open`);
 * - no message is lost silently: what was buffered plus what was sent (or handed back unsent by the socket) equals what is buffered now plus
 *   what went to the socket plus what was reported dropped (`buffer_overflow`); the buffer never
 *   exceeds its size;
 * - every state of the chart is reached (but the one passed through by an `always`).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { getAdjacencyMap } from '@xstate/graph'
import { fromCallback, fromPromise, transition, type ActorLogic, type EventFrom } from 'xstate'
import { connectionMachine, connectionStateOf, type ConnectionSnapshot } from '../../machines/connection/connection.machine.js'
import type { ConnectionInput, ConnectionNotification, ConnectionStateName } from '../../machines/connection/contract.js'
import { chartOf, statesOf } from '../../src/inspect/chart-model.js'
import { RealtimeError } from '../../src/errors.js'

const model = suite('connection chart, model-based (@xstate/graph)')

// The parent's notification as a plain function, so `transition()` lists it by name with its params;
// actors that do nothing (a pure transition starts none of them anyway).
const connection = connectionMachine.provide({
  actions: { notifyParent: () => {} },
  actors: { socket: fromCallback(() => {}), accessToken: fromPromise<string | null>(async () => null) },
})
const chart = chartOf(connection)
type Event = EventFrom<typeof connectionMachine>
// @xstate/graph types its logic without emitted events; the walk needs only `transition`. Each step goes
// through the pure `transition()`: the walker's own single mock actor system would keep the socket's
// systemId registered from its first `socket` entry on (a mock scope executes no stop).
const walkable = Object.assign(Object.create(connection) as object, {
  transition: (snapshot: ConnectionSnapshot, event: Event) => transition(connection, snapshot, event)[0],
}) as unknown as ActorLogic<ConnectionSnapshot, Event, ConnectionInput>

type Action = { type: string; params?: unknown }
const BUFFER = 2
const message = { joinRef: null, ref: 'm', topic: 'realtime:room', event: 'broadcast', payload: {} }
const heartbeat = { joinRef: null, ref: 'h', topic: 'phoenix', event: 'heartbeat', payload: {} }
// A JWT that never expires soon, so `tokenExpiring` does not depend on the wall clock.
const LONG_TOKEN = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ exp: 4_000_000_000 })).toString('base64url')}.sig`

const done = (id: string, output: unknown) => ({ type: `xstate.done.actor.${id}`, output }) as unknown as Event
const failed = (id: string) => ({ type: `xstate.error.actor.${id}`, error: new Error('boom') }) as unknown as Event

const OUTSIDE: Event[] = [
  { type: 'connect' },
  { type: 'disconnect' },
  { type: 'disconnect', code: 4000, reason: 'bye' },
  ...(['online', 'offline', 'visible', 'hidden', 'resume', 'suspend'] as const).map((type) => ({ type })),
  { type: 'send', message },
  { type: 'send', message: heartbeat },
  { type: 'setAuth', token: LONG_TOKEN },
  { type: 'setAuth', token: null },
  { type: 'refreshToken' },
  { type: 'socket.opened' },
  { type: 'socket.closed', code: 1006, reason: '', wasClean: false },
  { type: 'socket.closed', code: 1000, reason: '', wasClean: true },
  { type: 'socket.rejected', error: new RealtimeError('unauthorized', 'refused', { status: 401 }) },
  { type: 'socket.error', error: new RealtimeError('transport_error', 'glitch') },
  { type: 'socket.heartbeatReply', ref: 'stale', status: 'ok' },
  { type: 'socket.unsent', message },
  { type: 'socket.unsent', message: heartbeat },
  done('accessToken', LONG_TOKEN),
  done('accessToken', null),
  failed('accessToken'),
  done('refreshToken', `${LONG_TOKEN}2`),
  failed('refreshToken'),
  failed('socket'),
]

const valueOf = (path: readonly string[]): string | Record<string, unknown> => (path.length === 1 ? path[0]! : { [path[0]!]: valueOf(path.slice(1)) })

function eventsOf(snapshot: ConnectionSnapshot): Event[] {
  const timers = chart.transitions
    .filter((t) => t.kind === 'after' && snapshot.matches(valueOf(t.source.split('.')) as never))
    .map((t) => ({ type: t.event }) as unknown as Event)
  const { heartbeatRef } = snapshot.context
  return [...OUTSIDE, ...timers, ...(heartbeatRef === null ? [] : [{ type: 'socket.heartbeatReply', ref: heartbeatRef, status: 'ok' } as Event])]
}

function serialise(snapshot: ConnectionSnapshot): string {
  const { buffer, manualToken, heartbeatRef, attempt } = snapshot.context
  return JSON.stringify([snapshot.value, buffer.length, manualToken !== null, heartbeatRef !== null, Math.min(attempt, 2)])
}

function leavesOf(value: unknown, prefix: string[] = []): string[] {
  if (typeof value === 'string') return [[...prefix, value].join('.')]
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leavesOf(child, [...prefix, key]))
}

type Emitted = { type: string; kind?: string; old?: ConnectionStateName; new?: ConnectionStateName; error?: RealtimeError }
const emitted = (actions: readonly Action[]): Emitted[] => actions.flatMap((a) => (a.type === 'xstate.emit' ? [(a.params as { event: Emitted }).event] : []))
const toParent = (actions: readonly Action[]): ConnectionNotification[] => actions.flatMap((a) => (a.type === 'notifyParent' ? [a.params as ConnectionNotification] : []))
const transmitted = (actions: readonly Action[]) =>
  actions.flatMap((a) => {
    const event = (a.params as { event?: { type?: string; message?: { topic: string } } } | undefined)?.event
    return a.type === 'xstate.sendTo' && event?.type === 'transmit' ? [event.message!] : []
  })

function walk(input: ConnectionInput): { edges: number; reached: Set<string> } {
  const adjacency = getAdjacencyMap(walkable, { input, events: eventsOf, serializeState: serialise, limit: 500_000 })
  const reached = new Set<string>()
  let edges = 0
  for (const { state } of Object.values(adjacency)) {
    for (const leaf of leavesOf(state.value)) reached.add(leaf)
    for (const event of eventsOf(state)) {
      const [next, actions] = transition(connection, state, event)
      edges++
      const where = `${JSON.stringify(state.value)} (buffer ${state.context.buffer.length}) --${event.type}--> ${JSON.stringify(next.value)}`
      const before = connectionStateOf(state)
      const after = connectionStateOf(next)

      const moves = emitted(actions).filter((e) => e.type === 'connection' && e.kind === 'state_change')
      let name = before
      for (const move of moves) {
        assert.is(move.old, name, `${where}: the announced move starts from ${move.old}, the connection was ${name}`)
        assert.is.not(move.new, move.old, `${where}: announced a move to itself`)
        name = move.new!
      }
      assert.is(name, after, `${where}: the announced chain ends in ${name}, the connection is ${after}`)
      const told = toParent(actions).filter((n) => n.type === 'connection.state')
      assert.equal(told.map((n) => [n.old, n.new]), moves.map((m) => [m.old, m.new]), `${where}: the parent is told the same moves`)
      for (const n of told) if (n.type === 'connection.state') assert.is(n.new === 'open', n.accessToken !== undefined, `${where}: the token goes with a move to open, only then`)

      const sent = (event.type === 'send' || event.type === 'socket.unsent') && event.message.topic !== 'phoenix' ? 1 : 0
      const out = transmitted(actions).filter((m) => m.topic !== 'phoenix').length
      const dropped = emitted(actions).filter((e) => e.type === 'error' && e.error?.code === 'buffer_overflow').length
      assert.is(state.context.buffer.length + sent, next.context.buffer.length + out + dropped, `${where}: a message lost silently`)
      assert.ok(next.context.buffer.length <= BUFFER, `${where}: the buffer outgrew its size`)
    }
  }
  return { edges, reached }
}

model('every reachable edge, with and without a token function', () => {
  const reached = new Set<string>()
  let edges = 0
  for (const refreshTokens of [false, true]) {
    const result = walk({ vsn: '2.0.0', apikey: 'key', accessToken: LONG_TOKEN, refreshTokens, sendBufferSize: BUFFER })
    edges += result.edges
    result.reached.forEach((leaf) => reached.add(leaf))
  }
  // A state left at once by an unguarded `always` (choosing the token) is passed through, never rested in.
  const transient = new Set(chart.transitions.filter((t) => t.kind === 'always' && t.guard === undefined).map((t) => t.source))
  const leaves = statesOf(chart)
    .filter((state) => state.children.length === 0 && state.path.length > 0)
    .map((state) => state.path.join('.'))
    .filter((key) => !transient.has(key))
  assert.ok(leaves.length >= 10)
  assert.equal([...reached].sort(), leaves.sort(), 'the walk reaches every (resting) state of the chart')
  assert.ok(edges > 1000, `${edges} edges checked`)
})

model.run()
