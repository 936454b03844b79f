import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RealtimeError } from '../../src/errors.js'
import { httpSend, httpSendUrl, type HttpSendRequest } from '../../src/http-send.js'
import { fakeClient } from './facade-harness.js'

interface Call {
  url: string
  init: RequestInit
}

function fetchAnswering(answer: (call: Call) => Response | Promise<Response>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = []
  const impl = (async (url: string | URL | Request, init?: RequestInit) => {
    const call = { url: String(url), init: init ?? {} }
    calls.push(call)
    return answer(call)
  }) as typeof fetch
  return { fetch: impl, calls }
}

const base = (overrides: Partial<HttpSendRequest>): HttpSendRequest => ({
  url: 'https://abc.supabase.co',
  apikey: 'anon',
  token: null,
  subTopic: 'room 1',
  event: 'ev/1',
  payload: { a: 1 },
  private: false,
  timeoutMs: 1000,
  fetch: fetchAnswering(() => new Response(null, { status: 202 })).fetch,
  ...overrides,
})

test('the endpoint is …/api/broadcast/:subtopic/events/:event, encoded, with private=true when private', () => {
  assert.is(httpSendUrl('https://abc.supabase.co', 'room 1', 'ev/1', false), 'https://abc.supabase.co/realtime/v1/api/broadcast/room%201/events/ev%2F1')
  assert.is(httpSendUrl('ws://127.0.0.1:4000/socket', 'r', 'e', true), 'http://127.0.0.1:4000/api/broadcast/r/events/e?private=true')
})

test('JSON goes as application/json with apikey and the bearer token', async () => {
  const { fetch, calls } = fetchAnswering(() => new Response(null, { status: 202 }))
  assert.equal(await httpSend(base({ fetch, token: 'jwt' })), { success: true, status: 202 })
  const headers = calls[0]!.init.headers as Record<string, string>
  assert.is(headers['Content-Type'], 'application/json')
  assert.is(headers['apikey'], 'anon')
  assert.is(headers['Authorization'], 'Bearer jwt')
  assert.is(calls[0]!.init.body, '{"a":1}')
})

test('bytes go as application/octet-stream, without Authorization when there is no token', async () => {
  const { fetch, calls } = fetchAnswering(() => new Response(null, { status: 202 }))
  await httpSend(base({ fetch, payload: new Uint8Array([1, 2]) }))
  const headers = calls[0]!.init.headers as Record<string, string>
  assert.is(headers['Content-Type'], 'application/octet-stream')
  assert.not.ok('Authorization' in headers)
  assert.equal([...(calls[0]!.init.body as Uint8Array)], [1, 2])
})

test('errors: the server message, a 404 hint, a network failure, a timeout, bad input', async () => {
  const codeOf = (promise: Promise<unknown>) => promise.then(() => 'resolved', (e: unknown) => (e instanceof RealtimeError ? `${e.code}: ${e.message}` : String(e)))
  const json = fetchAnswering(() => new Response(JSON.stringify({ error: 'Unsupported Media Type' }), { status: 415 })).fetch
  assert.match(await codeOf(httpSend(base({ fetch: json }))), /^http_error: .*415 Unsupported Media Type/)
  const message = fetchAnswering(() => new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 403 })).fetch
  assert.match(await codeOf(httpSend(base({ fetch: message }))), /403 Unauthorized/)
  const text = fetchAnswering(() => new Response('boom', { status: 500, statusText: 'Internal Server Error' })).fetch
  assert.match(await codeOf(httpSend(base({ fetch: text }))), /500 Internal Server Error/)
  const missing = fetchAnswering(() => new Response('', { status: 404 })).fetch
  assert.match(await codeOf(httpSend(base({ fetch: missing }))), /v2\.97\.0/)
  const down = fetchAnswering(() => Promise.reject(new TypeError('fetch failed'))).fetch
  assert.match(await codeOf(httpSend(base({ fetch: down }))), /^http_error: .*fetch failed/)
  const hang = ((_url: string, init?: RequestInit) =>
    new Promise<Response>((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))))) as unknown as typeof fetch
  assert.match(await codeOf(httpSend(base({ fetch: hang, timeoutMs: 10 }))), /^timeout/)
  assert.match(await codeOf(httpSend(base({ payload: null }))), /^invalid_argument/)
  assert.match(await codeOf(httpSend(base({ event: '' }))), /^invalid_argument/)
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  assert.match(await codeOf(httpSend(base({ payload: cyclic }))), /^invalid_argument/)
})

test('channel.httpSend uses the token function, falling back to the static token when it throws or answers no token', async () => {
  const { fetch, calls } = fetchAnswering(() => new Response(null, { status: 202 }))
  let answer: 'fresh' | 'throw' | 'null' = 'fresh'
  const f = fakeClient({
    fetch,
    accessToken: 'static',
    accessTokenFn: async () => {
      if (answer === 'throw') throw new Error('no session')
      return answer === 'null' ? null : 'fresh'
    },
  })
  const ch = f.client.channel('room', { private: true })
  await ch.httpSend('e', { x: 1 })
  answer = 'throw'
  await ch.httpSend('e', { x: 2 })
  answer = 'null'
  await ch.httpSend('e', { x: 3 })
  const auth = calls.map((c) => (c.init.headers as Record<string, string>)['Authorization'])
  assert.equal(auth, ['Bearer fresh', 'Bearer static', 'Bearer static'])
  assert.match(calls[0]!.url, /\/api\/broadcast\/room\/events\/e\?private=true$/)
  // Both the throw and the null answer are reported (issue 15: no silent fallback).
  assert.is(f.events.filter((e) => e.type === 'error' && e.error.code === 'token_fetch_failed').length, 2)
  await f.client.close()
})

test.run()
