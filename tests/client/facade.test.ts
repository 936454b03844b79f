import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { AnyActorRef } from 'xstate'
import * as machines from '../../machines/index.js'
import { PushOutcomes } from '../../src/push-outcomes.js'
import { RealtimeError } from '../../src/errors.js'
import { createRealtimeClient, type BroadcastMessage } from '../../src/index.js'
import { fakeClient } from './facade-harness.js'

const isCode = (code: string) => (error: unknown) => error instanceof RealtimeError && error.code === code

const options = suite('facade: options and arguments')

options('bad options are RealtimeErrors with a code', () => {
  assert.throws(() => createRealtimeClient({ url: 'http://x', apikey: '' }), isCode('missing_apikey'))
  assert.throws(() => createRealtimeClient({ url: '', apikey: 'k' }), isCode('invalid_argument'))
  assert.throws(() => createRealtimeClient({ url: 'http://x', apikey: 'k', vsn: '3.0.0' as '2.0.0' }), isCode('unsupported_vsn'))
  assert.throws(() => createRealtimeClient({ url: 'http://x', apikey: 'k', timeoutMs: -1 }), isCode('invalid_argument'))
  assert.throws(() => createRealtimeClient(null as unknown as { url: string; apikey: string }), isCode('invalid_argument'))
  assert.throws(() => createRealtimeClient({ url: 'ftp://x', apikey: 'k' }), isCode('invalid_argument'))
})

options('topics get realtime: once; empty names are refused', async () => {
  const f = fakeClient()
  assert.is(f.client.channel('a').topic, 'realtime:a')
  assert.is(f.client.channel('realtime:a'), f.client.channel('a'))
  assert.throws(() => f.client.channel(''), isCode('invalid_argument'))
  assert.throws(() => f.client.channel('realtime:'), isCode('invalid_argument'))
  await f.client.close()
})

options('bad listener and broadcast arguments throw invalid_argument / name_too_long (event names: length and unpaired surrogates)', async () => {
  const f = fakeClient()
  const ch = f.client.channel('a')
  assert.throws(() => ch.on('postgres_changes' as 'broadcast', { event: '*' }, () => {}), isCode('invalid_argument'))
  assert.throws(() => ch.on('broadcast', { event: '' }, () => {}), isCode('invalid_argument'))
  assert.throws(() => ch.on('broadcast', { event: 'x' }, 'nope' as unknown as () => void), isCode('invalid_argument'))
  assert.throws(() => ch.send({ type: 'presence' } as unknown as { type: 'broadcast'; event: string; payload: unknown }), isCode('invalid_argument'))
  assert.throws(() => ch.broadcast('', {}), isCode('invalid_argument'))
  assert.throws(() => ch.broadcast('é'.repeat(200), {}), isCode('name_too_long'))
  // No UTF-8 form: refused at the call, not later at the socket.
  assert.throws(() => ch.broadcast('tick\uD800', {}), isCode('invalid_argument'))
  const long = f.client.channel('t'.repeat(250))
  assert.throws(() => long.broadcast('tick', {}), isCode('name_too_long'), 'realtime: + 250 bytes is over the topic field limit')
  assert.throws(() => f.client.subscribe('x' as unknown as () => void), isCode('invalid_argument'))
  await f.client.close()
})

options('machines/index exports the machines and helpers', () => {
  assert.type(machines.channelMachine, 'object')
  assert.type(machines.clientMachine, 'object')
  assert.is(machines.channelSystemId('realtime:x'), 'realtime-channel:realtime:x')
  assert.is(machines.CLIENT_SYSTEM_ID, 'realtime-client')
})

options.run()

const lifecycle = suite('facade: lifecycle over a fake connection')

lifecycle('subscribe resolves on the join reply; frames go through the router', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room', { broadcast: { self: true } })
  const got: BroadcastMessage[] = []
  ch.on('broadcast', { event: 'x' }, (m) => got.push(m))
  const joined = ch.subscribe()
  assert.equal(f.commands, ['connect'])
  f.open()
  const join = f.answerJoin('realtime:room')
  await joined
  assert.is(ch.state, 'joined')
  assert.is(f.client.actor.system.get('realtime-channel:realtime:room'), ch.actorRef)
  f.deliver({ topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: 1 } })
  f.deliver({ topic: 'realtime:room', joinRef: 'stale', event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: 2 } })
  f.deliver({ topic: 'realtime:nowhere', event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: 3 } })
  f.deliver({ topic: 'realtime:room', joinRef: join.joinRef, event: 'broadcast', payload: { type: 'broadcast', event: 'x', payload: 4, meta: { id: 'm' } } })
  assert.equal(
    got.map((m) => m.payload),
    [1, 4],
  )
  assert.ok(f.events.some((e) => e.type === 'broadcast' && e.meta?.['id'] === 'm'))
  assert.is(await ch.subscribe().then(() => 'again'), 'again', 'subscribe on a joined channel resolves at once')
  await f.client.close()
})

lifecycle('subscribe rejects with timeout under the simulated clock', async () => {
  const f = fakeClient({ timeoutMs: 1000 })
  const ch = f.client.channel('slow')
  const pending = ch.subscribe()
  f.open()
  f.clock.increment(1000)
  const error = await pending.catch((e: unknown) => e)
  assert.ok(isCode('timeout')(error))
  assert.is(ch.state, 'errored')
  await f.client.close()
})

lifecycle('unsubscribe waits for the leave reply and resolves timed out without one', async () => {
  const f = fakeClient({ timeoutMs: 500 })
  const ch = f.client.channel('room')
  const joined = ch.subscribe()
  f.open()
  f.answerJoin('realtime:room')
  await joined
  let settled = false
  const leaving = ch.unsubscribe().then((r) => {
    settled = true
    return r
  })
  await Promise.resolve()
  assert.not.ok(settled)
  f.clock.increment(500)
  assert.is(await leaving, 'timed out')
  assert.is(await ch.unsubscribe(), 'ok', 'unsubscribing a removed channel is a no-op')
  await f.client.close()
})

lifecycle('presence/postgres frames reach a registered frame handler', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room')
  const frames: string[] = []
  const off = ch.handleFrames('presence_state', (m) => frames.push(m.event))
  const joined = ch.subscribe()
  f.open()
  f.answerJoin('realtime:room')
  await joined
  f.deliver({ topic: 'realtime:room', event: 'presence_state', payload: {} })
  off()
  f.deliver({ topic: 'realtime:room', event: 'presence_state', payload: {} })
  assert.equal(frames, ['presence_state'])
  await f.client.close()
})

lifecycle('setAuth reaches the connection and joined channels; channel.setAuth only its channel', async () => {
  const f = fakeClient()
  const a = f.client.channel('a')
  const b = f.client.channel('b')
  const joined = Promise.all([a.subscribe(), b.subscribe()])
  f.open()
  f.answerJoin('realtime:a')
  f.answerJoin('realtime:b')
  await joined
  f.client.setAuth('t1')
  assert.ok(f.commands.includes('setAuth'))
  assert.equal(
    f.sent.filter((m) => m.event === 'access_token').map((m) => m.topic),
    ['realtime:a', 'realtime:b'],
  )
  a.setAuth('t2')
  assert.equal(f.lastOf('access_token')!.payload, { access_token: 't2' })
  assert.is(f.lastOf('access_token')!.topic, 'realtime:a')
  await f.client.close()
})

lifecycle('a channel added through client.send(channel.add) gets a facade', async () => {
  const f = fakeClient()
  f.client.send({ type: 'channel.add', topic: 'realtime:raw', config: { broadcast: { ack: true } } })
  const [channel] = f.client.getChannels()
  assert.is(channel?.topic, 'realtime:raw')
  assert.is(f.client.channel('raw'), channel)
  await f.client.close()
})

lifecycle('connectionState follows the connection; disconnect resolves once closed', async () => {
  const f = fakeClient()
  assert.is(f.client.connectionState(), 'closed')
  assert.is(await f.client.disconnect(), 'ok')
  f.client.connect()
  f.open()
  assert.is(f.client.connectionState(), 'open')
  assert.is(await f.client.disconnect(), 'ok')
  assert.equal(f.events.filter((e) => e.type === 'connection').map((e) => e.type === 'connection' && e.kind === 'state_change' && e.new), ['connecting', 'open', 'closing', 'closed'])
  await f.client.close()
  await f.client.close()
  assert.throws(() => f.client.channel('x'), isCode('connection_closed'))
  assert.throws(() => f.client.connect(), isCode('connection_closed'))
  assert.is(await f.client.disconnect(), 'ok')
})

lifecycle('disconnect resolves timeout when the socket never reports closed', async () => {
  const f = fakeClient({ timeoutMs: 20 }, { stuck: true })
  f.open()
  assert.is(await f.client.disconnect(), 'timeout')
  f.move('closed')
  await f.client.close()
})

lifecycle('buffer overflow is reported as an error event and as the ack outcome of the dropped push', async () => {
  const f = fakeClient({ channelBufferSize: 1 })
  const ch = f.client.channel('room', { broadcast: { ack: true } })
  void ch.subscribe().catch(() => {})
  const first = await ch.broadcastWithAck('one', {})
  await ch.broadcastWithAck('two', {})
  const outcome = await f.client.waitForAck(first)
  assert.ok('error' in outcome && outcome.error instanceof RealtimeError && outcome.error.code === 'buffer_overflow')
  assert.ok(f.events.some((e) => e.type === 'error' && e.error.code === 'buffer_overflow' && e.topic === 'realtime:room'))
  await f.client.close()
})

lifecycle('an error reply to an acked push is an error outcome with the response', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room', { broadcast: { ack: true } })
  const joined = ch.subscribe()
  f.open()
  const join = f.answerJoin('realtime:room')
  await joined
  const ref = await ch.broadcastWithAck('big', {})
  f.deliver({ topic: 'realtime:room', joinRef: join.joinRef, ref, event: 'phx_reply', payload: { status: 'error', response: 'payload_size_exceeded' } })
  const outcome = await f.client.waitForAck(ref)
  assert.ok('error' in outcome && outcome.error instanceof RealtimeError && outcome.error.code === 'push_failed')
  assert.match((outcome as { error: RealtimeError }).error.message, 'payload_size_exceeded')
  await f.client.close()
})

lifecycle('the inspect option sees the root, the connection and every channel actor', async () => {
  const seen = new Set<string>()
  const f = fakeClient({ inspect: (event) => void (event.type === '@xstate.actor' && seen.add((event.actorRef as AnyActorRef).id)) })
  f.client.channel('one')
  f.client.channel('two')
  assert.ok(seen.has('realtime:one') && seen.has('realtime:two') && seen.has('connection'), [...seen].join(','))
  assert.is(f.client.actor.system.get('realtime-client'), f.client.actor)
  await f.client.close()
})

lifecycle.run()

const acks = suite('facade: ack registry')

acks('keeps at most `keep` settled outcomes, oldest forgotten first', async () => {
  const registry = new PushOutcomes(2)
  for (const ref of ['a', 'b', 'c']) {
    registry.expect(ref)
    registry.settle(ref, { ok: 'acknowledged' })
  }
  const forgotten = await registry.wait('a')
  assert.ok('error' in forgotten)
  assert.equal(await registry.wait('c'), { ok: 'acknowledged' })
  registry.settle('c', { error: 'timeout' })
  assert.equal(await registry.wait('c'), { ok: 'acknowledged' }, 'only the first outcome counts')
})

acks('a waiter resolves on settle, before its own timeout', async () => {
  const registry = new PushOutcomes()
  registry.expect('r')
  const waiting = registry.wait('r', 10_000)
  registry.settle('r', { error: 'timeout' })
  assert.equal(await waiting, { error: 'timeout' })
})

acks.run()
