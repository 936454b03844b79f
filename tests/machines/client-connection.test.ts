/**
 * The root with the real connection chart over a fake socket actor: a channel's frames go to the
 * socket actor while one exists, else to the connection actor (never through the root), and out
 * through the socket once it is open; what the socket cannot write waits in the connection's buffer;
 * pushes wait in their channel until it has joined.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, type AnyActorRef, type InspectionEvent } from 'xstate'
import { clientMachine } from '../../machines/client/client.machine.js'
import { connectionMachine, connectionStateOf } from '../../machines/connection/connection.machine.js'
import type { SocketActorInput, SocketCommand, SocketEvent } from '../../machines/connection/contract.js'
import { CONNECTION_SYSTEM_ID, SOCKET_SYSTEM_ID } from '../../machines/system-ids.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

test('joins go out once the socket opens, pushes after their join; no frame passes through the root', async () => {
  const transmitted: PhoenixMessage[] = []
  let toConnection: ((event: SocketEvent) => void) | null = null
  const socket = fromCallback<SocketCommand, SocketActorInput>(({ sendBack, receive }) => {
    toConnection = (event) => sendBack(event)
    receive((command) => {
      if (command.type === 'transmit') transmitted.push(command.message)
    })
  })
  const toRoot: string[] = []
  let rootRef: AnyActorRef | null = null
  const inspect = (event: InspectionEvent): void => {
    if (event.type === '@xstate.event' && event.actorRef === rootRef) toRoot.push(event.event.type)
  }
  const root = createActor(clientMachine.provide({ actors: { connection: connectionMachine.provide({ actors: { socket } }) } }), {
    input: { apikey: 'anon' },
    inspect,
  })
  rootRef = root
  root.start()
  for (const topic of ['realtime:a', 'realtime:b']) {
    root.send({ type: 'channel.add', topic })
    root.send({ type: 'channel.subscribe', topic })
  }
  await tick()
  const connection = root.system.get(CONNECTION_SYSTEM_ID) as AnyActorRef
  assert.is(connectionStateOf(connection.getSnapshot()), 'connecting')
  root.send({ type: 'channel.push', topic: 'realtime:a', ref: 'p1', event: 'broadcast', payload: { n: 1 }, expectReply: false })
  assert.equal(transmitted, [], 'nothing goes out before the socket opens')
  toConnection!({ type: 'socket.opened' })
  assert.equal(
    transmitted.map((m) => `${m.topic} ${m.event}`),
    ['realtime:a phx_join', 'realtime:b phx_join'],
    'the joins go out once the root told the channels the socket opened',
  )
  root.send({ type: 'channel.push', topic: 'realtime:b', ref: 'p2', event: 'broadcast', payload: { n: 2 }, expectReply: false })
  assert.is(transmitted.length, 2, 'a push on a joining channel waits in the channel for its join')
  const b = root.system.get('realtime-channel:realtime:b') as AnyActorRef
  const join = transmitted[1]!
  b.send({ type: 'JOIN_OK', response: {} })
  assert.equal(transmitted.slice(2).map((m) => [m.topic, m.ref, m.joinRef]), [['realtime:b', 'p2', join.joinRef]], 'the push follows its join, under its join ref')
  assert.ok(toRoot.includes('channel.push'), 'the root saw the public event')
  assert.not.ok(toRoot.includes('send'), 'frames never pass through the root')
  root.stop()
})

test('a frame the socket cannot write any more waits in the connection buffer and goes out first after the next open', async () => {
  const transmitted: PhoenixMessage[] = []
  let writable = true
  let toConnection: ((event: SocketEvent) => void) | null = null
  // As the real socket actor: a transmit that finds the WebSocket not open is handed back (`socket.unsent`).
  const socket = fromCallback<SocketCommand, SocketActorInput>(({ sendBack, receive }) => {
    toConnection = (event) => sendBack(event)
    receive((command) => {
      if (command.type !== 'transmit') return
      if (writable) transmitted.push(command.message)
      else sendBack({ type: 'socket.unsent', message: command.message })
    })
  })
  const root = createActor(clientMachine.provide({ actors: { connection: connectionMachine.provide({ actors: { socket } }) } }), { input: { apikey: 'anon' } })
  root.start()
  root.send({ type: 'channel.add', topic: 'realtime:a' })
  root.send({ type: 'channel.subscribe', topic: 'realtime:a' })
  await tick()
  toConnection!({ type: 'socket.opened' })
  const channel = root.system.get('realtime-channel:realtime:a') as AnyActorRef
  channel.send({ type: 'JOIN_OK', response: {} })
  assert.ok(root.system.get(SOCKET_SYSTEM_ID), 'the socket actor is registered while it exists')
  transmitted.length = 0

  writable = false // the WebSocket is closing; its close event has not come yet
  root.send({ type: 'channel.push', topic: 'realtime:a', ref: 'p1', event: 'broadcast', payload: { n: 1 }, expectReply: false })
  const connection = root.system.get(CONNECTION_SYSTEM_ID) as AnyActorRef
  assert.equal(transmitted, [])
  assert.equal((connection.getSnapshot().context as { buffer: PhoenixMessage[] }).buffer.map((m) => m.ref), ['p1'], 'kept, not lost')

  toConnection!({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  assert.is(root.system.get(SOCKET_SYSTEM_ID), undefined, 'no socket actor between sockets')
  writable = true
  root.send({ type: 'connect' })
  await tick()
  toConnection!({ type: 'socket.opened' })
  assert.equal(
    transmitted.map((m) => `${m.topic} ${m.event}${m.event === 'broadcast' ? ` ${m.ref}` : ''}`),
    ['realtime:a broadcast p1', 'realtime:a phx_join'],
    'the buffered frame first, then the rejoin',
  )
  root.stop()
})

test.run()
