import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RealtimeError, toSupabaseError, redact } from '../../src/errors.js'

test('RealtimeError.new carries code, message and metadata', () => {
  const error = RealtimeError.new('timeout', 'join timed out', { topic: 'realtime:room' })
  assert.instance(error, Error)
  assert.is(error.code, 'timeout')
  assert.is(error.name, 'RealtimeError')
  assert.equal(error.metadata, { topic: 'realtime:room' })
})

test('toSupabaseError gives the shared Supabase shape', () => {
  const error = new RealtimeError('join_failed', 'nope', { reason: 'x' })
  assert.equal(toSupabaseError(error), { code: 'join_failed', message: 'nope', service: 'realtime', metadata: { reason: 'x' } })
  assert.equal(JSON.parse(JSON.stringify(error)), toSupabaseError(error))
})

test('tokens and apikeys never appear in clear in messages or metadata', () => {
  const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.c2lnbmF0dXJl'
  const error = new RealtimeError('unauthorized', `bad token ${jwt} at wss://x/realtime/v1/websocket?apikey=secret123&vsn=2.0.0`, {
    apikey: 'secret123',
    nested: { access_token: 'abc', url: 'ws://h/?apikey=k1' },
  })
  assert.not.match(error.message, jwt)
  assert.not.match(error.message, 'secret123')
  assert.not.match(JSON.stringify(error.metadata), 'secret123')
  assert.not.match(JSON.stringify(error.metadata), '"abc"')
  assert.not.match(JSON.stringify(error.metadata), 'k1')
})

test('redact never writes through __proto__', () => {
  const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
  const out = redact(input) as Record<string, unknown>
  assert.is(({} as Record<string, unknown>)['polluted'], undefined)
  assert.is(Object.getPrototypeOf(out), Object.prototype)
  assert.ok(Object.hasOwn(out, '__proto__'))
})

test.run()
