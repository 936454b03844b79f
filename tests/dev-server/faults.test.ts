/** Issue 3: every fault, through `faults` and through the HTTP control endpoint. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { HandshakeRefused, RawClient } from '../helpers/raw-client.js'
import { ok, withHarness } from './harness.js'

const faults = suite('dev-server faults')
const TOPIC = 'realtime:room1'

async function expectTimeout(promise: Promise<unknown>): Promise<void> {
  try {
    await promise
  } catch (error) {
    assert.match(String(error), /timed out/)
    return
  }
  assert.unreachable('a frame arrived')
}

faults('dropAllSockets cuts every connection (1006), or closes with the given code', () =>
  withHarness({}, async (h) => {
    const a = await h.connect()
    const b = await h.connect()
    assert.is(h.server.faults.dropAllSockets(), 2)
    assert.is((await a.closed).code, 1006)
    assert.is((await b.closed).code, 1006)
    const c = await h.connect()
    assert.is(h.server.faults.dropAllSockets({ code: 1012, reason: 'restart' }), 1)
    assert.equal(await c.closed, { code: 1012, reason: 'restart' })
  }))

faults('goSilent keeps sockets open but reads and answers nothing until resume', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    await client.join(TOPIC)
    h.server.faults.goSilent()
    assert.ok(h.server.faults.state.silent)
    client.send({ joinRef: null, ref: 'silent', topic: 'phoenix', event: 'heartbeat', payload: {} })
    await expectTimeout(client.next((f) => f.message.ref === 'silent', 200))
    h.server.faults.resume()
    await client.barrier()
    assert.is(client.queued((f) => f.message.ref === 'silent').length, 0, 'a frame that arrived while silent is never answered')
    assert.is(client.ws.readyState, client.ws.OPEN)
  }))

faults('a silent server does not close idle sockets', () =>
  withHarness({ idleTimeoutMs: 60 }, async (h) => {
    const client = await h.connect()
    h.server.faults.goSilent()
    await expectTimeout(client.next(() => false, 200))
    assert.is(client.ws.readyState, client.ws.OPEN)
    h.server.faults.resume()
    assert.is((await client.closed).code, 1000)
  }))

faults('refuseUpgrades refuses the next N handshakes, then accepts', () =>
  withHarness({}, async (h) => {
    h.server.faults.refuseUpgrades(2)
    for (let i = 0; i < 2; i += 1) {
      try {
        await RawClient.connect(h.server.url, { apikey: h.server.apikey })
        assert.unreachable('accepted')
      } catch (error) {
        assert.instance(error, HandshakeRefused)
        assert.is((error as HandshakeRefused).status, 500)
        assert.equal(JSON.parse((error as HandshakeRefused).body), { error: 'Error connecting to Realtime' })
      }
    }
    const client = await h.connect()
    await client.barrier()
    h.server.faults.refuseUpgrades(1, { status: 429, error: 'Too many connected users' })
    const refused = await RawClient.connect(h.server.url, { apikey: h.server.apikey }).catch((e: unknown) => e)
    assert.is((refused as HandshakeRefused).status, 429)
    assert.throws(() => h.server.faults.refuseUpgrades(-1))
  }))

faults('delayFrames delays every server frame and keeps their order', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC, { broadcast: { self: true, ack: true } })
    h.server.faults.delayFrames(150)
    const started = Date.now()
    client.send({ joinRef, ref: 'b1', topic: TOPIC, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: { n: 1 } } })
    await client.barrier()
    assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`)
    const events = client.frames.map((f) => f.message.event)
    assert.equal(events, ['broadcast', 'phx_reply'], 'broadcast then ack, both before the heartbeat reply')
    h.server.faults.delayFrames(0)
    assert.throws(() => h.server.faults.delayFrames(-5))
  }))

faults('errorChannel sends phx_error with the join ref and removes the channel (presence leaves)', () =>
  withHarness({}, async (h) => {
    const victim = await h.connect()
    const watcher = await h.connect()
    const { joinRef } = await victim.join(TOPIC, { presence: { key: 'v' } })
    await victim.request(TOPIC, 'presence', { type: 'presence', event: 'track', payload: {} }, joinRef)
    await watcher.join('realtime:other')
    const roomWatcher = await h.connect()
    await roomWatcher.join(TOPIC)
    assert.is(h.server.faults.errorChannel('room1'), 2)
    const error = await victim.nextEvent('phx_error')
    assert.equal(error.message, { joinRef, ref: joinRef, topic: TOPIC, event: 'phx_error', payload: {} })
    await roomWatcher.nextEvent('phx_error')
    const after = await victim.request(TOPIC, 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, joinRef)
    assert.equal(after.payload, { response: { reason: 'unmatched topic' }, status: 'error' })
    await watcher.barrier()
    assert.is(watcher.queued((f) => f.message.event === 'phx_error').length, 0)
  }))

faults('swallowAcks: broadcasts still fan out but their acks never come', () =>
  withHarness({}, async (h) => {
    const sender = await h.connect()
    const receiver = await h.connect()
    const { joinRef } = await sender.join(TOPIC, { broadcast: { ack: true } })
    await receiver.join(TOPIC)
    h.server.faults.swallowAcks()
    sender.send({ joinRef, ref: 'a1', topic: TOPIC, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: {} } })
    await receiver.nextEvent('broadcast')
    await sender.barrier()
    assert.is(sender.queued((f) => f.message.ref === 'a1').length, 0)
    h.server.faults.swallowAcks(false)
    const ack = await sender.request(TOPIC, 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, joinRef)
    assert.equal(ack.payload, ok)
  }))

faults('restart drops everyone, forgets rooms and presence, keeps port and secret', () =>
  withHarness({}, async (h) => {
    const before = await h.connect()
    const { joinRef } = await before.join(TOPIC, { presence: { key: 'ghost' } })
    await before.request(TOPIC, 'presence', { type: 'presence', event: 'track', payload: {} }, joinRef)
    h.server.faults.delayFrames(50)
    await h.server.faults.restart()
    assert.is((await before.closed).code, 1006)
    assert.equal(h.server.faults.state, { silent: false, delayMs: 0, swallowAcks: false, refuseUpgrades: 0 })
    const after = await h.connect()
    await after.join(TOPIC, { presence: { enabled: true } })
    assert.equal((await after.nextEvent('presence_state')).message.payload, {})
  }))

faults('reset turns every switch off', () =>
  withHarness({}, async (h) => {
    const f = h.server.faults
    f.goSilent()
    f.delayFrames(10)
    f.swallowAcks()
    f.refuseUpgrades(3)
    assert.equal(f.state, { silent: true, delayMs: 10, swallowAcks: true, refuseUpgrades: 3 })
    f.reset()
    assert.equal(f.state, { silent: false, delayMs: 0, swallowAcks: false, refuseUpgrades: 0 })
  }))

faults('the control endpoint is off by default', () =>
  withHarness({}, async (h) => {
    const response = await fetch(`${h.server.url}/__faults/silence`, { method: 'POST' })
    assert.is(response.status, 404)
  }))

faults('the control endpoint drives every fault over HTTP when enabled', () =>
  withHarness({ faultEndpoint: true }, async (h) => {
    const call = async (action: string, body?: unknown): Promise<Record<string, unknown>> => {
      const response = await fetch(`${h.server.url}/__faults/${action}`, { method: 'POST', body: body === undefined ? '' : JSON.stringify(body) })
      assert.is(response.status, 200, action)
      return (await response.json()) as Record<string, unknown>
    }
    assert.is((await call('silence'))['silent'], true)
    assert.is((await call('resume'))['silent'], false)
    assert.is((await call('delay', { ms: 25 }))['delayMs'], 25)
    assert.is((await call('swallow-acks', { on: true }))['swallowAcks'], true)
    assert.is((await call('swallow-acks', { on: false }))['swallowAcks'], false)
    assert.is((await call('refuse-upgrades', { count: 1, status: 503, error: 'x' }))['refuseUpgrades'], 1)
    const refused = await RawClient.connect(h.server.url, { apikey: h.server.apikey }).catch((e: unknown) => e)
    assert.is((refused as HandshakeRefused).status, 503)
    const client = await h.connect()
    await client.join(TOPIC)
    assert.is((await call('error-channel', { topic: TOPIC }))['affected'], 1)
    await client.nextEvent('phx_error')
    assert.is((await call('drop', { code: 1012, reason: 'drain' }))['affected'], 1)
    assert.is((await client.closed).code, 1012)
    const again = await h.connect()
    assert.is((await call('drop'))['affected'], 1)
    await again.closed
    await call('restart')
    assert.is((await call('reset'))['delayMs'], 0)
    const state = await fetch(`${h.server.url}/__faults`)
    assert.equal(await state.json(), { silent: false, delayMs: 0, swallowAcks: false, refuseUpgrades: 0 })
    assert.is((await fetch(`${h.server.url}/__faults/nope`, { method: 'POST' })).status, 404)
    assert.is((await fetch(`${h.server.url}/__faults/delay`, { method: 'POST', body: '{bad' })).status, 400)
    assert.is((await fetch(`${h.server.url}/__faults/delay`, { method: 'POST', body: '{"ms":-1}' })).status, 422)
    assert.is((await fetch(`${h.server.url}/__faults/error-channel`, { method: 'POST', body: '{}' })).status, 422)
    assert.is((await fetch(`${h.server.url}/__faults/delay`)).status, 405)
  }))

faults('faults act only on a running server', async () => {
  const h = await (await import('./harness.js')).harness()
  await h.close()
  assert.throws(() => h.server.faults.dropAllSockets(), /not running/)
})

faults.run()
