/**
 * Registry mode with the real connection chart: a channel's outgoing frame goes straight to the socket
 * actor while the connection is open with an empty buffer (no `send` event through the connection),
 * and through the connection otherwise, where it waits in the send buffer and is flushed on open.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, type AnyActorRef, type InspectionEvent } from 'xstate'
import { clientMachine } from '../../machines/client/client.machine.js'
import { CONNECTION_SYSTEM_ID } from '../../machines/client/contract.js'
import { connectionMachine, connectionStateOf, type SocketActorInput, type SocketCommand, type SocketEvent } from '../../machines/connection/connection.machine.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

function start() {
  const transmitted: PhoenixMessage[] = []
  let toConnection: ((event: SocketEvent) => void) | null = null
  const socket = fromCallback<SocketCommand, SocketActorInput>(({ sendBack, receive }) => {
    toConnection = (event) => sendBack(event)
    receive((command) => {
      if (command.type === 'transmit') transmitted.push(command.message)
    })
  })
  const sentToConnection: PhoenixMessage[] = []
  const inspect = (event: InspectionEvent): void => {
    if (event.type !== '@xstate.event' || event.event.type !== 'send') return
    if ((event.actorRef as AnyActorRef).id === 'connection') sentToConnection.push((event.event as unknown as { message: PhoenixMessage }).message)
  }
  let refs = 0
  const machine = clientMachine.provide({ actors: { connection: connectionMachine.provide({ actors: { socket } }) } })
  const root = createActor(machine, { input: { apikey: 'anon', channelActors: 'registry', makeRef: () => `r${++refs}` }, inspect })
  root.start()
  const connection = () => root.system.get(CONNECTION_SYSTEM_ID) as AnyActorRef
  const registry = () => root.getSnapshot().children['channels'] as AnyActorRef
  return { root, transmitted, sentToConnection, opened: () => toConnection!({ type: 'socket.opened' }), connection, registry }
}

const frame = (topic: string): PhoenixMessage => ({ joinRef: '1', ref: '2', topic, event: 'broadcast', payload: { n: 1 } })

test('open with an empty buffer: frames skip the connection; otherwise they wait in its buffer, in order', async () => {
  const c = start()
  c.root.send({ type: 'channel.add', topic: 'realtime:a' })
  c.root.send({ type: 'channel.subscribe', topic: 'realtime:a' })
  await tick()
  assert.is(connectionStateOf(c.connection().getSnapshot()), 'connecting')

  // Not open yet: through the connection, into its buffer.
  c.registry().send({ type: 'channel.transmit', message: frame('realtime:early') })
  assert.equal(c.sentToConnection.map((m) => m.topic), ['realtime:early'])
  assert.equal(c.transmitted, [])

  c.opened()
  assert.is(connectionStateOf(c.connection().getSnapshot()), 'open')
  assert.equal(
    c.transmitted.map((m) => `${m.topic} ${m.event}`).sort(),
    ['realtime:a phx_join', 'realtime:early broadcast'],
    'the buffered frame and the join both went out',
  )
  assert.ok(!c.sentToConnection.some((m) => m.event === 'phx_join'), 'the join skipped the connection')

  // Open, buffer empty: straight to the socket actor.
  c.registry().send({ type: 'channel.transmit', message: frame('realtime:late') })
  assert.is(c.transmitted.at(-1)!.topic, 'realtime:late')
  assert.is(c.sentToConnection.filter((m) => m.topic === 'realtime:late').length, 0)
  c.root.stop()
})

test.run()
