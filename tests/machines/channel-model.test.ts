/**
 * Model-based test of the channel chart: `@xstate/graph` walks it from its initial state with every
 * event a channel can receive (its own timers included, read from the chart), and every edge it finds
 * is replayed through XState's pure `transition()` to check what the chart promises on every path,
 * not only on the paths a hand-written test thought of:
 * - each move between two state names is announced once, on the transition, as a contiguous chain
 *   (`old` is the name before, `new` the name after; no announcement of a non-move);
 * - a move into `closed` runs `notifyClosed` (the parent's `channel.closed`) exactly once; otherwise
 *   only an `unsubscribe` of a closed channel does (the answer to a removal);
 * - the snapshot stays plain data (JSON);
 * - every state of the chart is reached (so the walk is not vacuous).
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { getAdjacencyMap } from '@xstate/graph'
import { transition, type ActorLogic, type EventFrom } from 'xstate'
import { channelMachine, channelStateOf, type ChannelSnapshot } from '../../machines/channel/channel.machine.js'
import type { ChannelInput, ChannelStateName } from '../../machines/channel/contract.js'
import { chartOf, statesOf, type ChartModel } from '../../src/inspect/chart-model.js'
import { RealtimeError } from '../../src/errors.js'

const model = suite('channel chart, model-based (@xstate/graph)')

const TOPIC = 'realtime:model'
// The I/O action and the parent's notification as plain functions: `transition()` then lists them by
// name (it does not run them; a `sendParent` would need a parent the walk's actor scope lacks).
const channel = channelMachine.provide({ actions: { transmit: () => {}, notifyClosed: () => {} } })
const chart: ChartModel = chartOf(channel)
type ChannelMachineEvent = EventFrom<typeof channelMachine>
// @xstate/graph types its logic without emitted events; the walk needs only `transition`.
const walkable = channel as unknown as ActorLogic<ChannelSnapshot, ChannelMachineEvent, ChannelInput>

type Action = { type: string; params?: unknown }

/** Events from outside: the user's commands, the socket's news and the server's lifecycle frames. */
const OUTSIDE: ChannelMachineEvent[] = [
  { type: 'subscribe' },
  { type: 'unsubscribe' },
  { type: 'push', ref: 'a1', event: 'e', payload: { n: 1 }, expectReply: true },
  { type: 'push', ref: 'f1', event: 'e', payload: { n: 2 }, expectReply: false },
  { type: 'track', ref: 't1', payload: { user: 'x' } },
  { type: 'untrack', ref: 'u1' },
  { type: 'configure', config: { broadcast: { self: true } } },
  { type: 'setAuth', token: 'fresh-token' },
  { type: 'setAuth', token: null },
  { type: 'socket.open' },
  { type: 'socket.closed' },
  { type: 'socket.rejected', error: new RealtimeError('unauthorized', 'refused') },
  { type: 'JOIN_OK', response: {} },
  { type: 'JOIN_OK', response: { postgres_changes: [{ id: 7, event: 'INSERT', schema: 'public', table: 'todos' }] } },
  { type: 'JOIN_ERROR', response: { reason: 'Unauthorized: You do not have permissions' } },
  { type: 'JOIN_ERROR', response: { reason: 'RealtimeRestarting: try again' } },
  { type: 'JOIN_ERROR', response: { reason: 'Token has expired 3 seconds ago' } },
  { type: 'SERVER_CLOSE' },
  { type: 'SERVER_ERROR' },
  { type: 'SYSTEM', status: 'ok', message: 'Subscribed to PostgreSQL', extension: 'postgres_changes' },
  { type: 'TOKEN_EXPIRED', message: 'Token has expired 0 seconds ago', extension: 'system' },
]

const valueOf = (path: readonly string[]): string | Record<string, unknown> =>
  path.length === 1 ? path[0]! : { [path[0]!]: valueOf(path.slice(1)) }

/** The timers of the active states, as the chart names them (`xstate.after.<delay>.<state id>`). */
function timersOf(snapshot: ChannelSnapshot): ChannelMachineEvent[] {
  return chart.transitions
    .filter((t) => t.kind === 'after' && (t.source === '' || snapshot.matches(valueOf(t.source.split('.')) as never)))
    .map((t) => ({ type: t.event }) as unknown as ChannelMachineEvent)
}

/** Replies and expiries for the pushes the channel has out or buffered, by their refs. */
function pushNewsOf(snapshot: ChannelSnapshot): ChannelMachineEvent[] {
  const { inFlight, buffer } = snapshot.context
  return [
    ...inFlight.map((push): ChannelMachineEvent => ({ type: 'REPLY', ref: push.ref, status: 'ok', response: {} })),
    ...[...inFlight, ...buffer].map((push): ChannelMachineEvent => ({ type: 'push.expired', ref: push.ref })),
  ]
}

const eventsOf = (snapshot: ChannelSnapshot): ChannelMachineEvent[] => [...OUTSIDE, ...timersOf(snapshot), ...pushNewsOf(snapshot)]

/** What decides the next moves: the state, and whether a leave, a push or a presence state is pending. */
function serialise(snapshot: ChannelSnapshot): string {
  const { inFlight, buffer, tracked } = snapshot.context
  return JSON.stringify([snapshot.value, [...new Set(inFlight.map((p) => p.kind))].sort(), buffer.length > 0, tracked !== null])
}

function leavesOf(value: unknown, prefix: string[] = []): string[] {
  if (typeof value === 'string') return [[...prefix, value].join('.')]
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leavesOf(child, [...prefix, key]))
}

const emitted = (actions: readonly Action[]) =>
  actions.flatMap((action) => (action.type === 'xstate.emit' ? [(action.params as { event: { type: string; kind?: string; old?: ChannelStateName; new?: ChannelStateName } }).event] : []))


function walk(input: ChannelInput): { edges: number; reached: Set<string> } {
  const adjacency = getAdjacencyMap(walkable, { input, events: eventsOf, serializeState: serialise, limit: 200_000 })
  const reached = new Set<string>()
  let edges = 0
  for (const { state } of Object.values(adjacency)) {
    for (const leaf of leavesOf(state.value)) reached.add(leaf)
    for (const event of eventsOf(state)) {
      const [next, actions] = transition(channel, state, event)
      edges++
      const where = `${JSON.stringify(state.value)} --${event.type}--> ${JSON.stringify(next.value)}`
      const before = channelStateOf(state)
      const after = channelStateOf(next)
      const moves = emitted(actions).filter((e) => e.kind === 'state_change')
      if (before === after) assert.ok(moves.length === 0 || moves.at(-1)!.new === after, `${where}: a non-move announced ${JSON.stringify(moves)}`)
      else assert.ok(moves.length > 0, `${where}: ${before} → ${after} not announced`)
      let name = before
      for (const move of moves) {
        assert.is(move.old, name, `${where}: the announced move starts from ${move.old}, the channel was ${name}`)
        assert.is.not(move.new, move.old, `${where}: announced a move to itself`)
        name = move.new!
      }
      assert.is(name, after, `${where}: the announced chain ends in ${name}, the channel is ${after}`)
      const intoClosed = moves.filter((move) => move.new === 'closed').length
      const answersRemoval = before === 'closed' && after === 'closed' && event.type === 'unsubscribe' ? 1 : 0
      assert.is(actions.filter((action) => action.type === 'notifyClosed').length, intoClosed + answersRemoval, `${where}: notifyClosed once per move into closed`)
      assert.not.throws(() => JSON.stringify(next), `${where}: the snapshot is JSON`)
    }
  }
  return { edges, reached }
}

const LEAVES = statesOf(chart)
  .filter((state) => state.children.length === 0 && state.path.length > 0)
  .map((state) => state.path.join('.'))

model('every reachable edge, spawned on a closed or an open socket, with and without a token function, with and without postgres bindings', () => {
  const reached = new Set<string>()
  let edges = 0
  for (const socketOpen of [false, true]) {
    for (const refreshTokens of [false, true]) {
      for (const config of [{}, { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos' }] }]) {
        const result = walk({ topic: TOPIC, accessToken: 'first-token', refreshTokens, config, socketOpen })
        edges += result.edges
        result.reached.forEach((leaf) => reached.add(leaf))
      }
    }
  }
  assert.equal([...reached].sort(), [...LEAVES].sort(), 'the walk reaches every state of the chart')
  assert.ok(edges > 1000, `${edges} edges checked`)
})

model.run()
