/**
 * Issue 15, auth as a new user meets it, against the dev server: a wrong apikey, a token function that
 * answers nothing, setAuth with a non-token, refused upgrades with their status, token expiry with and
 * without a token function, private channels.
 */
import * as assert from 'uvu/assert'
import { startDevServer } from '../../src/dev-server/index.js'
import { RealtimeError, type ChannelOptions, type RealtimeClientOptions, type RealtimeEvent } from '../../src/index.js'
import { interopSuite, isBroadcast, isChannelState, throwsInvalid, within, type World } from './client-harness.js'

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

test('a wrong apikey: subscribe() rejects with unauthorized (status 401, the server error) long before the join timeout', async ({ world }) => {
  const nowS = Math.floor(Date.now() / 1000)
  // A valid, unexpired key with one signature character changed in the middle: the last base64url
  // character carries padding bits, so changing it may leave the signature's bytes as they were.
  const signed = world.server.signToken({ role: 'anon', exp: nowS + 60 })
  const at = signed.lastIndexOf('.') + 10
  const wrong = signed.slice(0, at) + (signed[at] === 'A' ? 'B' : 'A') + signed.slice(at + 1)
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


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
type Signer = Pick<World['server'], 'signToken'>

/** A token living 1–2 s (`exp` is in whole seconds), numbered by the claim `n` when given. */
const shortToken = (server: Signer, n?: number): string => server.signToken({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 2, ...(n !== undefined && { n }) })

/** A token function giving short tokens, numbered 0, 1, 2 … in the order issued (`issued` counts them). */
const issuing = (server: Signer, issued: number[]) => async (): Promise<string> => {
  const n = issued.length
  issued.push(n)
  return shortToken(server, n)
}

/**
 * A peer broadcasts every 100 ms to `topic` for `ms`; returns the numbers sent with the time each went.
 */
async function broadcastFor(world: World, topic: string, ms: number, peerOptions: Partial<RealtimeClientOptions> = {}, channelOptions: ChannelOptions = {}): Promise<Array<{ n: number; at: number }>> {
  const peer = world.makeClient(peerOptions)
  const room = peer.client.channel(topic, channelOptions)
  await room.subscribe()
  const sent: Array<{ n: number; at: number }> = []
  const end = Date.now() + ms
  for (let n = 0; Date.now() < end; n++) {
    room.broadcast('tick', { n })
    sent.push({ n, at: Date.now() })
    await sleep(100)
  }
  return sent
}

function received(events: readonly RealtimeEvent[]): Set<number> {
  return new Set(events.flatMap((event) => (isBroadcast('tick')(event) && event.type === 'broadcast' ? [(event.payload as { n: number }).n] : [])))
}

test('rotation: with accessTokenFn, 1–2 s tokens are replaced before they expire for over five expiries; nothing is lost; the server saw each', async ({ world }) => {
  // A server of its own, whose `authorize` runs on the join and on every access_token push of a private
  // channel: it records the number each token carries, so the server itself says which tokens reached it.
  const seen: number[] = []
  const server = await startDevServer({
    authorize: ({ claims }) => {
      if (typeof claims['n'] === 'number') seen.push(claims['n'])
      return claims['role'] === 'authenticated'
    },
  })
  try {
    const issued: number[] = []
    const at = { url: server.url, apikey: server.apikey }
    const { client, events } = world.makeClient({ ...at, heartbeatIntervalMs: 250, tokenRefreshMarginMs: 1500, accessTokenFn: issuing(server, issued) })
    const room = client.channel('rotating', { private: true })
    const states: string[] = []
    client.subscribe((event) => {
      if (event.type === 'channel' && event.kind === 'state_change') states.push(event.new)
    })
    await room.subscribe()
    const longLived = server.signToken({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 })
    const ticks = await broadcastFor(world, 'rotating', 6500, { ...at, accessToken: longLived }, { private: true })
    await sleep(300)
    assert.is(room.state, 'joined')
    assert.equal(states, ['joining', 'joined'], 'never left joined')
    const got = received(events.all)
    assert.ok(ticks.length > 50)
    assert.equal(ticks.filter((t) => !got.has(t.n)), [], 'every broadcast arrived')
    // Over five expiries: each token lives at most 2 s, and the run lasted 6.5 s with tokens replaced 1.5 s early.
    assert.ok(issued.length >= 6, `the function gave ${issued.length} tokens`)
    // The server saw every fresh token (in the join payload or an access_token push) in order, except
    // perhaps one asked for at the very end.
    const unseen = issued.filter((n) => !seen.includes(n))
    assert.ok(unseen.length <= 1 && (unseen.length === 0 || unseen[0] === issued.length - 1), `tokens the server never saw: ${unseen.join(', ')}`)
    assert.equal(seen, [...seen].sort((x, y) => x - y), 'in the order issued')
    assert.not.ok(errorsOf(events.all).some((e) => e.code === 'token_expired'))
  } finally {
    await server.close()
  }
})

test('expiry reported by the server: with accessTokenFn the channel rejoins with a fresh token, token_expired once per expiry', async ({ world }) => {
  const issued: number[] = []
  const { client, events } = world.makeClient({
    heartbeatIntervalMs: 250,
    // No rotation: every token runs out on the server (the margin is never reached).
    tokenRefreshMarginMs: 0,
    accessTokenFn: issuing(world.server, issued),
  })
  const room = client.channel('expiring')
  const joinedAt: Array<[number, number]> = []
  let since: number | null = null
  let rejoined: (() => void) | null = null
  client.subscribe((event) => {
    if (event.type !== 'channel' || event.kind !== 'state_change') return
    if (event.new === 'joined') {
      since = Date.now()
      rejoined?.()
    } else if (since !== null) {
      joinedAt.push([since, Date.now()])
      since = null
    }
  })
  await room.subscribe()
  const ticks = await broadcastFor(world, 'expiring', 5500)
  // Tokens keep expiring: count at a moment the channel is joined (resumed in a microtask after the
  // rejoin, before any further frame can arrive), or the last expiry's rejoin may still be pending.
  if (since === null) await within(new Promise<void>((resolve) => (rejoined = resolve)), 5000, 'the rejoin after the last expiry')
  joinedAt.push([since!, Date.now()])
  const expiries = errorsOf(events.all).filter((e) => e.code === 'token_expired')
  assert.ok(expiries.length >= 2, `${expiries.length} expiries`)
  assert.is(joinedAt.length, expiries.length + 1, 'one rejoin per expiry, no loop')
  assert.is(room.state, 'joined')
  // What was sent while joined (away from the edges, where a frame may race the close) arrived.
  const got = received(events.all)
  const whileJoined = ticks.filter((t) => joinedAt.some(([from, to]) => t.at > from + 50 && t.at < to - 150))
  assert.ok(whileJoined.length > 10)
  assert.equal(whileJoined.filter((t) => !got.has(t.n)), [], 'broadcasts sent while joined arrived')
})

test('expiry without a token function: token_expired once, and the channel stops until setAuth', async ({ world }) => {
  const { client, events } = world.makeClient({ accessToken: shortToken(world.server) })
  const room = client.channel('no-refresh')
  await room.subscribe()
  const error = await events.waitFor((e) => e.type === 'error' && e.error.code === 'token_expired', 4000)
  assert.is(error.type === 'error' && error.error.metadata['topic'], 'realtime:no-refresh')
  await sleep(1500)
  assert.is(room.state, 'errored')
  assert.is(errorsOf(events.all).filter((e) => e.code === 'token_expired').length, 1, 'reported once')
  assert.is(events.count(isChannelState('realtime:no-refresh', 'joining')), 1, 'no rejoin loop')
  client.setAuth(world.server.signToken({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 }))
  await events.waitForCount(isChannelState('realtime:no-refresh', 'joined'), 2, 3000)
})

test('private channels: allowed, denied (a final unauthorized, no rejoin loop), allowed after setAuth', async ({ world }) => {
  const server = await startDevServer({ authorize: ({ claims, subtopic }) => claims['role'] === 'authenticated' && subtopic.startsWith('team:') })
  try {
    const inTeam = world.makeClient({ url: server.url, apikey: server.apikey, accessToken: server.signToken({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 }) })
    await within(inTeam.client.channel('team:a', { private: true }).subscribe(), 5000, 'allowed')

    const anon = world.makeClient({ url: server.url, apikey: server.apikey, accessToken: server.signToken({ role: 'anon', exp: Math.floor(Date.now() / 1000) + 60 }) })
    const room = anon.client.channel('team:a', { private: true })
    const error = await rejection(room.subscribe(), 'denied')
    assert.is(error.code, 'unauthorized')
    assert.match(error.message, 'You do not have permissions to read from this Channel topic: team:a')
    await sleep(400)
    assert.is(room.state, 'errored')
    assert.is(anon.events.count(isChannelState('realtime:team:a', 'joining')), 1, 'no rejoin loop')

    anon.client.setAuth(server.signToken({ role: 'authenticated', exp: Math.floor(Date.now() / 1000) + 60 }))
    await anon.events.waitFor(isChannelState('realtime:team:a', 'joined'), 3000)
    await anon.client.close()
    await inTeam.client.close()
  } finally {
    await server.close()
  }
})

test.run()
