/** Issue 5: track / untrack in the channel statechart — the pushes, the buffer, and re-tracking after every rejoin. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { JoinPayload } from '../../machines/channel/contract.js'
import { startChannel, TOPIC } from './channel-harness.js'

const track = (ref: string, payload: Record<string, unknown>, timeoutMs?: number) =>
  timeoutMs === undefined ? ({ type: 'track', ref, payload } as const) : ({ type: 'track', ref, payload, timeoutMs } as const)
const trackBody = (payload: Record<string, unknown>) => ({ type: 'presence', event: 'track', payload })
const UNTRACK_BODY = { type: 'presence', event: 'untrack' }
const presenceEnabled = (join: { payload: unknown } | undefined) => (join!.payload as JoinPayload).config.presence.enabled

const test = suite('channel: presence track / untrack')

test('track on a joined channel pushes `presence` with the track body and the join ref, and waits for the reply', () => {
  const c = startChannel({ timeoutMs: 500 })
  const join = c.join()
  c.actor.send(track('t1', { name: 'ann' }))
  assert.equal(c.last('presence'), { joinRef: join.joinRef, ref: 't1', topic: TOPIC, event: 'presence', payload: trackBody({ name: 'ann' }) })
  c.reply('t1', 'ok', {}, join.joinRef)
  assert.equal(c.emittedOf('push.reply'), [{ type: 'push.reply', topic: TOPIC, ref: 't1', status: 'ok', response: {} }])
  c.clock.increment(1000)
  assert.is(c.emittedOf('push.timeout').length, 0, 'the reply cancelled the timer')
  c.actor.stop()
})

test('untrack pushes the body without `payload` (protocol.md §6.1); an unanswered one times out with its own timeout', () => {
  const c = startChannel({ timeoutMs: 5000 })
  c.join()
  c.actor.send({ type: 'untrack', ref: 'u1', timeoutMs: 200 })
  assert.equal(c.last('presence')!.payload, UNTRACK_BODY)
  c.clock.increment(200)
  assert.equal(c.emittedOf('push.timeout'), [{ type: 'push.timeout', topic: TOPIC, ref: 'u1' }])
  c.actor.stop()
})

test('tracking turns presence on for every later join', () => {
  const c = startChannel()
  c.join()
  assert.is(presenceEnabled(c.last('phx_join')), false)
  c.actor.send(track('t1', { a: 1 }))
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  assert.is(presenceEnabled(c.last('phx_join')), true)
  c.actor.stop()
})

test('a track while joining waits in the buffer and goes out once, after the join (no extra re-track)', () => {
  const c = startChannel()
  c.actor.send({ type: 'subscribe' })
  c.actor.send(track('t1', { a: 1 }))
  assert.is(c.sentOf('presence').length, 0)
  c.reply('1', 'ok', {}, '1')
  assert.equal(
    c.sentOf('presence').map((m) => [m.ref, m.payload]),
    [['t1', trackBody({ a: 1 })]],
  )
  c.actor.stop()
})

test('after a reconnect the channel tracks the last tracked state again, under the new join ref', () => {
  const c = startChannel()
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send(track('t2', { v: 2 }))
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  const rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  const retrack = c.last('presence')!
  assert.equal(retrack.payload, trackBody({ v: 2 }))
  assert.is(retrack.joinRef, rejoin.joinRef)
  assert.is.not(retrack.ref, 't2', 'a fresh ref')
  c.reply(retrack.ref, 'ok', {}, rejoin.joinRef)
  assert.is(c.emittedOf('error').length, 0)
  assert.is(c.inFlightRef('retrack'), null)
  c.actor.stop()
})

test('after a phx_error and the rejoin backoff the channel re-tracks too', () => {
  const c = startChannel()
  const join = c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.frame('phx_error', { ref: join.joinRef, joinRef: join.joinRef })
  c.clock.increment(1000)
  const rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  assert.is(c.sentOf('presence').length, 2)
  assert.equal(c.last('presence')!.payload, trackBody({ v: 1 }))
  c.actor.stop()
})

test('nothing is re-tracked after an untrack, nor twice when a track waits in the buffer during the rejoin', () => {
  const c = startChannel()
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send({ type: 'untrack', ref: 'u1' })
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  let rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  assert.is(c.sentOf('presence').length, 2, 'no re-track after untrack')

  c.actor.send({ type: 'socket.closed' })
  c.actor.send(track('t3', { v: 3 }))
  c.actor.send({ type: 'socket.open' })
  rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  assert.equal(
    c.sentOf('presence').slice(2).map((m) => m.ref),
    ['t3'],
    'the buffered track is the re-track',
  )
  c.actor.stop()
})

test('a re-track still pending when the user untracks and the socket drops again is forgotten, not reported', () => {
  const c = startChannel()
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  let rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  const pending = c.inFlightRef('retrack')
  assert.ok(pending !== null, 'a re-track went out and waits for its reply')
  c.actor.send({ type: 'untrack', ref: 'u1' })
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  assert.is(c.inFlightRef('retrack'), null, 'nothing to re-track after the untrack')
  c.clock.increment(60_000)
  assert.equal(c.emittedOf('error'), [], 'the old re-track timer finds nothing to report')
  c.actor.stop()
})

test('a buffered untrack wins over the earlier tracked state', () => {
  const c = startChannel()
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'untrack', ref: 'u1' })
  c.actor.send({ type: 'socket.open' })
  const rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  assert.equal(
    c.sentOf('presence').map((m) => m.payload),
    [trackBody({ v: 1 }), UNTRACK_BODY],
  )
  c.actor.stop()
})

test('a failed or unanswered re-track becomes an error event (nobody awaits it)', () => {
  const c = startChannel({ timeoutMs: 300 })
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  let rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  c.reply(c.last('presence')!.ref, 'error', { reason: 'Presence track payload must be a map' }, rejoin.joinRef)
  let errors = c.emittedOf('error')
  assert.is(errors.length, 1)
  assert.is(errors[0]!.error.code, 'push_failed')
  assert.match(errors[0]!.error.message, /re-tracking presence on realtime:room after the rejoin failed: the server answered error/)

  c.actor.send({ type: 'socket.closed' })
  c.actor.send({ type: 'socket.open' })
  rejoin = c.last('phx_join')!
  c.reply(rejoin.ref, 'ok', {}, rejoin.joinRef)
  c.clock.increment(300)
  errors = c.emittedOf('error')
  assert.is(errors.length, 2)
  assert.is(errors[1]!.error.code, 'timeout')
  c.actor.stop()
})

test('track and untrack fail with not_joined on a closed or leaving channel; leaving forgets the tracked state', () => {
  const c = startChannel()
  c.actor.send(track('t0', { v: 0 }))
  assert.equal(
    c.emittedOf('push.failed').map((e) => [e.ref, e.error.code]),
    [['t0', 'not_joined']],
  )
  c.join()
  c.actor.send(track('t1', { v: 1 }))
  c.actor.send({ type: 'unsubscribe' })
  assert.is(c.state(), 'leaving')
  assert.is(c.context().tracked, null)
  c.actor.send({ type: 'untrack', ref: 'u1' })
  assert.equal(c.emittedOf('push.failed').at(-1)!.ref, 'u1')
  c.reply(c.inFlightRef('leave'), 'ok', {}, c.context().joinRef)
  assert.is(c.state(), 'closed')
  c.join()
  assert.is(c.sentOf('presence').length, 1, 'a later subscribe does not revive the old presence')
  c.actor.stop()
})

test.run()
