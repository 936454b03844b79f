/**
 * The real socket actor against a scripted WebSocket double (the `transport` option), for the edges a
 * real server does not produce on demand: a socket that closes under us, a close() that throws, a peer
 * that never finishes the close handshake.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { connectionStateOf } from '../../machines/connection/connection.machine.js'
import { createConnectionLogic } from '../../src/connection.js'
import type { RealtimeError } from '../../src/errors.js'
import { encodeUserBroadcast } from '../../src/protocol/binary.js'
import { PayloadEncoding, type PhoenixMessage } from '../../src/protocol/types.js'
import type { SocketEventLike, WebSocketConstructor } from '../../src/transport/websocket.js'

class FakeWebSocket {
  static instances: FakeWebSocket[] = []
  /** Set to emulate the `ws` package, which also offers Node buffers. */
  static offersNodeBuffers = false
  readyState = 0
  private type = 'blob'
  sent: unknown[] = []
  closeCalls: unknown[][] = []
  terminated = false
  closeThrows = false
  private readonly listeners = new Map<string, Set<(event: SocketEventLike) => void>>()

  constructor(readonly url: string) {
    FakeWebSocket.instances.push(this)
  }
  get binaryType(): string {
    return this.type
  }
  /** Like a browser: an unknown value is ignored. */
  set binaryType(type: string) {
    if (type === 'blob' || type === 'arraybuffer' || (FakeWebSocket.offersNodeBuffers && type === 'nodebuffer')) this.type = type
  }
  addEventListener(type: string, listener: (event: SocketEventLike) => void): void {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set())
    this.listeners.get(type)!.add(listener)
  }
  removeEventListener(type: string, listener: (event: SocketEventLike) => void): void {
    this.listeners.get(type)?.delete(listener)
  }
  listenerCount(type: string): number {
    return this.listeners.get(type)?.size ?? 0
  }
  fire(type: string, event: Partial<SocketEventLike> = {}): void {
    for (const listener of [...(this.listeners.get(type) ?? [])]) listener({ type, ...event })
  }
  send(data: unknown): void {
    this.sent.push(data)
  }
  close(...args: unknown[]): void {
    this.closeCalls.push(args)
    if (this.closeThrows) throw new Error('invalid close code')
    this.readyState = 2
  }
  terminate(): void {
    this.terminated = true
    this.readyState = 3
  }
  open(): void {
    this.readyState = 1
    this.fire('open')
  }
}

const settle = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
}

async function openClient(options: { deliver?: (m: PhoenixMessage) => void } = {}) {
  FakeWebSocket.instances = []
  const logic = createConnectionLogic(
    { url: 'ws://fake/socket', transport: FakeWebSocket as unknown as WebSocketConstructor, heartbeatIntervalMs: 60_000 },
    options.deliver === undefined ? {} : { deliver: options.deliver },
  )
  const actor = createActor(logic, { input: { vsn: '2.0.0', apikey: 'k' } })
  const errors: RealtimeError[] = []
  actor.on('error', (e) => void errors.push(e.error))
  actor.start()
  actor.send({ type: 'connect' })
  await settle()
  const socket = FakeWebSocket.instances[0]!
  socket.open()
  assert.is(connectionStateOf(actor.getSnapshot()), 'open')
  return { actor, socket, errors }
}

test('binary frames as Node Buffer views into a larger pool are decoded in place; users get ArrayBuffer copies', async () => {
  FakeWebSocket.offersNodeBuffers = true
  try {
    const delivered: PhoenixMessage[] = []
    const { actor, socket } = await openClient({ deliver: (m) => void delivered.push(m) })
    assert.is(socket.binaryType, 'nodebuffer')
    const bytes = new Uint8Array([1, 2, 3, 250])
    const json = new TextEncoder().encode('{"n":1}')
    const frames = [
      encodeUserBroadcast({ topic: 'realtime:a', userEvent: 'bin', metadata: '', payload: bytes, encoding: PayloadEncoding.binary }),
      encodeUserBroadcast({ topic: 'realtime:a', userEvent: 'json', metadata: '', payload: json, encoding: PayloadEncoding.json }),
    ]
    // What `ws` hands over with 'nodebuffer': a Buffer viewing part of its receive buffer.
    const pool = Buffer.alloc(256, 0xee)
    let offset = 7
    for (const frame of frames) {
      pool.set(frame, offset)
      socket.fire('message', { data: pool.subarray(offset, offset + frame.length) })
      offset += frame.length + 3
    }
    const [bin, text] = delivered.map((m) => m.payload as { event: string; payload: unknown })
    assert.is(bin!.event, 'bin')
    assert.instance(bin!.payload, ArrayBuffer)
    assert.equal([...new Uint8Array(bin!.payload as ArrayBuffer)], [1, 2, 3, 250])
    pool.fill(0)
    assert.equal([...new Uint8Array(bin!.payload as ArrayBuffer)], [1, 2, 3, 250], 'a copy, not a view of the pool')
    assert.equal(text!.payload, { n: 1 })
    actor.stop()
  } finally {
    FakeWebSocket.offersNodeBuffers = false
  }
})

test('opens the URL with binaryType arraybuffer and writes encoded frames', async () => {
  const { actor, socket } = await openClient()
  assert.is(socket.url, 'ws://fake/socket/websocket?apikey=k&vsn=2.0.0')
  assert.is(socket.binaryType, 'arraybuffer')
  actor.send({ type: 'send', message: { joinRef: '1', ref: '2', topic: 'realtime:a', event: 'custom', payload: {} } })
  assert.equal(socket.sent, ['["1","2","realtime:a","custom",{}]'])
  actor.stop()
})

test('a write while the socket is no longer open goes back to the send buffer: not lost, not an error, not a crash', async () => {
  const { actor, socket, errors } = await openClient()
  socket.readyState = 2 // closing under us; no close event yet
  const message = { joinRef: null, ref: '2', topic: 'realtime:a', event: 'custom', payload: {} }
  actor.send({ type: 'send', message })
  assert.equal(errors, [])
  assert.equal(socket.sent, [])
  assert.equal(actor.getSnapshot().context.buffer, [message], 'kept for the next open')
  actor.stop()
})

test('a heartbeat reply on topic phoenix goes to the machine; a close() that throws is swallowed', async () => {
  const { actor, socket } = await openClient()
  const beats: string[] = []
  actor.on('connection', (e) => void (e.kind === 'heartbeat' && beats.push(e.status)))
  actor.send({ type: 'visible' }) // heartbeat now
  const ref = JSON.parse(socket.sent[0] as string)[1] as string
  socket.fire('message', { data: JSON.stringify([null, ref, 'phoenix', 'phx_reply', { status: 'ok', response: {} }]) })
  assert.equal(beats, ['sent', 'ok'])
  socket.closeThrows = true
  actor.send({ type: 'disconnect', code: 99999 })
  assert.equal(socket.closeCalls, [[99999, undefined]])
  assert.is(connectionStateOf(actor.getSnapshot()), 'closing')
  actor.stop()
})

test('only one close is reported; stopping releases listeners and drops a socket stuck in closing', async () => {
  const { actor, socket } = await openClient()
  actor.send({ type: 'disconnect', code: 1000, reason: 'bye' })
  assert.is(socket.readyState, 2)
  // The peer never answers: the machine gives up after closeTimeout; stopping the actor does the same.
  actor.stop()
  assert.ok(socket.terminated, 'terminate() drops a half-closed socket')
  assert.is(socket.listenerCount('message'), 0)
  assert.is(socket.listenerCount('error'), 1, 'a no-op error listener stays, so ws cannot throw unhandled')
  socket.fire('error', { message: 'late' }) // harmless
})

test('close events after the first are ignored; an unclean close reconnects', async () => {
  const { actor, socket } = await openClient()
  socket.readyState = 3
  socket.fire('close', { code: 1006, reason: '', wasClean: false })
  socket.fire('close', { code: 1006 })
  assert.ok(actor.getSnapshot().matches('retrying'))
  actor.stop()
})

test.run()
