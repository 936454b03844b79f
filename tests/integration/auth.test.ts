/**
 * Issue 15, auth as a new user meets it, against the dev server: a wrong apikey, a token function that
 * answers nothing, setAuth with a non-token, refused upgrades with their status, token expiry with and
 * without a token function, private channels.
 */
import * as assert from 'uvu/assert'
import { RealtimeError, type RealtimeEvent } from '../../src/index.js'
import { interopSuite, isChannelState, within } from './client-harness.js'

const test = interopSuite('auth')

const errorsOf = (events: readonly RealtimeEvent[]): RealtimeError[] => events.flatMap((event) => (event.type === 'error' ? [event.error] : []))

async function rejection(promise: Promise<unknown>, what: string): Promise<RealtimeError> {
  try {
    await within(promise, 5000, what)
  } catch (error) {
    assert.instance(error, RealtimeError, what)
    return error as RealtimeError
  }
  throw new Error(`${what}: resolved`)
}

function throwsInvalid(fn: () => void, what: string): void {
  try {
    fn()
  } catch (error) {
    assert.instance(error, RealtimeError, what)
    assert.is((error as RealtimeError).code, 'invalid_argument', what)
    return
  }
  assert.unreachable(`${what}: no error`)
}

test('a wrong apikey: subscribe() rejects with unauthorized (status 401, the server error) long before the join timeout', async ({ world }) => {
  const nowS = Math.floor(Date.now() / 1000)
  const wrong = world.server.signToken({ role: 'anon', exp: nowS - 5 }).replace(/.$/, 'x')
  const { client, events } = world.makeClient({ apikey: wrong, timeoutMs: 10_000 })
  const started = Date.now()
  const error = await rejection(client.channel('wrong-key').subscribe(), 'subscribe with a wrong apikey')
  assert.is(error.code, 'unauthorized')
  assert.is(error.metadata['status'], 401)
  assert.is(error.metadata['serverError'], 'Failed to validate JWT signature')
  assert.ok(Date.now() - started < 5000, 'not the 10 s join timeout')
  // The connection says it too, with the same code (not only a transport_error).
  assert.ok(errorsOf(events.all).some((e) => e.code === 'unauthorized' && e.metadata['topic'] === undefined), 'a connection error event')
  assert.not.ok(errorsOf(events.all).some((e) => e.code === 'timeout'))
})

test('a refused upgrade reports its status: 401 Token has expired is token_expired, 403 unauthorized, 500 connection_failed', async ({ world }) => {
  const nowS = Math.floor(Date.now() / 1000)
  const expired = world.makeClient({ apikey: world.server.signToken({ role: 'anon', exp: nowS - 10 }) })
  const e1 = await rejection(expired.client.channel('expired-key').subscribe(), 'expired apikey')
  assert.is(e1.code, 'token_expired')
  assert.is(e1.metadata['serverError'], 'Token has expired')
  // It retries with backoff (the key may be rotated server-side); stopped here so it takes no refusal below.
  await expired.client.close()

  world.server.faults.refuseUpgrades(1, { status: 403, error: 'Realtime was disabled for this tenant' })
  const forbidden = world.makeClient()
  const e2 = await rejection(forbidden.client.channel('forbidden').subscribe(), '403')
  assert.is(e2.code, 'unauthorized')
  assert.equal([e2.metadata['status'], e2.metadata['serverError']], [403, 'Realtime was disabled for this tenant'])
  // The refusal was once: the channel joins on the next connection by itself.
  await forbidden.events.waitFor(isChannelState('realtime:forbidden', 'joined'), 5000)

  world.server.faults.refuseUpgrades(1, { status: 500, error: 'Error connecting to Realtime' })
  const outage = world.makeClient()
  const e3 = await rejection(outage.client.channel('outage').subscribe(), '500')
  assert.is(e3.code, 'connection_failed')
  assert.is(e3.metadata['status'], 500)
})

test('an accessTokenFn that returns null or a non-string reports token_fetch_failed and falls back', async ({ world }) => {
  for (const answer of [null, 123, {}, '']) {
    const { client, events } = world.makeClient({ accessTokenFn: async () => answer as unknown as string })
    await within(client.channel(`fn-${typeof answer}-${String(answer).length}`).subscribe(), 5000, 'joined with the fallback')
    const failures = errorsOf(events.all).filter((e) => e.code === 'token_fetch_failed')
    assert.is(failures.length, 1, `one token_fetch_failed for ${JSON.stringify(answer)}`)
    await client.close()
  }
})

test('setAuth(123) and setAuth({}) throw invalid_argument, on the client and on a channel, and send nothing', async ({ world }) => {
  const { client } = world.makeClient()
  const room = client.channel('set-auth-bad')
  await room.subscribe()
  for (const bad of [123, {}, '', undefined]) {
    throwsInvalid(() => client.setAuth(bad as unknown as string), `client.setAuth(${JSON.stringify(bad)})`)
    throwsInvalid(() => room.setAuth(bad as unknown as string), `channel.setAuth(${JSON.stringify(bad)})`)
  }
  assert.is(room.state, 'joined')
})

test.run()
