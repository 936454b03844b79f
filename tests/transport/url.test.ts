import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RealtimeError } from '../../src/errors.js'
import { buildSocketUrl, httpBaseOf, httpEndpointOf } from '../../src/transport/url.js'

const socketUrl = (url: string, extra: { logLevel?: 'info' | 'warning' | 'error' } = {}) =>
  buildSocketUrl({ url, apikey: 'KEY', vsn: '2.0.0', ...extra })

test('a Supabase project URL becomes wss://…/realtime/v1/websocket (protocol.md §1.1)', () => {
  assert.is(socketUrl('https://abc.supabase.co'), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
  assert.is(socketUrl('https://abc.supabase.co/'), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
})

test('…/realtime/v1 gets /websocket; a full …/websocket URL is kept', () => {
  assert.is(socketUrl('https://abc.supabase.co/realtime/v1'), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
  assert.is(socketUrl('wss://abc.supabase.co/realtime/v1/'), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
  assert.is(socketUrl('wss://abc.supabase.co/realtime/v1/websocket'), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
})

test('http becomes ws; a Phoenix mount /socket becomes /socket/websocket', () => {
  assert.is(socketUrl('http://127.0.0.1:4000/socket'), 'ws://127.0.0.1:4000/socket/websocket?apikey=KEY&vsn=2.0.0')
  assert.is(socketUrl('ws://127.0.0.1:4000/socket'), 'ws://127.0.0.1:4000/socket/websocket?apikey=KEY&vsn=2.0.0')
  assert.is(socketUrl('http://localhost:54321'), 'ws://localhost:54321/realtime/v1/websocket?apikey=KEY&vsn=2.0.0')
})

test('log_level follows apikey, vsn is last, as realtime-js sends them', () => {
  assert.is(socketUrl('https://abc.supabase.co', { logLevel: 'info' }), 'wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&log_level=info&vsn=2.0.0')
  assert.is(buildSocketUrl({ url: 'ws://h/socket', apikey: 'k', vsn: '1.0.0' }), 'ws://h/socket/websocket?apikey=k&vsn=1.0.0')
})

test('other query parameters of the URL are kept; ours are not duplicated; values are percent-encoded', () => {
  assert.is(
    buildSocketUrl({ url: 'wss://h/realtime/v1/websocket?vsn=1.0.0&foo=a b&apikey=old#frag', apikey: 'k+/=', vsn: '2.0.0' }),
    'wss://h/realtime/v1/websocket?apikey=k%2B%2F%3D&foo=a%20b&vsn=2.0.0',
  )
})

test('a missing apikey is a RealtimeError (missing_apikey)', () => {
  try {
    buildSocketUrl({ url: 'https://abc.supabase.co', apikey: '', vsn: '2.0.0' })
    assert.unreachable('should throw')
  } catch (error) {
    assert.instance(error, RealtimeError)
    assert.is((error as RealtimeError).code, 'missing_apikey')
  }
})

test('a URL that is not http(s)/ws(s) is an invalid_argument RealtimeError', () => {
  for (const url of ['ftp://x/socket', 'not a url']) {
    try {
      socketUrl(url)
      assert.unreachable(`should throw for ${url}`)
    } catch (error) {
      assert.instance(error, RealtimeError)
      assert.is((error as RealtimeError).code, 'invalid_argument')
    }
  }
})

test('a path-only endpoint is resolved against the page location, as in Phoenix', () => {
  const scope = globalThis as { location?: { href: string } }
  scope.location = { href: 'https://app.example.com/page' }
  try {
    assert.is(socketUrl('/socket'), 'wss://app.example.com/socket/websocket?apikey=KEY&vsn=2.0.0')
  } finally {
    delete scope.location
  }
})

test('httpEndpointOf gives the REST broadcast endpoint without query; httpBaseOf the REST base', () => {
  assert.is(httpEndpointOf('https://abc.supabase.co'), 'https://abc.supabase.co/realtime/v1/api/broadcast')
  assert.is(httpEndpointOf('wss://abc.supabase.co/realtime/v1/websocket?apikey=KEY&vsn=2.0.0'), 'https://abc.supabase.co/realtime/v1/api/broadcast')
  assert.is(httpEndpointOf('ws://127.0.0.1:4000/socket'), 'http://127.0.0.1:4000/api/broadcast')
  assert.is(httpEndpointOf('ws://127.0.0.1:4000/socket/websocket'), 'http://127.0.0.1:4000/api/broadcast')
  assert.is(httpBaseOf('https://abc.supabase.co/realtime/v1/'), 'https://abc.supabase.co/realtime/v1')
})

test.run()
