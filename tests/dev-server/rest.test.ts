/** Issue 3: REST broadcast (§5.4–5.5), batch and single, with the server's status codes and bodies. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { withHarness, type Harness } from './harness.js'

const rest = suite('dev-server REST broadcast')
const isBroadcast = (f: { message: { event: string } }): boolean => f.message.event === 'broadcast'

function post(h: Harness, path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.server.url}${path}`, {
    method: 'POST',
    headers: { apikey: h.server.apikey, 'content-type': 'application/json', ...headers },
    body,
  })
}

rest('batch: 202, delivered as a text broadcast to vsn 1.0.0 and 2.0.0 subscribers, meta.id when given', () =>
  withHarness({}, async (h) => {
    const v2 = await h.connect()
    const v1 = await h.connect({ vsn: '1.0.0' })
    await v2.join('realtime:room1')
    await v1.join('realtime:room1')
    const id = '0b7e0e1e-8f3a-4c1e-9a52-1d2b3c4d5e6f'
    const response = await post(h, '/realtime/v1/api/broadcast?apikey=x&vsn=2.0.0', JSON.stringify({ messages: [{ topic: 'room1', event: 'cursor', payload: { x: 1 } }, { topic: 'room1', event: 'tagged', payload: {}, id }] }))
    assert.is(response.status, 202)
    assert.is(await response.text(), '')
    const first = await v2.next(isBroadcast)
    assert.is(first.binary, false)
    assert.equal(first.message.payload, { event: 'cursor', payload: { x: 1 }, type: 'broadcast' })
    const second = await v2.next(isBroadcast)
    assert.equal(second.message.payload, { event: 'tagged', payload: {}, type: 'broadcast', meta: { id } })
    assert.equal((await v1.next(isBroadcast)).message.payload, { event: 'cursor', payload: { x: 1 }, type: 'broadcast' })
  }))

rest('batch: 401 {"message":"Unauthorized"} without a valid token; Authorization Bearer wins over apikey', () =>
  withHarness({}, async (h) => {
    const body = JSON.stringify({ messages: [] })
    const none = await fetch(`${h.server.url}/realtime/v1/api/broadcast`, { method: 'POST', body, headers: { 'content-type': 'application/json' } })
    assert.is(none.status, 401)
    assert.equal(await none.json(), { message: 'Unauthorized' })
    const badBearer = await post(h, '/realtime/v1/api/broadcast', body, { authorization: 'Bearer nope' })
    assert.is(badBearer.status, 401)
    const bearer = await post(h, '/api/broadcast', body, { apikey: 'nope', authorization: `Bearer ${h.server.apikey}` })
    assert.is(bearer.status, 202)
  }))

rest('batch: 422 with the changeset-style errors', () =>
  withHarness({ maxPayloadBytes: 50 }, async (h) => {
    const missing = await post(h, '/realtime/v1/api/broadcast', '{}')
    assert.is(missing.status, 422)
    assert.equal(await missing.json(), { errors: { messages: ["can't be blank"] } })
    const notList = await post(h, '/realtime/v1/api/broadcast', '{"messages":{}}')
    assert.equal(await notList.json(), { errors: { messages: ['is invalid'] } })
    const invalid = await post(
      h,
      '/realtime/v1/api/broadcast',
      JSON.stringify({ messages: [{ topic: 'a', event: 'e', payload: {} }, { event: 5, payload: 'x', id: 'nope', private: 'maybe' }, { topic: 'a', event: 'e', payload: { s: 'x'.repeat(60) } }, 7] }),
    )
    assert.is(invalid.status, 422)
    assert.equal(await invalid.json(), {
      errors: {
        messages: [
          {},
          { topic: ["can't be blank"], event: ['is invalid'], payload: ['is invalid'], id: ['is invalid'], private: ['is invalid'] },
          { payload: ['Payload size exceeds tenant limit'] },
          { message: ['is invalid'] },
        ],
      },
    })
    const notJson = await post(h, '/realtime/v1/api/broadcast', '{oops')
    assert.is(notJson.status, 400)
  }))

rest('batch: private messages reach only the private room, and only with write permission', () =>
  withHarness({}, async (h) => {
    const user = h.server.signToken({ role: 'authenticated' })
    const priv = await h.connect()
    const pub = await h.connect()
    await priv.join('realtime:room1', { private: true }, { access_token: user })
    await pub.join('realtime:room1')
    const messages = JSON.stringify({ messages: [{ topic: 'room1', event: 'secret', payload: {}, private: true }] })
    const anon = await post(h, '/realtime/v1/api/broadcast', messages)
    assert.is(anon.status, 202, 'skipped silently')
    const authed = await post(h, '/realtime/v1/api/broadcast', messages, { authorization: `Bearer ${user}` })
    assert.is(authed.status, 202)
    const got = await priv.next(isBroadcast)
    assert.is((got.message.payload as { event: string }).event, 'secret')
    await priv.barrier()
    await pub.barrier()
    assert.is(priv.queued(isBroadcast).length, 0, 'the anon message never arrived')
    assert.is(pub.queued(isBroadcast).length, 0)
  }))

rest('single: JSON body → kind 4 encoding 1 for vsn 2.0.0 and JSON for vsn 1.0.0', () =>
  withHarness({}, async (h) => {
    const v2 = await h.connect()
    const v1 = await h.connect({ vsn: '1.0.0' })
    await v2.join('realtime:my room')
    await v1.join('realtime:my room')
    const response = await post(h, `/realtime/v1/api/broadcast/${encodeURIComponent('my room')}/events/${encodeURIComponent('new msg')}`, '{"text":"hi"}', {
      'content-type': 'application/json; charset=utf-8',
    })
    assert.is(response.status, 202)
    const binary = await v2.next(isBroadcast)
    assert.is(binary.binary, true)
    assert.is((binary.raw as Uint8Array)[4], 1)
    assert.equal(binary.message.payload, { type: 'broadcast', event: 'new msg', payload: { text: 'hi' } })
    assert.equal((await v1.next(isBroadcast)).message.payload, { event: 'new msg', payload: { text: 'hi' }, type: 'broadcast' })
  }))

rest('single: octet-stream body → kind 4 encoding 0; vsn 1.0.0 gets nothing', () =>
  withHarness({}, async (h) => {
    const v2 = await h.connect()
    const v1 = await h.connect({ vsn: '1.0.0' })
    await v2.join('realtime:room1')
    await v1.join('realtime:room1')
    const response = await post(h, '/realtime/v1/api/broadcast/room1/events/bytes', new Uint8Array([1, 2, 3]), { 'content-type': 'application/octet-stream' })
    assert.is(response.status, 202)
    const binary = await v2.next(isBroadcast)
    assert.is((binary.raw as Uint8Array)[4], 0)
    assert.equal([...new Uint8Array((binary.message.payload as { payload: ArrayBuffer }).payload)], [1, 2, 3])
    await v1.barrier()
    assert.is(v1.queued(isBroadcast).length, 0)
  }))

rest('single: 415, 422, 403 and 401 with the server bodies', () =>
  withHarness({ maxPayloadBytes: 10 }, async (h) => {
    const path = '/realtime/v1/api/broadcast/room1/events/e'
    const text = await post(h, path, 'hi', { 'content-type': 'text/plain' })
    assert.is(text.status, 415)
    assert.equal(await text.json(), { error: 'Unsupported Media Type. Use application/json or application/octet-stream' })
    const nullBody = await post(h, path, 'null')
    assert.is(nullBody.status, 422)
    assert.equal(await nullBody.json(), { errors: { payload: ["can't be blank"] } })
    const big = await post(h, path, JSON.stringify({ s: 'x'.repeat(20) }))
    assert.equal(await big.json(), { errors: { payload: ['Payload size exceeds tenant limit'] } })
    const persist = await post(h, `${path}?persist=true`, '{}')
    assert.equal(await persist.json(), { errors: { persist: ['can only be used on private channels'] } })
    const forbidden = await post(h, `${path}?private=true`, '{}')
    assert.is(forbidden.status, 403)
    assert.equal(await forbidden.json(), { message: 'Unauthorized' })
    const allowed = await post(h, `${path}?private=true`, '{}', { authorization: `Bearer ${h.server.signToken({ role: 'authenticated' })}` })
    assert.is(allowed.status, 202)
    const unauthorized = await post(h, path, '{}', { apikey: '' })
    assert.is(unauthorized.status, 401)
    const badJson = await post(h, path, '{')
    assert.is(badJson.status, 400)
  }))

rest('CORS preflight is answered and other methods get 405', () =>
  withHarness({}, async (h) => {
    const preflight = await fetch(`${h.server.url}/realtime/v1/api/broadcast`, { method: 'OPTIONS' })
    assert.is(preflight.status, 204)
    assert.is(preflight.headers.get('access-control-allow-origin'), '*')
    const get = await fetch(`${h.server.url}/realtime/v1/api/broadcast`)
    assert.is(get.status, 405)
  }))

rest('a body far over the limit is refused with 413', () =>
  withHarness({ maxPayloadBytes: 10 }, async (h) => {
    const response = await post(h, '/realtime/v1/api/broadcast', JSON.stringify({ messages: [{ s: 'x'.repeat(1_100_000) }] }))
    assert.is(response.status, 413)
  }))

rest.run()
