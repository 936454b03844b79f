import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { clientMachine, topicsOf } from '../../machines/client/client.machine.js'
import { RealtimeError } from '../../src/errors.js'
import { startClient } from './client-harness.js'

const A = 'realtime:a'
const B = 'realtime:b'

const registry = suite('client: channel registry')

registry('channel.add spawns one channel actor per topic, registered under its systemId', () => {
  const c = startClient()
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.add', topic: A })
  assert.ok(c.channel(A))
  assert.is(c.actorOf(A), c.channel(A))
  assert.equal(topicsOf(c.root.getSnapshot()), [A])
  assert.equal(
    c.emitted.filter((e) => e.type === 'channel'),
    [],
    'nothing is emitted per channel added (the channel actor is there at once)',
  )
  assert.is(c.root.system.get('realtime-connection'), c.child('connection'))
  assert.is(c.root.getSnapshot().status, 'active')
  c.root.stop()
})

registry('the connection gets its input from the client input', () => {
  const c = startClient({ vsn: '1.0.0', accessToken: 'tok', sendBufferSize: 7 })
  assert.is(c.inputs.length, 1)
  const input = c.inputs[0]!
  assert.is(input.vsn, '1.0.0')
  assert.is(input.apikey, 'anon')
  assert.is(input.accessToken, 'tok')
  assert.is(input.sendBufferSize, 7)
  c.root.stop()
})

registry('channel.subscribe asks the connection to connect and the join goes out once open', () => {
  const c = startClient()
  c.root.send({ type: 'channel.add', topic: A, config: { broadcast: { self: true } } })
  c.root.send({ type: 'channel.subscribe', topic: A })
  assert.equal(c.commands(), ['connect'])
  assert.is(c.channelState(A), 'joining')
  assert.is(c.framesOf('phx_join').length, 0)
  c.moveTo('connecting')
  c.moveTo('open')
  const [join] = c.framesOf('phx_join', A)
  assert.equal((join!.payload as { config: { broadcast: unknown } }).config.broadcast, { self: true, ack: false })
  c.ackJoin(A)
  assert.is(c.channelState(A), 'joined')
  c.root.stop()
})

registry('on an open connection a subscribe asks for no connect; on a closing one it does', () => {
  const c = startClient()
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.moveTo('connecting')
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: B })
  c.root.send({ type: 'channel.subscribe', topic: B })
  assert.equal(c.commands(), ['connect'], 'one connect, from the first subscribe')
  assert.is(c.framesOf('phx_join', B).length, 1)
  c.moveTo('closing')
  c.root.send({ type: 'channel.subscribe', topic: B })
  assert.equal(c.commands(), ['connect', 'connect'])
  c.root.stop()
})

registry('events for a topic without a channel are reported, not thrown', () => {
  const c = startClient()
  c.root.send({ type: 'channel.subscribe', topic: 'realtime:nope' })
  c.root.send({ type: 'channel.push', topic: 'realtime:nope', ref: '1', event: 'broadcast', payload: {}, expectReply: false })
  const errors = c.emitted.filter((e) => e.type === 'error')
  assert.is(errors.length, 2)
  assert.instance(errors[0]!.type === 'error' && errors[0]!.error, RealtimeError)
  assert.is(c.root.getSnapshot().status, 'active')
  c.root.stop()
})

registry('removing a channel waits for the leave reply, then stops it; the topic can be added again', () => {
  const c = startClient()
  c.moveTo('open')
  for (const topic of [A, B]) {
    c.root.send({ type: 'channel.add', topic })
    c.root.send({ type: 'channel.subscribe', topic })
    c.ackJoin(topic)
  }
  c.root.send({ type: 'channel.remove', topic: A })
  assert.is(c.channelState(A), 'leaving')
  const [leave] = c.framesOf('phx_leave', A)
  assert.ok(c.actorOf(A), 'still there until the reply')
  c.reply(A, leave!.ref)
  assert.is(c.actorOf(A), undefined)
  assert.is(c.channel(A), undefined)
  assert.equal(topicsOf(c.root.getSnapshot()), [B])
  assert.is(c.channelState(B), 'joined', 'the other channel is untouched')
  assert.ok(c.emitted.some((e) => e.type === 'channel' && e.kind === 'removed' && e.topic === A))
  c.root.send({ type: 'channel.add', topic: A })
  assert.ok(c.channel(A))
  c.root.stop()
})

registry('channel.unsubscribe leaves but keeps the channel actor', () => {
  const c = startClient()
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.ackJoin(A)
  c.root.send({ type: 'channel.unsubscribe', topic: A })
  c.reply(A, c.framesOf('phx_leave', A)[0]!.ref)
  assert.is(c.channelState(A), 'closed')
  assert.ok(c.channel(A))
  c.root.stop()
})

registry('channel.add during a removal keeps the channel', () => {
  const c = startClient()
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.ackJoin(A)
  c.root.send({ type: 'channel.remove', topic: A })
  c.root.send({ type: 'channel.add', topic: A })
  c.reply(A, c.framesOf('phx_leave', A)[0]!.ref)
  assert.ok(c.channel(A))
  assert.is(c.channelState(A), 'closed')
  c.root.stop()
})

registry('unsubscribe while offline ends closed at once and the channel is removed', () => {
  const c = startClient()
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.ackJoin(A)
  c.moveTo('closed')
  assert.is(c.channelState(A), 'errored')
  c.root.send({ type: 'channel.remove', topic: A })
  assert.is(c.channel(A), undefined)
  c.moveTo('connecting')
  c.moveTo('open')
  c.clock.increment(60_000)
  assert.is(c.framesOf('phx_join', A).length, 1, 'no rejoin of a removed channel')
  c.root.stop()
})

registry.run()

const reconnect = suite('client: reconnect')

reconnect('after a reconnect every joined channel rejoins exactly once with a fresh join ref', () => {
  const c = startClient()
  c.moveTo('connecting')
  c.moveTo('open')
  const topics = Array.from({ length: 5 }, (_, i) => `realtime:room${i}`)
  for (const topic of topics) {
    c.root.send({ type: 'channel.add', topic })
    c.root.send({ type: 'channel.subscribe', topic })
    c.ackJoin(topic)
  }
  const firstRefs = new Map(c.framesOf('phx_join').map((m) => [m.topic, m.joinRef]))
  c.clock.increment(3000)
  c.moveTo('closed')
  for (const topic of topics) assert.is(c.channelState(topic), 'errored')
  // One connection_closed error for the whole loss, shared by every channel (issue 6: no error per channel).
  const errors = topics.map((topic) => c.channel(topic)!.getSnapshot().context.error)
  assert.is(errors[0]!.code, 'connection_closed')
  assert.is(errors[0]!.metadata['connection'], 'closed')
  for (const error of errors) assert.is(error, errors[0])
  c.clock.increment(30_000)
  assert.is(c.framesOf('phx_join').length, 5, 'no rejoin while the socket is down')
  c.moveTo('connecting')
  c.moveTo('open')
  const rejoins = c.framesOf('phx_join').slice(5)
  assert.equal(rejoins.map((m) => m.topic).sort(), [...topics].sort())
  for (const join of rejoins) assert.is.not(join.joinRef, firstRefs.get(join.topic), 'fresh join ref (refs are unique per channel)')
  assert.is(new Set(rejoins.map((m) => m.topic)).size, 5, 'one rejoin per channel')
  for (const topic of topics) c.ackJoin(topic)
  for (const topic of topics) assert.is(c.channelState(topic), 'joined')
  c.clock.increment(60_000)
  assert.is(c.framesOf('phx_join').length, 10)
  c.root.stop()
})

reconnect('the token of a new connection reaches the join payload', () => {
  const c = startClient({ accessToken: 'old' })
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.moveTo('connecting')
  c.moveTo('open', 'fresh')
  const [join] = c.framesOf('phx_join', A)
  assert.is((join!.payload as { access_token?: string }).access_token, 'fresh')
  c.root.stop()
})

reconnect('the apikey as connection token is not put into join payloads', () => {
  const c = startClient()
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.moveTo('open', 'anon')
  assert.not.ok('access_token' in (c.framesOf('phx_join', A)[0]!.payload as object))
  c.root.stop()
})

reconnect('connection facts are re-emitted by the root', () => {
  const c = startClient()
  c.moveTo('connecting')
  const error = new RealtimeError('transport_error', 'boom')
  c.notify({ type: 'connection.error', error })
  c.notify({ type: 'connection.heartbeat', status: 'ok', rttMs: 3 })
  c.notify({ type: 'connection.heartbeat', status: 'sent' })
  assert.equal(c.emitted, [
    { type: 'connection', kind: 'state_change', old: 'closed', new: 'connecting' },
    { type: 'error', error },
    { type: 'connection', kind: 'heartbeat', status: 'ok', rttMs: 3 },
    { type: 'connection', kind: 'heartbeat', status: 'sent' },
  ])
  c.root.stop()
})

reconnect('connect, disconnect, setAuth and lifecycle signals reach the connection', () => {
  const c = startClient()
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.ackJoin(A)
  for (const type of ['connect', 'online', 'offline', 'visible', 'hidden', 'resume', 'suspend'] as const) c.root.send({ type })
  c.root.send({ type: 'disconnect', code: 1000, reason: 'bye' })
  c.root.send({ type: 'setAuth', token: 't2' })
  // channel.subscribe on an open connection asks for nothing; an explicit connect is forwarded.
  assert.equal(c.commands(), ['connect', 'online', 'offline', 'visible', 'hidden', 'resume', 'suspend', 'disconnect', 'setAuth'])
  assert.equal(c.received.find((e) => e.type === 'disconnect'), { type: 'disconnect', code: 1000, reason: 'bye' })
  assert.equal(c.framesOf('access_token', A)[0]!.payload, { access_token: 't2' })
  c.root.send({ type: 'channel.setAuth', topic: A, token: 't3' })
  assert.equal(c.framesOf('access_token', A)[1]!.payload, { access_token: 't3' })
  c.root.stop()
})

reconnect('pushes and configure are forwarded to the channel', () => {
  const c = startClient()
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.configure', topic: A, config: { broadcast: { ack: true } } })
  c.root.send({ type: 'channel.subscribe', topic: A, timeoutMs: 100 })
  c.root.send({ type: 'channel.push', topic: A, ref: 'p1', event: 'broadcast', payload: { x: 1 }, expectReply: true, timeoutMs: 50 })
  c.ackJoin(A)
  const [push] = c.framesOf('broadcast', A)
  assert.equal(push, { joinRef: c.framesOf('phx_join', A)[0]!.joinRef, ref: 'p1', topic: A, event: 'broadcast', payload: { x: 1 } })
  c.root.stop()
})

reconnect.run()

const grace = suite('client: empty-channels grace')

grace('the socket closes a grace delay (2 × heartbeat interval) after the last channel is removed', () => {
  const c = startClient({ heartbeatIntervalMs: 1000 })
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.subscribe', topic: A })
  c.ackJoin(A)
  c.root.send({ type: 'channel.remove', topic: A })
  c.reply(A, c.framesOf('phx_leave', A)[0]!.ref)
  assert.ok(c.root.getSnapshot().matches({ channels: 'draining' }))
  c.clock.increment(1999)
  assert.not.ok(c.commands().includes('disconnect'))
  c.clock.increment(1)
  assert.equal(c.commands(), ['disconnect'], 'no connect: the subscribe found the connection open')
  assert.ok(c.root.getSnapshot().matches({ channels: 'idle' }))
  c.root.stop()
})

grace('a channel created during the grace delay cancels the disconnect', () => {
  const c = startClient({ emptyChannelsGraceMs: 500 })
  c.moveTo('open')
  c.root.send({ type: 'channel.add', topic: A })
  c.root.send({ type: 'channel.remove', topic: A })
  assert.ok(c.root.getSnapshot().matches({ channels: 'draining' }))
  c.clock.increment(400)
  c.root.send({ type: 'channel.add', topic: B })
  c.clock.increment(10_000)
  assert.not.ok(c.commands().includes('disconnect'))
  assert.ok(c.root.getSnapshot().matches({ channels: 'occupied' }))
  c.root.stop()
})

grace('no grace disconnect before any channel existed', () => {
  const c = startClient({ emptyChannelsGraceMs: 10 })
  c.root.send({ type: 'connect' })
  c.clock.increment(1000)
  assert.equal(c.commands(), ['connect'])
  c.root.stop()
})

grace('the chart names its delay and its children', () => {
  const json = JSON.stringify(clientMachine.toJSON())
  for (const name of ['emptyChannelsGrace', '"connection"', 'realtime-connection', 'addChannel']) assert.ok(json.includes(name), name)
})

grace.run()
