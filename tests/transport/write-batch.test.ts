/**
 * Frames written in one synchronous burst leave the `ws` client in one `writev`, in order; the socket is
 * uncorked when the burst ends; sockets without a TCP socket underneath are left alone.
 */
import { once } from 'node:events'
import type { AddressInfo } from 'node:net'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import WebSocket, { WebSocketServer } from 'ws'
import { batchWrites, MAX_FRAMES_PER_WRITE } from '../../src/transport/write-batch.js'

const microtask = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve))

function fakeTcp(): { cork: () => void; uncork: () => void; destroyed: boolean; corks: number; uncorks: number } {
  const tcp = {
    corks: 0,
    uncorks: 0,
    destroyed: false,
    cork() {
      tcp.corks++
    },
    uncork() {
      tcp.uncorks++
    },
  }
  return tcp
}

test('one cork per burst, one uncork when the burst ends, then a new burst corks again', async () => {
  const tcp = fakeTcp()
  const socket = { _socket: tcp }
  batchWrites(socket)
  batchWrites(socket)
  batchWrites(socket)
  assert.is(tcp.corks, 1)
  assert.is(tcp.uncorks, 0)
  await microtask()
  assert.is(tcp.uncorks, 1)
  batchWrites(socket)
  assert.is(tcp.corks, 2)
  await microtask()
  assert.is(tcp.uncorks, 2)
})

test('a long burst goes out in slices of MAX_FRAMES_PER_WRITE frames', async () => {
  const tcp = fakeTcp()
  const socket = { _socket: tcp }
  for (let i = 0; i < 2 * MAX_FRAMES_PER_WRITE + 2; i++) batchWrites(socket)
  assert.is(tcp.uncorks, 2, 'flushed before frame 64 and before frame 128')
  assert.is(tcp.corks, 3)
  await microtask()
  assert.is(tcp.uncorks, 3)
})

test('a TCP socket destroyed during the burst is not uncorked', async () => {
  const tcp = fakeTcp()
  batchWrites({ _socket: tcp })
  tcp.destroyed = true
  await microtask()
  assert.is(tcp.uncorks, 0)
})

test('sockets without a corkable TCP socket (browsers, undici, doubles) are left alone', () => {
  batchWrites({})
  batchWrites({ _socket: null })
  batchWrites({ _socket: { cork: 1 } })
})

test('a real ws client: 200 frames written in one burst arrive in order, one write per slice', async () => {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await once(server, 'listening')
  const received: string[] = []
  const allReceived = new Promise<void>((resolve) =>
    server.on('connection', (peer) =>
      peer.on('message', (data) => {
        received.push(String(data))
        if (received.length === 200) resolve()
      }),
    ),
  )
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`)
  try {
    await once(client, 'open')
    const tcp = (client as unknown as { _socket: { _writev: (...args: unknown[]) => unknown; _write: (...args: unknown[]) => unknown } })._socket
    let writes = 0
    for (const method of ['_writev', '_write'] as const) {
      const original = tcp[method].bind(tcp)
      tcp[method] = (...args: unknown[]) => {
        writes++
        return original(...args)
      }
    }
    for (let i = 0; i < 200; i++) {
      batchWrites(client)
      client.send(`frame ${i}`)
    }
    assert.ok(writes <= Math.floor(200 / MAX_FRAMES_PER_WRITE), `${writes} writes during the burst`)
    await allReceived
    assert.equal(received, Array.from({ length: 200 }, (_, i) => `frame ${i}`))
    assert.ok(writes <= Math.ceil(200 / MAX_FRAMES_PER_WRITE) + 1, `200 frames took ${writes} writes`)
  } finally {
    client.terminate()
    await new Promise((resolve) => server.close(resolve))
  }
})

test.run()
