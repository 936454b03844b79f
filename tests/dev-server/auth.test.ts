/** Issue 3: handshake refusals (§1.1), join token errors (§4.4), expiry and refresh (§8.2–8.3), private channels. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { signJwt, verifyJwt } from '../../src/dev-server/jwt.js'
import { HandshakeRefused, RawClient, replyResponse, replyStatus } from '../helpers/raw-client.js'
import { ok, withHarness } from './harness.js'

const handshake = suite('dev-server handshake')
const nowS = (): number => Math.floor(Date.now() / 1000)

async function refusal(promise: Promise<unknown>): Promise<HandshakeRefused> {
  try {
    await promise
  } catch (error) {
    if (error instanceof HandshakeRefused) return error
    throw error
  }
  throw new Error('the handshake was accepted')
}

handshake('accepts /realtime/v1/websocket and /socket/websocket, apikey in the query or x-api-key', () =>
  withHarness({}, async (h) => {
    for (const options of [{}, { path: '/socket/websocket' }, { apikeyHeader: true }]) {
      const client = await h.connect(options)
      await client.barrier()
    }
  }))

handshake('refuses with HTTP 401 and the server JSON bodies', () =>
  withHarness({}, async (h) => {
    const { server } = h
    const cases: [string | null, string][] = [
      [null, 'API key is missing'],
      ['not-a-jwt', 'The token provided is not a valid JWT'],
      [signJwt({ role: 'anon', exp: nowS() + 60 }, 'other-secret'), 'Failed to validate JWT signature'],
      [server.signToken({ role: 'anon', exp: nowS() - 10 }), 'Token has expired'],
      [server.signToken({ exp: nowS() + 60 }), 'Fields `role` and `exp` are required in JWT'],
      [server.signToken({ role: 'anon', exp: 'soon' }), 'Token expiration time is invalid'],
    ]
    for (const [apikey, error] of cases) {
      const refused = await refusal(RawClient.connect(server.url, { apikey }))
      assert.is(refused.status, 401, error)
      assert.equal(JSON.parse(refused.body), { error })
    }
  }))

handshake('refuses an unsupported vsn with 403 and treats a missing vsn as 1.0.0', () =>
  withHarness({}, async (h) => {
    const refused = await refusal(RawClient.connect(h.server.url, { apikey: h.server.apikey, vsn: '3.0.0' as never }))
    assert.is(refused.status, 403)
    const v1 = await h.connect({ vsn: null })
    v1.sendRaw('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"1"}')
    const reply = await v1.next((f) => f.message.ref === '1')
    assert.ok(typeof reply.raw === 'string' && reply.raw.startsWith('{'))
  }))

handshake('answers 404 for other upgrade paths and plain HTTP on the socket path with 400', () =>
  withHarness({}, async (h) => {
    const refused = await refusal(RawClient.connect(h.server.url, { apikey: h.server.apikey, path: '/elsewhere' }))
    assert.is(refused.status, 404)
    const plain = await fetch(`${h.server.url}/realtime/v1/websocket`)
    assert.is(plain.status, 400)
    const unknown = await fetch(`${h.server.url}/nothing-here`)
    assert.is(unknown.status, 404)
  }))

handshake('waits connectErrorBackoffMs before refusing', () =>
  withHarness({ connectErrorBackoffMs: 150 }, async (h) => {
    const started = Date.now()
    await refusal(RawClient.connect(h.server.url, { apikey: null }))
    assert.ok(Date.now() - started >= 140)
  }))

handshake.run()

const tokens = suite('dev-server tokens')

tokens('signToken signs HS256 with the secret and adds exp one hour ahead unless given', () =>
  withHarness({}, async (h) => {
    const token = h.server.signToken({ role: 'authenticated', sub: 'u1' })
    const verified = verifyJwt(token, h.server.jwtSecret)
    assert.ok(verified.ok)
    if (!verified.ok) return
    assert.is(verified.claims['sub'], 'u1')
    assert.ok(Math.abs(verified.claims.exp - (nowS() + 3600)) <= 2)
    const fixed = verifyJwt(h.server.signToken({ role: 'x', exp: nowS() + 5 }), h.server.jwtSecret)
    assert.ok(fixed.ok && fixed.claims.exp <= nowS() + 5)
    const apikey = verifyJwt(h.server.apikey, h.server.jwtSecret)
    assert.ok(apikey.ok && apikey.claims.role === 'anon' && apikey.claims.exp > nowS() + 365 * 24 * 3600)
  }))

tokens('verifyJwt refuses other algorithms and tampered payloads', () => {
  const secret = 's'
  const token = signJwt({ role: 'anon', exp: nowS() + 60 }, secret)
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`
  assert.equal(verifyJwt(none, secret), { ok: false, reason: 'signature' })
  const forged = `${header}.${Buffer.from('{"role":"service_role","exp":9999999999}').toString('base64url')}.${signature}`
  assert.equal(verifyJwt(forged, secret), { ok: false, reason: 'signature' })
  assert.equal(verifyJwt('a.b.c', secret), { ok: false, reason: 'malformed' })
})

tokens('refuses a join whose access_token is bad, with the server reason strings', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const cases: [string, RegExp][] = [
      [h.server.signToken({ role: 'anon', exp: nowS() - 30 }), /^InvalidJWTToken: Token has expired (29|30|31) seconds ago$/],
      ['garbage', /^MalformedJWT: The token provided is not a valid JWT$/],
      [signJwt({ role: 'anon', exp: nowS() + 60 }, 'nope'), /^JwtSignatureError: Failed to validate JWT signature$/],
      [h.server.signToken({ exp: nowS() + 60 }), /^InvalidJWTToken: Fields `role` and `exp` are required in JWT$/],
    ]
    for (const [token, reason] of cases) {
      const { reply } = await client.join('realtime:room1', {}, { access_token: token })
      assert.is(replyStatus(reply), 'error')
      assert.match((replyResponse(reply) as { reason: string }).reason, reason)
    }
    const sbKey = await client.join('realtime:room1', {}, { access_token: 'sb_publishable_123' })
    assert.is(replyStatus(sbKey.reply), 'ok', 'an sb_ key falls back to the connection token')
  }))

tokens('closes a channel whose token expires with a system error, then phx_close', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const token = h.server.signToken({ role: 'authenticated', exp: nowS() + 1 })
    const { joinRef } = await client.join('realtime:room1', {}, { access_token: token })
    const system = await client.nextEvent('system', 'realtime:room1', 3000)
    assert.is(system.message.joinRef, joinRef)
    assert.is(system.message.ref, null)
    const payload = system.message.payload as Record<string, unknown>
    assert.equal({ ...payload, message: 'x' }, { channel: 'room1', extension: 'system', message: 'x', status: 'error' })
    assert.match(payload['message'] as string, /^Token has expired \d+ seconds ago$/)
    const close = await client.nextEvent('phx_close', 'realtime:room1')
    assert.is(close.message.ref, joinRef)
  }))

tokens('re-checks a long-lived token every tokenRecheckMaxMs without closing the channel', () =>
  withHarness({ tokenRecheckMaxMs: 20 }, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join('realtime:room1', { broadcast: { ack: true } })
    const until = Date.now() + 120
    while (Date.now() < until) await client.barrier()
    const ack = await client.request('realtime:room1', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, joinRef)
    assert.equal(ack.payload, ok)
  }))

tokens('access_token: never replies; a valid token replaces the old one, a bad one shuts the channel', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const short = h.server.signToken({ role: 'authenticated', exp: nowS() + 1 })
    const { joinRef } = await client.join('realtime:room1', { broadcast: { ack: true } }, { access_token: short })
    const fresh = h.server.signToken({ role: 'authenticated', exp: nowS() + 600 })
    for (const access_token of [fresh, fresh, 'sb_secret', null]) client.send({ joinRef, ref: 'at', topic: 'realtime:room1', event: 'access_token', payload: { access_token } })
    await client.barrier()
    assert.is(client.queued((f) => f.message.ref === 'at').length, 0, 'no reply to access_token')
    // The short token would have expired by now: the channel lives on with the fresh one.
    const deadline = (nowS() + 2) * 1000
    while (Date.now() < deadline) await client.barrier()
    assert.is(client.queued((f) => f.message.event === 'system').length, 0)
    client.send({ joinRef, ref: 'bad', topic: 'realtime:room1', event: 'access_token', payload: { access_token: 'garbage' } })
    const system = await client.nextEvent('system')
    assert.is((system.message.payload as { message: string }).message, 'The token provided is not a valid JWT')
    await client.nextEvent('phx_close')
  }))

tokens.run()

const privateChannels = suite('dev-server private channels')

privateChannels('refuses a private join for the anon role and accepts an authenticated one', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const anon = await client.join('realtime:secret', { private: true })
    assert.equal(anon.reply.payload, {
      response: { reason: 'Unauthorized: You do not have permissions to read from this Channel topic: secret' },
      status: 'error',
    })
    const user = h.server.signToken({ role: 'authenticated' })
    const authed = await client.join('realtime:secret', { private: 'true' }, { access_token: user })
    assert.is(replyStatus(authed.reply), 'ok')
  }))

privateChannels('consults the authorize option per extension and action; writes without permission vanish', () =>
  withHarness(
    {
      authorize: ({ subtopic, action, extension, claims }) =>
        subtopic === 'readonly' ? action === 'read' && extension === 'broadcast' && claims['sub'] === 'u1' : false,
    },
    async (h) => {
      const token = h.server.signToken({ role: 'authenticated', sub: 'u1' })
      const reader = await h.connect()
      const writer = await h.connect()
      const denied = await reader.join('realtime:other', { private: true }, { access_token: token })
      assert.is(replyStatus(denied.reply), 'error')
      await reader.join('realtime:readonly', { private: true }, { access_token: token })
      const { joinRef } = await writer.join('realtime:readonly', { private: true, broadcast: { ack: true } }, { access_token: token })
      writer.send({ joinRef, ref: 'w1', topic: 'realtime:readonly', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: {} } })
      await writer.barrier()
      await reader.barrier()
      assert.is(writer.queued((f) => f.message.ref === 'w1').length, 0, 'no ack without write permission')
      assert.is(reader.queued((f) => f.message.event === 'broadcast').length, 0)
      const track = await writer.request('realtime:readonly', 'presence', { type: 'presence', event: 'track', payload: {} }, joinRef)
      assert.equal(track.payload, { response: {}, status: 'error' })
    },
  ))

privateChannels('an access_token that loses read permission shuts the private channel', () =>
  withHarness({ authorize: ({ claims }) => claims['sub'] === 'allowed' }, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join('realtime:vault', { private: true }, { access_token: h.server.signToken({ role: 'authenticated', sub: 'allowed' }) })
    const kept = h.server.signToken({ role: 'authenticated', sub: 'allowed', n: 2 })
    client.send({ joinRef, ref: null, topic: 'realtime:vault', event: 'access_token', payload: { access_token: kept } })
    await client.barrier()
    assert.is(client.queued((f) => f.message.event === 'system').length, 0)
    const revoked = h.server.signToken({ role: 'authenticated', sub: 'someone-else' })
    client.send({ joinRef, ref: null, topic: 'realtime:vault', event: 'access_token', payload: { access_token: revoked } })
    const system = await client.nextEvent('system')
    assert.is((system.message.payload as { message: string }).message, 'You do not have permissions to read from this Channel topic: vault')
    await client.nextEvent('phx_close')
  }))

privateChannels('a throwing authorize callback denies', () =>
  withHarness(
    {
      authorize: () => {
        throw new Error('policy store down')
      },
    },
    async (h) => {
      const client = await h.connect()
      const { reply } = await client.join('realtime:x', { private: true }, { access_token: h.server.signToken({ role: 'authenticated' }) })
      assert.is(replyStatus(reply), 'error')
    },
  ))

privateChannels('public and private channels of one name are separate rooms', () =>
  withHarness({}, async (h) => {
    const token = h.server.signToken({ role: 'authenticated' })
    const pub = await h.connect()
    const priv = await h.connect()
    const pubJoin = await pub.join('realtime:room', { broadcast: { self: true } })
    await priv.join('realtime:room', { private: true }, { access_token: token })
    pub.send({ joinRef: pubJoin.joinRef, ref: '5', topic: 'realtime:room', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: {} } })
    await pub.nextEvent('broadcast')
    await priv.barrier()
    assert.is(priv.queued((f) => f.message.event === 'broadcast').length, 0)
  }))

privateChannels.run()
