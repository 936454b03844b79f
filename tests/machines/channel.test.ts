import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { channelMachine } from '../../machines/channel/channel.machine.js'
import { rejoinDelayFor } from '../../machines/channel/setup.js'
import { channelConfig, joinPayload } from '../../machines/channel/contract.js'
import { classifyJoinError } from '../../machines/channel/join-policy.js'
import { createActor } from 'xstate'
import { startChannel, TOPIC } from './channel-harness.js'

const join = suite('channel: join')

join('subscribe sends phx_join with the default config and joins on an ok reply', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  assert.is(c.state(), 'joining')
  const frame = c.last('phx_join')!
  assert.equal(frame, {
    joinRef: '1',
    ref: '1',
    topic: TOPIC,
    event: 'phx_join',
    payload: { config: { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false } },
  })
  c.reply('1', 'ok', { postgres_changes: [] }, '1')
  assert.is(c.state(), 'joined')
  assert.equal(c.stateChanges(), ['closed>joining', 'joining>joined'])
  c.actor.stop()
})

join('the join payload carries the config and the access token (protocol.md §4.2); a presence key turns presence on', () => {
  const c = startChannel({
    accessToken: 'tok',
    config: { broadcast: { self: true, ack: true }, presence: { key: 'u1' }, private: true, postgres_changes: [{ event: '*', schema: 'public' }] },
  })
  c.actor.send({ type: 'subscribe' })
  assert.equal(c.last('phx_join')!.payload, {
    config: {
      broadcast: { self: true, ack: true },
      presence: { key: 'u1', enabled: true },
      postgres_changes: [{ event: '*', schema: 'public' }],
      private: true,
    },
    access_token: 'tok',
  })
  c.actor.stop()
})

join('configure changes the config of the next join', () => {
  const c = startChannel()
  c.actor.send({ type: 'configure', config: { presence: { enabled: true }, broadcast: { ack: true } } })
  c.actor.send({ type: 'subscribe' })
  const payload = c.last('phx_join')!.payload as ReturnType<typeof joinPayload>
  assert.equal(payload.config.presence, { key: '', enabled: true })
  assert.equal(payload.config.broadcast, { self: false, ack: true })
  c.actor.stop()
})

join('a subscribe while the socket is closed waits for it, then joins', () => {
  const c = startChannel({ socketOpen: false })
  c.actor.send({ type: 'subscribe' })
  assert.is(c.state(), 'joining')
  assert.is(c.sent.length, 0)
  c.actor.send({ type: 'socket.open' })
  assert.is(c.sentOf('phx_join').length, 1)
  c.actor.send({ type: 'subscribe' })
  assert.is(c.sentOf('phx_join').length, 1, 'a second subscribe while joining is ignored')
  c.actor.stop()
})

join('join timeout: errored with a timeout error, phx_leave sent, rejoin after 1 s with a fresh join ref', () => {
  const c = startChannel({ timeoutMs: 500 })
  c.actor.send({ type: 'subscribe' })
  c.clock.increment(499)
  assert.is(c.state(), 'joining')
  c.clock.increment(1)
  assert.is(c.state(), 'errored')
  assert.is(c.context().error?.code, 'timeout')
  assert.equal(c.last('phx_leave'), { joinRef: '1', ref: '2', topic: TOPIC, event: 'phx_leave', payload: {} })
  assert.is(c.emittedOf('error')[0]?.error.code, 'timeout')
  c.clock.increment(999)
  assert.is(c.sentOf('phx_join').length, 1)
  c.clock.increment(1)
  const rejoin = c.last('phx_join')!
  assert.is(rejoin.ref, '3')
  assert.is(rejoin.joinRef, '3')
  c.reply('3', 'ok', {}, '3')
  assert.is(c.state(), 'joined')
  c.actor.stop()
})

join('subscribe({ timeoutMs }) overrides the join timeout', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe', timeoutMs: 50 })
  c.clock.increment(50)
  assert.is(c.state(), 'errored')
  c.actor.stop()
})

join('rejoin schedule after repeated error replies: 1 s, 2 s, 5 s, 10 s, 10 s', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  const times: number[] = [c.clock.now()]
  for (let i = 0; i < 5; i++) {
    const last = c.last('phx_join')!
    c.reply(last.ref, 'error', { reason: 'RealtimeRestarting: Realtime is restarting, please standby' }, last.joinRef)
    assert.is(c.state(), 'errored')
    let waited = 0
    while (c.last('phx_join') === last) {
      c.clock.increment(100)
      waited += 100
      if (waited > 60_000) throw new Error('no rejoin')
    }
    times.push(c.clock.now())
  }
  const gaps = times.slice(1).map((t, i) => t - times[i]!)
  assert.equal(gaps, [1000, 2000, 5000, 10000, 10000])
  c.actor.stop()
})

join('rejoin delays are configurable per channel', () => {
  const c = startChannel({ rejoinDelays: [10, 20] })
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', { reason: 'x' }, '1')
  c.clock.increment(10)
  assert.is(c.sentOf('phx_join').length, 2)
  c.reply('2', 'error', { reason: 'x' }, '2')
  c.clock.increment(19)
  assert.is(c.sentOf('phx_join').length, 2)
  c.clock.increment(1)
  assert.is(c.sentOf('phx_join').length, 3)
  c.actor.stop()
})

join.run()

const errors = suite('channel: errors and rejoin')

errors('a retryable join error → errored with join_failed carrying the reason, then rejoins', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', { reason: 'ClientJoinRateLimitReached: Too many joins per second' }, '1')
  assert.is(c.state(), 'errored')
  const error = c.context().error!
  assert.is(error.code, 'join_failed')
  assert.is(error.metadata['reason'], 'ClientJoinRateLimitReached: Too many joins per second')
  assert.is(error.metadata['final'], false)
  assert.match(error.message, 'Too many joins per second')
  c.clock.increment(1000)
  assert.is(c.state(), 'joining')
  c.actor.stop()
})

errors('a final join error (Unauthorized) stops retrying until setAuth brings a new token', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', { reason: 'Unauthorized: You do not have permissions to read from this Channel topic: room' }, '1')
  assert.is(c.state(), 'errored')
  assert.is(c.context().error!.metadata['final'], true)
  c.clock.increment(120_000)
  c.actor.send({ type: 'socket.open' })
  assert.is(c.sentOf('phx_join').length, 1, 'no retry by timer or socket open')
  c.actor.send({ type: 'setAuth', token: 'new-token' })
  assert.is(c.state(), 'joining')
  assert.equal((c.last('phx_join')!.payload as { access_token?: string }).access_token, 'new-token')
  c.actor.stop()
})

errors('a final join error yields to an explicit subscribe', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', 'PrivateOnly: This project only allows private channels', '1')
  c.clock.increment(60_000)
  assert.is(c.sentOf('phx_join').length, 1)
  c.actor.send({ type: 'subscribe' })
  assert.is(c.sentOf('phx_join').length, 2)
  c.actor.stop()
})

errors('phx_error → errored → rejoin after the backoff; resubscribed reports the gap', () => {
  const c = startChannel()
  c.join()
  c.clock.increment(5000)
  c.frame('phx_error', { joinRef: '1', ref: '1' })
  assert.is(c.state(), 'errored')
  assert.is(c.context().error!.code, 'channel_error')
  c.clock.increment(1000)
  const rejoin = c.last('phx_join')!
  assert.is(rejoin.ref, '2')
  c.clock.increment(40)
  c.reply('2', 'ok', {}, '2')
  assert.is(c.state(), 'joined')
  const resubscribed = c.emitted.filter((e) => e.type === 'channel' && e.kind === 'resubscribed')
  assert.equal(resubscribed, [{ type: 'channel', kind: 'resubscribed', topic: TOPIC, gapMs: 1040 }])
  assert.equal(c.stateChanges(), ['closed>joining', 'joining>joined', 'joined>errored', 'errored>joining', 'joining>joined'])
  c.actor.stop()
})

errors('phx_close from the server → closed, no rejoin', () => {
  const c = startChannel()
  c.join()
  c.frame('phx_close', { joinRef: '1', ref: '1' })
  assert.is(c.state(), 'closed')
  assert.is(c.context().error!.code, 'channel_closed')
  c.clock.increment(60_000)
  assert.is(c.sentOf('phx_join').length, 1)
  c.actor.stop()
})

errors('frames of a stale join are ignored (vsn 1.0.0 close/error carry the old join ref as ref)', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', { reason: 'x' }, '1')
  c.clock.increment(1000)
  assert.is(c.last('phx_join')!.ref, '2')
  c.reply('1', 'ok', {}, null)
  assert.is(c.state(), 'joining', 'a late ok for join 1 does not join join 2')
  c.reply('2', 'ok', {}, null)
  assert.is(c.state(), 'joined')
  c.frame('phx_close', { ref: '1' })
  c.frame('phx_error', { ref: '1' })
  assert.is(c.state(), 'joined')
  c.actor.stop()
})

errors('a system error is emitted as a channel system event and an error', () => {
  const c = startChannel()
  c.join()
  c.frame('system', { joinRef: '1', payload: { channel: 'room', extension: 'system', message: 'Too many messages per second', status: 'error' } })
  const system = c.emitted.find((e) => e.type === 'channel' && e.kind === 'system')
  assert.equal(system, { type: 'channel', kind: 'system', topic: TOPIC, status: 'error', message: 'Too many messages per second', extension: 'system' })
  assert.is(c.emittedOf('error')[0]?.error.code, 'channel_error')
  c.frame('system', { payload: { message: 'Subscribed to PostgreSQL', status: 'ok', extension: 'postgres_changes' } })
  assert.is(c.emittedOf('error').length, 1)
  c.actor.stop()
})

errors('token expired by the server, no token function: token_expired once, halted (the phx_close after it changes nothing), setAuth rejoins', () => {
  const c = startChannel()
  c.join()
  c.frame('system', { joinRef: '1', payload: { channel: 'room', extension: 'system', message: 'Token has expired 3 seconds ago', status: 'error' } })
  c.frame('phx_close', { joinRef: '1', ref: '1' })
  assert.equal(c.actor.getSnapshot().value, { errored: { halted: 'online' } })
  assert.equal(c.emittedOf('error').map((e) => e.error.code), ['token_expired'])
  assert.ok(c.emitted.some((e) => e.type === 'channel' && e.kind === 'system' && e.message === 'Token has expired 3 seconds ago'))
  c.clock.increment(60_000)
  assert.is(c.sentOf('phx_join').length, 1, 'no rejoin by itself')
  c.actor.send({ type: 'setAuth', token: 'fresh' })
  assert.is(c.state(), 'joining')
  assert.equal(c.last('phx_join')!.payload, { config: c.context().config, access_token: 'fresh' })
  c.actor.stop()
})

errors('token expired by the server, with a token function: token_expired once, the rejoin waits for the backoff and takes the fresh token', () => {
  const c = startChannel({ refreshTokens: true, rejoinDelays: [1000] })
  c.join()
  c.frame('system', { joinRef: '1', payload: { channel: 'room', extension: 'system', message: 'Token has expired 0 seconds ago', status: 'error' } })
  c.frame('phx_close', { joinRef: '1', ref: '1' })
  assert.equal(c.actor.getSnapshot().value, { errored: 'backoff' })
  c.actor.send({ type: 'setAuth', token: 'fresh' })
  c.clock.increment(999)
  assert.is(c.sentOf('phx_join').length, 1)
  c.clock.increment(1)
  assert.equal(c.last('phx_join')!.payload, { config: c.context().config, access_token: 'fresh' })
  // The fresh token came too late and the server refuses the old one: wait, halted, for the new one; no second report.
  c.reply(c.last('phx_join')!.ref, 'error', { reason: 'InvalidJWTToken: Token has expired 1 seconds ago' }, c.last('phx_join')!.joinRef)
  assert.equal(c.actor.getSnapshot().value, { errored: { halted: 'online' } })
  assert.equal(c.emittedOf('error').map((e) => e.error.code), ['token_expired'])
  c.actor.send({ type: 'setAuth', token: 'fresher' })
  c.join()
  assert.is(c.state(), 'joined')
  c.actor.stop()
})

errors.run()

const socket = suite('channel: socket drops')

socket('a socket close while joined → errored, waiting: no rejoin timer runs while the socket is down', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'socket.closed' })
  assert.is(c.state(), 'errored')
  assert.is(c.context().error!.code, 'connection_closed')
  c.clock.increment(60_000)
  assert.is(c.sentOf('phx_join').length, 1)
  c.actor.send({ type: 'socket.open' })
  const rejoin = c.last('phx_join')!
  assert.is(rejoin.ref, '2', 'rejoins at once with a fresh join ref')
  c.reply('2', 'ok', {}, '2')
  const gap = c.emitted.find((e) => e.type === 'channel' && e.kind === 'resubscribed')
  assert.equal(gap, { type: 'channel', kind: 'resubscribed', topic: TOPIC, gapMs: 60_000 })
  c.actor.stop()
})

socket('a socket close while the join is in flight → errored; the next open joins again', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.actor.send({ type: 'socket.closed' })
  assert.is(c.state(), 'errored')
  c.actor.send({ type: 'socket.open' })
  assert.is(c.last('phx_join')!.ref, '2')
  c.reply('2', 'ok', {}, '2')
  assert.is(c.emitted.filter((e) => e.type === 'channel' && e.kind === 'resubscribed').length, 0, 'never joined before: no gap')
  c.actor.stop()
})

socket('an open without a seen close (new socket) makes a joined channel join again', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'socket.open' })
  assert.is(c.state(), 'joining')
  assert.is(c.last('phx_join')!.ref, '2')
  c.actor.stop()
})

socket('a backoff in progress is dropped when the socket closes and the rejoin happens on open', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'error', { reason: 'x' }, '1')
  c.actor.send({ type: 'socket.closed' })
  c.clock.increment(10_000)
  assert.is(c.sentOf('phx_join').length, 1)
  c.actor.send({ type: 'socket.open' })
  assert.is(c.sentOf('phx_join').length, 2)
  c.actor.stop()
})

socket('with postgres_changes bindings the gap ends when the server subscribed to the database again, not at the join reply', () => {
  const binding = { event: '*', schema: 'public', table: 'todos' }
  const c = startChannel({ config: { postgres_changes: [binding] } })
  c.actor.send({ type: 'subscribe' })
  c.reply('1', 'ok', { postgres_changes: [{ ...binding, id: 7 }] }, '1')
  assert.is(c.state(), 'joined')
  c.clock.increment(1000)
  c.actor.send({ type: 'socket.closed' })
  c.clock.increment(2000)
  c.actor.send({ type: 'socket.open' })
  c.reply('2', 'ok', { postgres_changes: [{ ...binding, id: 7 }] }, '2')
  assert.is(c.state(), 'joined')
  assert.is(c.emitted.filter((e) => e.type === 'channel' && e.kind === 'resubscribed').length, 0, 'changes do not flow yet')
  c.clock.increment(300)
  c.frame('system', { payload: { channel: 'room', extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' } })
  assert.equal(
    c.emitted.filter((e) => e.type === 'channel' && e.kind === 'resubscribed'),
    [{ type: 'channel', kind: 'resubscribed', topic: TOPIC, gapMs: 2300 }],
  )
  c.frame('system', { payload: { channel: 'room', extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' } })
  assert.is(c.emitted.filter((e) => e.type === 'channel' && e.kind === 'resubscribed').length, 1, 'once per gap')
  c.actor.stop()
})

socket.run()

const pushes = suite('channel: pushes')

pushes('pushes while joining wait in the buffer and go out in order after the join, with the join ref', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  for (const n of [1, 2, 3]) c.actor.send({ type: 'push', ref: `p${n}`, event: 'broadcast', payload: { n }, expectReply: false })
  assert.is(c.sentOf('broadcast').length, 0)
  assert.is(c.context().buffer.length, 3)
  c.reply('1', 'ok', {}, '1')
  assert.equal(
    c.sentOf('broadcast').map((m) => [m.ref, m.joinRef, m.payload]),
    [
      ['p1', '1', { n: 1 }],
      ['p2', '1', { n: 2 }],
      ['p3', '1', { n: 3 }],
    ],
  )
  assert.is(c.context().buffer.length, 0)
  c.clock.increment(60_000)
  assert.is(c.emittedOf('push.timeout').length, 0, 'pushes without a reply stop their timers once sent')
  c.actor.stop()
})

pushes('the buffer keeps 100 pushes: the oldest is dropped and reported as buffer_overflow with the push', () => {
  const c = startChannel({ socketOpen: false })
  c.actor.send({ type: 'subscribe' })
  for (let n = 0; n < 101; n++) c.actor.send({ type: 'push', ref: `p${n}`, event: 'broadcast', payload: { n }, expectReply: true })
  assert.is(c.context().buffer.length, 100)
  assert.is(c.context().buffer[0]!.ref, 'p1')
  const [overflow] = c.emittedOf('error')
  assert.is(overflow?.error.code, 'buffer_overflow')
  assert.equal(overflow?.error.metadata['push'], { ref: 'p0', kind: 'push', event: 'broadcast', payload: { n: 0 }, expectReply: true, timeoutMs: null })
  const failed = c.emittedOf('push.failed')
  assert.equal(
    failed.map((e) => [e.ref, e.error.code]),
    [['p0', 'buffer_overflow']],
  )
  c.actor.stop()
})

pushes('bufferSize is configurable', () => {
  const c = startChannel({ socketOpen: false, bufferSize: 2 })
  c.actor.send({ type: 'subscribe' })
  for (const n of [1, 2, 3]) c.actor.send({ type: 'push', ref: `p${n}`, event: 'e', payload: {}, expectReply: false })
  assert.equal(
    c.context().buffer.map((p) => p.ref),
    ['p2', 'p3'],
  )
  c.actor.stop()
})

pushes('a joined push with a reply expected times out after pushTimeout; a reply cancels its timer', () => {
  const c = startChannel({ timeoutMs: 300 })
  c.join()
  c.actor.send({ type: 'push', ref: 'a', event: 'broadcast', payload: {}, expectReply: true })
  c.actor.send({ type: 'push', ref: 'b', event: 'broadcast', payload: {}, expectReply: true, timeoutMs: 100 })
  c.reply('a', 'ok', {}, '1')
  assert.equal(c.emittedOf('push.reply'), [{ type: 'push.reply', topic: TOPIC, ref: 'a', status: 'ok', response: {} }])
  c.clock.increment(100)
  assert.equal(c.emittedOf('push.timeout'), [{ type: 'push.timeout', topic: TOPIC, ref: 'b' }])
  c.clock.increment(1000)
  assert.is(c.emittedOf('push.timeout').length, 1)
  c.actor.stop()
})

pushes('a buffered push older than its timeout is never sent', () => {
  const c = startChannel({ socketOpen: false, timeoutMs: 20_000 })
  c.actor.send({ type: 'subscribe' })
  c.actor.send({ type: 'push', ref: 'old', event: 'broadcast', payload: {}, expectReply: false, timeoutMs: 100 })
  c.clock.increment(100)
  assert.equal(c.emittedOf('push.timeout'), [{ type: 'push.timeout', topic: TOPIC, ref: 'old' }])
  c.actor.send({ type: 'socket.open' })
  c.reply('1', 'ok', {}, '1')
  assert.is(c.sentOf('broadcast').length, 0)
  c.actor.stop()
})

pushes('a push on a closed channel fails with not_joined', () => {
  const c = startChannel()
  c.actor.send({ type: 'push', ref: 'x', event: 'broadcast', payload: {}, expectReply: false })
  const [failed] = c.emittedOf('push.failed')
  assert.is(failed?.error.code, 'not_joined')
  assert.is(c.sent.length, 0)
  c.actor.stop()
})

pushes('pushes survive an errored phase and go out after the rejoin', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'push', ref: 'p', event: 'broadcast', payload: {}, expectReply: false })
  c.actor.send({ type: 'socket.open' })
  c.reply('2', 'ok', {}, '2')
  assert.equal(
    c.sentOf('broadcast').map((m) => m.joinRef),
    ['2'],
  )
  c.actor.stop()
})

pushes('setAuth on a joined channel sends access_token once per new token', () => {
  const c = startChannel({ accessToken: 't0' })
  c.join()
  c.actor.send({ type: 'setAuth', token: 't0' })
  assert.is(c.sentOf('access_token').length, 0)
  c.actor.send({ type: 'setAuth', token: 't1' })
  assert.equal(c.last('access_token'), { joinRef: '1', ref: '2', topic: TOPIC, event: 'access_token', payload: { access_token: 't1' } })
  c.actor.send({ type: 'setAuth', token: 't1' })
  assert.is(c.sentOf('access_token').length, 1)
  assert.is(c.context().accessToken, 't1')
  c.actor.stop()
})

pushes.run()

const leave = suite('channel: leave')

leave('unsubscribe sends phx_leave and stays leaving until the reply', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'unsubscribe' })
  assert.is(c.state(), 'leaving')
  const frame = c.last('phx_leave')!
  assert.equal(frame, { joinRef: '1', ref: '2', topic: TOPIC, event: 'phx_leave', payload: {} })
  c.clock.increment(5000)
  assert.is(c.state(), 'leaving')
  c.reply('2', 'ok', {}, '1')
  assert.is(c.state(), 'closed')
  assert.is(c.context().error, null)
  assert.is(c.emittedOf('push.reply')[0]?.ref, '2')
  c.actor.stop()
})

leave('an unanswered leave closes after the push timeout, with a timeout error', () => {
  const c = startChannel({ timeoutMs: 200 })
  c.join()
  c.actor.send({ type: 'unsubscribe' })
  c.clock.increment(199)
  assert.is(c.state(), 'leaving')
  c.clock.increment(1)
  assert.is(c.state(), 'closed')
  assert.is(c.context().error?.code, 'timeout')
  assert.equal(c.emittedOf('push.timeout'), [{ type: 'push.timeout', topic: TOPIC, ref: '2' }])
  c.actor.stop()
})

leave('leaving while the socket is down ends closed, with no rejoin loop', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'unsubscribe' })
  assert.is(c.state(), 'closed')
  c.actor.send({ type: 'socket.open' })
  c.clock.increment(60_000)
  assert.is(c.state(), 'closed')
  assert.is(c.sentOf('phx_join').length, 1)
  assert.is(c.sentOf('phx_leave').length, 0)
  c.actor.stop()
})

leave('the socket closing during leaving ends closed', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'unsubscribe' })
  c.actor.send({ type: 'socket.closed' })
  assert.is(c.state(), 'closed')
  c.actor.stop()
})

leave('unsubscribe before the socket opened closes at once; while a join is in flight it leaves', () => {
  const a = startChannel({ socketOpen: false })
  a.actor.send({ type: 'subscribe' })
  a.actor.send({ type: 'unsubscribe' })
  assert.is(a.state(), 'closed')
  a.actor.stop()
  const b = startChannel()
  b.actor.send({ type: 'subscribe' })
  b.actor.send({ type: 'unsubscribe' })
  assert.is(b.state(), 'leaving')
  assert.is(b.sentOf('phx_leave').length, 1)
  b.actor.stop()
})

leave('buffered pushes fail with channel_closed when the channel leaves', () => {
  const c = startChannel({ socketOpen: false })
  c.actor.send({ type: 'subscribe' })
  c.actor.send({ type: 'push', ref: 'p', event: 'e', payload: {}, expectReply: true })
  c.actor.send({ type: 'unsubscribe' })
  assert.equal(
    c.emittedOf('push.failed').map((e) => [e.ref, e.error.code]),
    [['p', 'channel_closed']],
  )
  c.clock.increment(60_000)
  assert.is(c.emittedOf('push.timeout').length, 0)
  c.actor.stop()
})

leave('a closed channel can subscribe again', () => {
  const c = startChannel()
  c.join()
  c.actor.send({ type: 'unsubscribe' })
  c.reply('2', 'ok', {}, '1')
  c.actor.send({ type: 'subscribe' })
  assert.is(c.state(), 'joining')
  assert.is(c.last('phx_join')!.ref, '3')
  c.actor.stop()
})

leave.run()

const pure = suite('channel: policy and helpers')

pure('classifyJoinError: final reasons vs retried ones', () => {
  const cases: [unknown, boolean, string | null][] = [
    [{ reason: 'Unauthorized: You do not have permissions to read from this Channel topic: x' }, true, 'Unauthorized'],
    [{ reason: 'PrivateOnly: This project only allows private channels' }, true, 'PrivateOnly'],
    [{ reason: 'TopicNameRequired: You must provide a topic name' }, true, 'TopicNameRequired'],
    [{ reason: 'InvalidJWTToken: Token has expired 5 seconds ago' }, true, 'InvalidJWTToken'],
    [{ reason: 'unmatched topic' }, true, null],
    [{ reason: 'ClientJoinRateLimitReached: Too many joins per second' }, false, 'ClientJoinRateLimitReached'],
    [{ reason: 'Too many channels' }, false, null],
    ['RealtimeRestarting: Realtime is restarting, please standby', false, 'RealtimeRestarting'],
    [{ other: 1 }, false, null],
  ]
  for (const [response, final, code] of cases) {
    const result = classifyJoinError(response)
    assert.is(result.final, final, JSON.stringify(response))
    assert.is(result.code, code)
  }
  assert.is(classifyJoinError({ other: 1 }).reason, '{"other":1}')
})

pure('rejoinDelayFor follows the schedule and repeats the last delay', () => {
  const delays = [1000, 2000, 5000, 10000]
  assert.equal(
    [1, 2, 3, 4, 5, 9].map((n) => rejoinDelayFor(delays, n)),
    [1000, 2000, 5000, 10000, 10000, 10000],
  )
  assert.is(rejoinDelayFor(delays, 0), 1000)
  assert.is(rejoinDelayFor([], 3), 10000)
})

pure('channelConfig fills realtime-js defaults', () => {
  assert.equal(channelConfig(), { broadcast: { self: false, ack: false }, presence: { key: '', enabled: false }, postgres_changes: [], private: false })
  assert.equal(joinPayload(channelConfig(), null), { config: channelConfig() })
})

pure('the chart names its delays and actions (visible to inspectors)', () => {
  const json = JSON.stringify(channelMachine.toJSON())
  for (const name of ['joinTimeout', 'rejoinDelay', 'pushTimeout', '"transmit"', 'JOIN_OK', 'isFinalJoinError']) assert.ok(json.includes(name), name)
})

pure('a channel actor alone (no connection in its system) transmits nowhere instead of throwing', () => {
  const actor = createActor(channelMachine, { input: { topic: TOPIC } })
  actor.start()
  actor.send({ type: 'socket.open' })
  actor.send({ type: 'subscribe' })
  assert.is(actor.getSnapshot().status, 'active')
  actor.stop()
})

pure.run()
