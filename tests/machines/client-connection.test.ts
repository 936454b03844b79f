/**
 * The root with the real connection chart over a fake socket actor: a channel's frames go to the
 * connection actor (never through the root) and out through the socket once it is open; pushes wait
 * in their channel until it has joined.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, type AnyActorRef, type InspectionEvent } from 'xstate'
import { clientMachine } from '../../machines/client/client.machine.js'
import { connectionMachine, connectionStateOf } from '../../machines/connection/connection.machine.js'
import type { SocketActorInput, SocketCommand, SocketEvent } from '../../machines/connection/contract.js'
import { CONNECTION_SYSTEM_ID } from '../../machines/system-ids.js'
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

test.run()
