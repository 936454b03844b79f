/**
 * Channels and broadcast end to end: the client against the dev server over loopback.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RealtimeError } from '../../src/errors.js'
import type { BroadcastMessage } from '../../src/index.js'
import { EventLog, isBroadcast, isChannelState, startWorld, within, type World } from './client-harness.js'

const test = suite<{ world: World }>('channels end to end', { world: undefined as unknown as World })

test.before.each(async (ctx) => {
  ctx.world = await startWorld()
})

test.after.each(async (ctx) => {
  await ctx.world.close()
})

test('self off: the sender does not get its own broadcast, the other client does', async ({ world }) => {
  const a = world.makeClient()
  const b = world.makeClient()
  const roomA = a.client.channel('room')
  const roomB = b.client.channel('room')
  await Promise.all([roomA.subscribe(), roomB.subscribe()])
  roomA.broadcast('ping', { n: 1 })
  await b.events.waitFor(isBroadcast('ping'), 3000, 'ping at b')
  roomB.broadcast('pong', {})
  // The server fanned `ping` out before b could answer: if a had been sent it, it came before `pong`.
  await a.events.waitFor(isBroadcast('pong'), 3000, 'pong at a')
  assert.is(a.events.count(isBroadcast('ping')), 0)
})

test('self on: the sender gets its own broadcast', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('room', { broadcast: { self: true } })
  await room.subscribe()
  const got = new EventLog<BroadcastMessage>()
  room.on('broadcast', { event: 'echo' }, (message) => got.push(message))
  room.broadcast('echo', { text: 'é' })
  const message = await got.waitFor(() => true)
  assert.equal(message, { type: 'broadcast', event: 'echo', payload: { text: 'é' } })
})

test('self through realtime-js spelling: channel(t, { config: { broadcast: { self: true } } }) and send()', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('realtime:room', { config: { broadcast: { self: true } } })
  assert.is(room.topic, 'realtime:room')
  assert.is(room.subTopic, 'room')
  await room.subscribe()
  room.send({ type: 'broadcast', event: 'hi', payload: 1 })
  await a.events.waitFor(isBroadcast('hi', 'realtime:room'))
})

test('ack ok: broadcastWithAck → waitForAck gives acknowledged', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('room', { broadcast: { ack: true } })
  await room.subscribe()
  const ref = await room.broadcastWithAck('saved', { id: 1 })
  assert.equal(await a.client.waitForAck(ref, { timeout: 2000 }), { ok: 'acknowledged' })
  // Asking again after the fact gives the same outcome.
  assert.equal(await a.client.waitForAck(ref), { ok: 'acknowledged' })
})

test('ack timeout: when the server swallows acks, waitForAck gives timeout (push timeout and waitForAck timeout)', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('room', { broadcast: { ack: true } })
  await room.subscribe()
  world.server.faults.swallowAcks(true)
  const ref = await room.broadcastWithAck('lost', {}, { timeoutMs: 150 })
  assert.equal(await within(a.client.waitForAck(ref), 3000, 'outcome from the 150 ms push timeout'), { error: 'timeout' })
  const ref2 = await room.broadcastWithAck('lost', {})
  assert.equal(await a.client.waitForAck(ref2, { timeout: 50 }), { error: 'timeout' })
  world.server.faults.swallowAcks(false)
  const ref3 = await room.broadcastWithAck('back', {})
  assert.equal(await within(a.client.waitForAck(ref3), 3000, 'ack'), { ok: 'acknowledged' })
})

test('broadcastWithAck without broadcast.ack is an invalid_argument error; an unknown ref is an error outcome', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('room')
  await room.subscribe()
  const error = await room.broadcastWithAck('x', {}).catch((e: unknown) => e)
  assert.instance(error, RealtimeError)
  assert.is((error as RealtimeError).code, 'invalid_argument')
  const outcome = await a.client.waitForAck('no-such-ref')
  assert.ok('error' in outcome && outcome.error instanceof RealtimeError)
})

test("wildcard: '*' and 'all' get every event, names match case-insensitively, disposers are idempotent", async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('room', { broadcast: { self: true } })
  const star: string[] = []
  const all: string[] = []
  const named: string[] = []
  room.on('broadcast', { event: '*' }, (m) => star.push(m.event))
  room.on('broadcast', { event: 'all' }, (m) => all.push(m.event))
  const off = room.on('broadcast', { event: 'HELLO' }, (m) => named.push(m.event))
  await room.subscribe()
  room.broadcast('hello', 1)
  room.broadcast('other', 2)
  await a.events.waitFor(isBroadcast('other'))
  assert.equal(star, ['hello', 'other'])
  assert.equal(all, ['hello', 'other'])
  assert.equal(named, ['hello'])
  off()
  off()
  room.broadcast('hello', 3)
  room.broadcast('last', 4)
  await a.events.waitFor(isBroadcast('last'))
  assert.equal(named, ['hello'])
  assert.equal(star, ['hello', 'other', 'hello', 'last'])
})

test('binary: typed arrays and ArrayBuffers travel as binary user broadcasts (vsn 2.0.0)', async ({ world }) => {
  const a = world.makeClient()
  const b = world.makeClient()
  const roomA = a.client.channel('bin')
  const roomB = b.client.channel('bin')
  const got = new EventLog<BroadcastMessage>()
  roomB.on('broadcast', { event: '*' }, (m) => got.push(m))
  await Promise.all([roomA.subscribe(), roomB.subscribe()])
  roomA.broadcast('bytes', new Uint8Array([0, 1, 2, 255]))
  roomA.broadcast('buffer', new Uint16Array([513]).buffer)
  const bytes = await got.waitFor((m) => m.event === 'bytes')
  const buffer = await got.waitFor((m) => m.event === 'buffer')
  assert.instance(bytes.payload, ArrayBuffer)
  assert.equal([...new Uint8Array(bytes.payload as ArrayBuffer)], [0, 1, 2, 255])
  assert.equal([...new Uint16Array(buffer.payload as ArrayBuffer)], [513])
})

test('binary under vsn 1.0.0 is refused with invalid_argument, JSON works', async ({ world }) => {
  const a = world.makeClient({ vsn: '1.0.0' })
  const room = a.client.channel('v1', { broadcast: { self: true } })
  await room.subscribe()
  assert.throws(() => room.broadcast('b', new Uint8Array([1])), (e: unknown) => e instanceof RealtimeError && e.code === 'invalid_argument')
  room.broadcast('j', { ok: true })
  const event = await a.events.waitFor(isBroadcast('j'))
  assert.equal(event.type === 'broadcast' && event.payload, { ok: true })
})

test('httpSend delivers JSON and bytes through REST and returns the outcome', async ({ world }) => {
  const a = world.makeClient()
  const b = world.makeClient()
  const roomB = b.client.channel('rest')
  const got = new EventLog<BroadcastMessage>()
  roomB.on('broadcast', { event: '*' }, (m) => got.push(m))
  await roomB.subscribe()
  const never = a.client.channel('rest')
  assert.equal(await never.httpSend('json', { a: 1 }), { success: true, status: 202 })
  assert.equal((await got.waitFor((m) => m.event === 'json')).payload, { a: 1 })
  const result = await never.httpSend('raw', new Uint8Array([9, 8, 7]))
  assert.ok(result.success)
  const raw = await got.waitFor((m) => m.event === 'raw')
  assert.equal([...new Uint8Array(raw.payload as ArrayBuffer)], [9, 8, 7])
  assert.is(never.state, 'closed', 'httpSend does not join')
})

test('httpSend reports errors: no payload, a refused private broadcast', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('secret', { private: true })
  const missing = await room.httpSend('x', undefined).catch((e: unknown) => e)
  assert.is((missing as RealtimeError).code, 'invalid_argument')
  const refused = await room.httpSend('x', { a: 1 }).catch((e: unknown) => e)
  assert.instance(refused, RealtimeError)
  assert.is((refused as RealtimeError).code, 'http_error')
  assert.is((refused as RealtimeError).metadata['status'], 403)
})

test('not_joined: a broadcast on a never-subscribed or removed channel throws; on a joining one it waits', async ({ world }) => {
  const a = world.makeClient()
  const b = world.makeClient()
  const roomA = a.client.channel('buffered')
  assert.throws(() => roomA.broadcast('x', {}), (e: unknown) => e instanceof RealtimeError && e.code === 'not_joined')
  const roomB = b.client.channel('buffered')
  await roomB.subscribe()
  const joined = roomA.subscribe()
  assert.is(roomA.state, 'joining')
  roomA.broadcast('early', { n: 1 })
  await joined
  await b.events.waitFor(isBroadcast('early'), 3000, 'the buffered broadcast')
  assert.is(await roomA.unsubscribe(), 'ok')
  assert.is(roomA.state, 'closed')
  assert.throws(() => roomA.broadcast('late', {}), (e: unknown) => e instanceof RealtimeError && e.code === 'not_joined')
  assert.equal(a.client.getChannels(), [])
})

test('the same topic twice gives the same channel; removeChannel forgets it; a removed channel can subscribe again', async ({ world }) => {
  const a = world.makeClient()
  const one = a.client.channel('same')
  assert.is(a.client.channel('realtime:same'), one)
  await one.subscribe()
  assert.is(await a.client.removeChannel(one), 'ok')
  assert.equal(a.client.getChannels(), [])
  await one.subscribe()
  assert.is(one.state, 'joined')
  assert.is(a.client.channel('same'), one)
  const fresh = a.client.channel('other')
  await fresh.unsubscribe()
  const replacement = a.client.channel('other')
  assert.is.not(replacement, fresh)
  const error = await fresh.subscribe().catch((e: unknown) => e)
  assert.is((error as RealtimeError).code, 'channel_closed', 'the topic belongs to the replacement now')
})

test('a join refused for good (no read permission) rejects subscribe with unauthorized and the reason', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('private-room', { private: true })
  const error = (await room.subscribe().catch((e: unknown) => e)) as RealtimeError
  assert.instance(error, RealtimeError)
  assert.is(error.code, 'unauthorized')
  assert.match(String(error.metadata['reason']), 'Unauthorized')
  assert.is(error.metadata['final'], true)
  assert.is(room.state, 'errored')
})

test('a join timeout rejects subscribe with timeout; the channel joins later by itself', async ({ world }) => {
  const a = world.makeClient()
  const warmup = a.client.channel('warm')
  await warmup.subscribe()
  world.server.faults.delayFrames(400)
  const room = a.client.channel('slow')
  const error = (await room.subscribe({ timeoutMs: 100 }).catch((e: unknown) => e)) as RealtimeError
  assert.is(error.code, 'timeout')
  world.server.faults.delayFrames(0)
  await a.events.waitFor(isChannelState('realtime:slow', 'joined'), 5000, 'the rejoin')
})

test('phx_error from the server → errored → rejoined, with a resubscribed event', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('crashy')
  await room.subscribe()
  assert.is(world.server.faults.errorChannel('realtime:crashy'), 1)
  const event = await a.events.waitFor((e) => e.type === 'channel' && e.kind === 'resubscribed', 5000, 'resubscribed')
  assert.is(event.type === 'channel' && event.kind === 'resubscribed' && event.topic, 'realtime:crashy')
  assert.is(room.state, 'joined')
  assert.ok(a.events.count((e) => e.type === 'error' && e.error.code === 'channel_error') >= 1)
})

test('a throwing listener is logged and does not stop the others or the client', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('throwing', { broadcast: { self: true } })
  const seen: number[] = []
  room.on('broadcast', { event: 'x' }, () => {
    throw new Error('listener bug')
  })
  room.on('broadcast', { event: 'x' }, (m) => seen.push(m.payload as number))
  const off = a.client.subscribe(() => {
    throw new Error('global listener bug')
  })
  await room.subscribe()
  room.broadcast('x', 1)
  room.broadcast('x', 2)
  await a.events.waitFor((e) => e.type === 'broadcast' && e.payload === 2)
  assert.equal(seen, [1, 2])
  assert.ok(a.logs.some((log) => log.level === 'error' && /listener/.test(log.message)))
  off()
})

test.run()
