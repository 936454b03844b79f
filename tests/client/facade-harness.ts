/**
 * The real facade and root machine over a fake connection actor (the contract of
 * machines/connection/contract.ts) on a simulated clock: frames the client sends are recorded, frames
 * the "server" sends go through the real router via the connection's `deliver`.
 */
import { fromCallback, SimulatedClock } from 'xstate'
import type { ConnectionMachine } from '../../machines/connection/connection.machine.js'
import type { ConnectionEvent, ConnectionInput, ConnectionNotification, ConnectionStateName } from '../../machines/connection/contract.js'
import { createRealtimeClient, type RealtimeClientOptions, type RealtimeEvent } from '../../src/index.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

/** `stuck`: the fake never reports closed after `disconnect` (a dead peer). */
export function fakeClient(options: Partial<RealtimeClientOptions> = {}, { stuck = false } = {}) {
  const clock = new SimulatedClock()
  const sent: PhoenixMessage[] = []
  const commands: string[] = []
  let input: ConnectionInput | null = null
  let route: ((message: PhoenixMessage) => void) | null = null
  let toParent: ((notification: ConnectionNotification) => void) | null = null
  let state: ConnectionStateName = 'closed'
  const fake = fromCallback<ConnectionEvent, ConnectionInput>(({ sendBack, receive, input: connectionInput }) => {
    input = connectionInput
    toParent = sendBack
    receive((event) => {
      if (event.type === 'send') sent.push(event.message)
      else commands.push(event.type)
      // As the real connection: a disconnect closes the socket (and reports each move).
      if (event.type === 'disconnect' && !stuck && state !== 'closed') {
        if (state === 'open') move('closing')
        move('closed')
      }
    })
  })
  const events: RealtimeEvent[] = []
  const logs: string[] = []
  const client = createRealtimeClient({
    url: 'http://127.0.0.1:1',
    apikey: 'anon',
    clock,
    connectionLogic: ({ deliver }) => {
      route = (message) => deliver(message, undefined as never)
      return fake as unknown as ConnectionMachine
    },
    handleEvent: (event) => void events.push(event),
    logger: (level, message) => void logs.push(`${level}: ${message}`),
    ...options,
  })
  const move = (next: ConnectionStateName): void => {
    const old = state
    state = next
    toParent!({ type: 'connection.state', old, new: next })
  }
  const deliver = (message: Partial<PhoenixMessage> & { topic: string; event: string }): void =>
    route!({ joinRef: null, ref: null, payload: {}, ...message })
  const lastOf = (event: string, topic?: string) => sent.filter((m) => m.event === event && (topic === undefined || m.topic === topic)).at(-1)
  return {
    client,
    clock,
    sent,
    commands,
    events,
    logs,
    input: () => input!,
    move,
    open: () => {
      move('connecting')
      move('open')
    },
    deliver,
    lastOf,
    /** Answer the latest join of `topic` with `status`. */
    answerJoin: (topic: string, status = 'ok', response: unknown = {}) => {
      const join = lastOf('phx_join', topic)!
      deliver({ joinRef: join.joinRef, ref: join.ref, topic, event: 'phx_reply', payload: { status, response } })
      return join
    },
  }
}
