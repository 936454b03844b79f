/**
 * The defects issue 11 found by trying the API as a new user would, each pinned against the dev server:
 * malformed and internal events, unencodable pushes, a presence key without a listener, a second
 * channel() with other options, and what close() leaves behind.
 */
import { WebSocket } from 'ws'
import * as assert from 'uvu/assert'
import { RealtimeError } from '../../src/index.js'
import { interopSuite, isChannelState, throwsInvalid, within } from './client-harness.js'

const test = interopSuite('client API as a new user tries it')

/** A `ws` WebSocket that remembers every instance, to see from the client side that a socket really closed. */
function recordingTransport() {
  const sockets: WebSocket[] = []
  class Recording extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args)
      sockets.push(this)
    }
  }
  return { transport: Recording as unknown as typeof WebSocket, sockets }
}


test('client.send refuses malformed events with invalid_argument and the client keeps working; close() closes the socket', async ({ world }) => {
  const { transport, sockets } = recordingTransport()
  const a = world.makeClient({ transport })
  const room = a.client.channel('malformed')
  for (const bad of [null, {}, { type: 42 }, 'connect', [], { type: 'channel.subscribe' }, { type: 'channel.push', topic: 'realtime:malformed' }]) {
    throwsInvalid(() => a.client.send(bad as never), JSON.stringify(bad))
  }
  assert.is(a.client.actor.getSnapshot().status, 'active')
  await room.subscribe()
  assert.is(room.state, 'joined')
  assert.is(await a.client.disconnect(), 'ok')
  a.client.connect()
  await a.events.waitFor((e) => e.type === 'connection' && e.kind === 'state_change' && e.new === 'open', 5000)
  await a.client.close()
  assert.ok(sockets.length >= 1)
  await within(Promise.all(sockets.map((s) => (s.readyState === WebSocket.CLOSED ? undefined : new Promise((r) => s.once('close', r))))), 3000, 'every socket closed')
})

test("client.send refuses the root's internal notifications: connection state and channels stay true", async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('internal')
  await room.subscribe()
  const internal = [
    { type: 'connection.state', old: 'open', new: 'closed' },
    { type: 'connection.error', error: new RealtimeError('timeout', 'x') },
    { type: 'group.occupied' },
    { type: 'channel.removed', topic: 'realtime:internal' },
    { type: 'socket.closed' },
  ]
  for (const event of internal) throwsInvalid(() => a.client.send(event as never), event.type)
  assert.is(a.client.connectionState(), 'open')
  assert.is(room.state, 'joined')
  const peer = world.makeClient()
  const theirs = peer.client.channel('internal')
  await theirs.subscribe()
  room.broadcast('still', { ok: true })
  await peer.events.waitFor((e) => e.type === 'broadcast' && e.event === 'still', 5000)
})

test('a push that cannot be encoded fails at once, the same way for every kind of push', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('unencodable', { broadcast: { ack: true } })
  await room.subscribe()
  const circular: Record<string, unknown> = {}
  circular['self'] = circular
  for (const payload of [{ n: 1n }, circular]) {
    throwsInvalid(() => room.broadcast('e', payload), 'broadcast')
    throwsInvalid(() => room.send({ type: 'broadcast', event: 'e', payload }), 'send')
    const ack = await room.broadcastWithAck('e', payload).then(
      () => null,
      (error: unknown) => error,
    )
    assert.is((ack as RealtimeError | null)?.code, 'invalid_argument', 'broadcastWithAck rejects')
    const tracked = await room.track(payload).then(
      () => null,
      (error: unknown) => error,
    )
    assert.is((tracked as RealtimeError | null)?.code, 'invalid_argument', 'track rejects')
  }
  assert.equal(a.events.all.filter((e) => e.type === 'error'), [], 'nothing failed later at the socket')
})

test('a presence key alone turns presence on: handleEvent gets presence events and presenceState() fills', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('lobby-key', { presence: { key: 'user_123' } })
  await room.subscribe()
  assert.is(await room.track({ online_at: 1 }), 'ok')
  await a.events.waitFor((e) => e.type === 'presence' && e.kind === 'join' && e.key === 'user_123', 5000, 'a presence join')
  assert.equal(Object.keys(room.presenceState()), ['user_123'])
})

test('a second channel() for a topic with other options is an error; the same options give the same channel', async ({ world }) => {
  const a = world.makeClient()
  const first = a.client.channel('twice', { broadcast: { self: true } })
  assert.is(a.client.channel('twice', { broadcast: { self: true } }), first)
  assert.is(a.client.channel('realtime:twice', { config: { broadcast: { self: true } } }), first, "realtime-js's spelling of the same options")
  throwsInvalid(() => a.client.channel('twice', { broadcast: { self: false, ack: true } }), 'other options')
  throwsInvalid(() => a.client.channel('twice'), 'no options for a channel made with some')
})

test('after close() every channel is closed; disconnect() keeps its rejoin-on-connect behaviour', async ({ world }) => {
  const a = world.makeClient()
  const rooms = ['c1', 'c2'].map((topic) => a.client.channel(topic))
  await Promise.all(rooms.map((room) => room.subscribe()))
  await a.client.disconnect()
  for (const room of rooms) assert.is(room.state, 'errored', 'a disconnect leaves them waiting to rejoin')
  a.client.connect()
  for (const room of rooms) await a.events.waitForCount(isChannelState(room.topic, 'joined'), 2, 5000, `${room.topic} joined again`)
  const states: string[] = []
  for (const room of rooms) states.push(room.state)
  assert.equal(states, ['joined', 'joined'])
  const closing = a.events.all.length
  await a.client.close()
  for (const room of rooms) assert.is(room.state, 'closed')
  const closedEvents = a.events.all.slice(closing).filter((e) => e.type === 'channel' && e.kind === 'state_change' && e.new === 'closed')
  assert.is(closedEvents.length, 2, 'each channel said it closed')
})

test.run()
