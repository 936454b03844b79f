/**
 * The socket actor over the `ws` package reads frames from its emitter (no MessageEvent per frame):
 * text and binary frames arrive decoded, non-ASCII intact, and stopping the actor removes its listener.
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import WebSocket, { WebSocketServer } from 'ws'
import { createActor } from 'xstate'
import { encodeUserBroadcast } from '../../src/protocol/binary.js'
import { PayloadEncoding, type PhoenixMessage } from '../../src/protocol/types.js'
import { createSocketActor } from '../../src/transport/socket.actor.js'

test('ws frames come from the emitter, decoded; the listener goes when the actor stops', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await once(server, 'listening')
  const sockets: WebSocket[] = []
  class RecordingWebSocket extends WebSocket {
    constructor(url: string) {
      super(url)
      sockets.push(this)
    }
  }
  server.on('connection', (peer) => {
    peer.send(JSON.stringify([null, null, 'realtime:r', 'broadcast', { type: 'broadcast', event: 'é', payload: { text: 'héllo ✓' } }]))
    peer.send(
      encodeUserBroadcast({ topic: 'realtime:r', userEvent: 'bin', metadata: '', encoding: PayloadEncoding.json, payload: new TextEncoder().encode('{"n":"ü"}') }),
      { binary: true },
    )
  })
  const delivered: PhoenixMessage[] = []
  const both = new Promise<void>((resolve) => {
    const logic = createSocketActor({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/socket`,
      transport: RecordingWebSocket,
      deliver: (message) => {
        delivered.push(message)
        if (delivered.length === 2) {
          actor.stop()
          resolve()
        }
      },
    })
    const actor = createActor(logic, { input: { url: undefined, vsn: '2.0.0', apikey: 'anon', token: 'anon' } })
    actor.start()
  })
  try {
    await both
    assert.is(delivered[0]!.event, 'broadcast')
    assert.equal((delivered[0]!.payload as { payload: unknown }).payload, { text: 'héllo ✓' })
    assert.is(delivered[1]!.topic, 'realtime:r')
    assert.equal(JSON.stringify(delivered[1]!.payload).includes('ü'), true)
    assert.is(sockets.length, 1)
    assert.is(sockets[0]!.listenerCount('message'), 0, 'no listener left after stop')
  } finally {
    for (const socket of sockets) socket.terminate()
    await new Promise((resolve) => server.close(resolve))
  }
})

test.run()
