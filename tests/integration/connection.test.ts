/**
 * The connection actor with its real socket actor against a real `ws` server on loopback.
 * Timers are shortened through the options; the tests wait on events, never on fixed sleeps.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor } from 'xstate'
import { connectionStateOf } from '../../machines/connection/connection.machine.js'
import type { ConnectionInput, ConnectionStateName, HeartbeatStatus } from '../../machines/connection/contract.js'
import { createConnectionLogic, type ConnectionOptions } from '../../src/connection.js'
import type { RealtimeError } from '../../src/errors.js'
import { encodeUserBroadcast } from '../../src/protocol/binary.js'
import { PayloadEncoding, type PhoenixMessage } from '../../src/protocol/types.js'
import { Queue, startTestServer, type TestServer } from '../helpers/ws-server.js'

interface Ctx {
  server: TestServer
  cleanups: Array<() => void | Promise<void>>
}

const test = suite<Ctx>('connection over a loopback ws server', { server: undefined as unknown as TestServer, cleanups: [] })

test.before.each(async (ctx) => {
  ctx.server = await startTestServer()
  ctx.cleanups = []
})

test.after.each(async (ctx) => {
  for (const cleanup of ctx.cleanups.reverse()) await cleanup()
  await ctx.server.close()
})

function startClient(ctx: Ctx, options: Partial<ConnectionOptions> = {}, { deliver, ...input }: Partial<ConnectionInput> & { deliver?: (message: PhoenixMessage) => void } = {}) {
  const delivered = new Queue<PhoenixMessage>()
  const wired = createConnectionLogic(
    {
    url: ctx.server.url,
    heartbeatIntervalMs: 25,
    heartbeatTimeoutMs: 400,
    closeTimeoutMs: 100,
    reconnectDelays: () => 5,
    ...options,
    },
    { deliver: deliver ?? ((message) => delivered.push(message)) },
  )
  const logic = wired
  const states = new Queue<string>()
  const heartbeats = new Queue<{ status: HeartbeatStatus; rttMs?: number }>()
  const errors = new Queue<RealtimeError>()
  const actor = createActor(logic, { input: { vsn: '2.0.0', apikey: 'anon-key', ...input } })
  actor.on('connection', (event) => {
    if (event.kind === 'state_change') states.push(`${event.old}>${event.new}`)
    else heartbeats.push(event.rttMs === undefined ? { status: event.status } : { status: event.status, rttMs: event.rttMs })
  })
  actor.on('error', (event) => errors.push(event.error))
  actor.start()
  ctx.cleanups.push(() => void actor.stop())
  const client = {
    actor,
    delivered,
    states,
    heartbeats,
    errors,
    state: (): ConnectionStateName => connectionStateOf(actor.getSnapshot()),
    reached: (name: ConnectionStateName) => states.nextMatching((s) => s.endsWith(`>${name}`), 3000, `state ${name}`),
  }
  return client
}

/** A client push (JSON-array frame on the wire). */
const push = (n: number): PhoenixMessage => ({ joinRef: '1', ref: String(n), topic: 'realtime:room', event: 'custom', payload: { n } })
/** A server broadcast as the real server fans it out: `[null, null, topic, "broadcast", {…}]`. */
const broadcast = (n: number): PhoenixMessage => ({
  joinRef: null,
  ref: null,
  topic: 'realtime:room',
  event: 'broadcast',
  payload: { type: 'broadcast', event: 'e', payload: { n } },
})


test('connects to /socket/websocket with apikey and vsn in the query', async (ctx) => {
  const client = startClient(ctx, { logLevel: 'info' })
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  await client.reached('open')
  assert.is(conn.url.pathname, '/socket/websocket')
  assert.is(conn.url.search, '?apikey=anon-key&log_level=info&vsn=2.0.0')
  assert.is(client.state(), 'open')
  assert.equal(client.states.all, ['closed>connecting', 'connecting>open'])
})

test('heartbeat round trip: the server sees [null, ref, "phoenix", "heartbeat", {}] and the client reports ok with its RTT', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  const beat = await conn.frames.nextMatching((m) => m.topic === 'phoenix')
  assert.equal(beat, { joinRef: null, ref: beat.ref, topic: 'phoenix', event: 'heartbeat', payload: {} })
  assert.equal(await client.heartbeats.next(), { status: 'sent' })
  const ok = await client.heartbeats.next()
  assert.is(ok.status, 'ok')
  assert.type(ok.rttMs, 'number')
  assert.ok(ok.rttMs! >= 0)
})

test('vsn 1.0.0: heartbeats travel as JSON objects and are answered', async (ctx) => {
  const client = startClient(ctx, {}, { vsn: '1.0.0' })
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  assert.is(conn.url.searchParams.get('vsn'), '1.0.0')
  await client.heartbeats.nextMatching((h) => h.status === 'ok')
})

test('server closes → the client reconnects and flushes what was sent meanwhile, in order', async (ctx) => {
  const client = startClient(ctx, { reconnectDelays: () => 40 })
  client.actor.send({ type: 'connect' })
  const first = await ctx.server.connections.next()
  await client.reached('open')
  first.close(1012, 'service restart')
  await client.reached('closed')
  for (const n of [1, 2, 3]) client.actor.send({ type: 'send', message: push(n) })
  const second = await ctx.server.connections.next()
  await client.reached('open')
  const received = [await second.frames.nextMatching((m) => m.topic !== 'phoenix')]
  received.push(await second.frames.nextMatching((m) => m.topic !== 'phoenix'))
  received.push(await second.frames.nextMatching((m) => m.topic !== 'phoenix'))
  assert.equal(received, [push(1), push(2), push(3)])
  client.actor.send({ type: 'send', message: push(4) })
  assert.equal(await second.frames.nextMatching((m) => m.topic !== 'phoenix'), push(4))
})

test('server goes silent (TCP open, nothing answered) → heartbeat timeout, then a new connection', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  const first = await ctx.server.connections.next()
  await client.heartbeats.nextMatching((h) => h.status === 'ok')
  first.goSilent()
  await client.heartbeats.nextMatching((h) => h.status === 'timeout')
  await client.reached('closing')
  await client.reached('closed')
  const second = await ctx.server.connections.next()
  await client.reached('open')
  await client.heartbeats.nextMatching((h) => h.status === 'ok')
  assert.is.not(second, first)
})

test('server refuses upgrades for a while → retries on the schedule, then succeeds', async (ctx) => {
  const attempts: number[] = []
  const client = startClient(ctx, {
    reconnectDelays: (attempt) => {
      attempts.push(attempt)
      return attempt * 5
    },
  })
  ctx.server.refuseUpgrades(3, 401)
  client.actor.send({ type: 'connect' })
  await ctx.server.connections.next()
  await client.reached('open')
  assert.equal(ctx.server.upgrades.all.map((u) => u.refused), [true, true, true, false])
  assert.equal(attempts, [1, 2, 3])
  const error = await client.errors.next()
  // A 401 to the upgrade is the key or the token, not the network (issue 15): its own code, with the status.
  assert.is(error.code, 'unauthorized')
  assert.is(error.metadata['status'], 401)
  assert.match(error.message, '401')
  assert.not.match(error.message, 'anon-key')
  // An open alone does not reset the backoff (only an answered heartbeat does): a drop right after
  // the open continues the schedule instead of retrying at once.
  ;(await ctx.server.connections.all[0]!).close(1001, 'going away')
  await ctx.server.connections.next()
  assert.equal(attempts, [1, 2, 3, 4])
})

test('malformed frames → invalid_frame errors; the connection stays up and later frames still flow', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  await client.reached('open')
  conn.sendRaw('not json')
  conn.sendRaw('[1,2]')
  conn.sendRaw(Buffer.from([9, 9, 9]))
  conn.send(broadcast(1))
  assert.equal(await client.delivered.next(), broadcast(1))
  const codes = [await client.errors.next(), await client.errors.next(), await client.errors.next()].map((e) => e.code)
  assert.equal(codes, ['invalid_frame', 'invalid_frame', 'invalid_frame'])
  assert.is(client.state(), 'open')
  await client.heartbeats.nextMatching((h) => h.status === 'ok')
})

test('inbound frames other than heartbeat replies go to deliver; binary broadcasts arrive as ArrayBuffer', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  await client.reached('open')
  conn.sendRaw(Buffer.from(encodeUserBroadcast({ topic: 'realtime:room', userEvent: 'bin', metadata: '', payload: new Uint8Array([1, 2, 3]), encoding: PayloadEncoding.binary })))
  const message = await client.delivered.next()
  const payload = message.payload as { payload: unknown }
  assert.instance(payload.payload, ArrayBuffer)
  assert.equal([...new Uint8Array(payload.payload as ArrayBuffer)], [1, 2, 3])
  assert.is(client.delivered.all.filter((m) => m.topic === 'phoenix').length, 0, 'heartbeat replies are not delivered')
})

test('a throwing deliver is reported as listener_error and does not break the socket', async (ctx) => {
  const client = startClient(ctx, {}, {
    deliver: () => {
      throw new Error('user bug')
    },
  })
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  await client.reached('open')
  conn.send(broadcast(1))
  const error = await client.errors.next()
  assert.is(error.code, 'listener_error')
  await client.heartbeats.nextMatching((h) => h.status === 'ok')
})

test('the token function is called before every upgrade', async (ctx) => {
  const log: string[] = []
  let n = 0
  ctx.server.onUpgrade = () => log.push('upgrade')
  const client = startClient(ctx, {
    accessTokenFn: async () => {
      log.push('token')
      return `token-${++n}`
    },
  })
  client.actor.send({ type: 'connect' })
  const first = await ctx.server.connections.next()
  await client.reached('open')
  first.close(1000)
  await ctx.server.connections.next()
  await client.reached('open')
  assert.equal(log, ['token', 'upgrade', 'token', 'upgrade'])
  assert.is(client.actor.getSnapshot().context.token, 'token-2')
})

test('disconnect closes with the given code and never reconnects', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  const conn = await ctx.server.connections.next()
  await client.reached('open')
  client.actor.send({ type: 'disconnect', code: 1000, reason: 'bye' })
  assert.equal(await conn.closed, { code: 1000, reason: 'bye' })
  await client.reached('closed')
  client.actor.send({ type: 'online' })
  client.actor.send({ type: 'send', message: push(1) })
  // Idle `closed`, not the reconnect wait: only an explicit `connect` leaves it (no timer is pending).
  assert.ok(client.actor.getSnapshot().matches('closed'))
  assert.is(ctx.server.upgrades.all.length, 1)
})

test('encode errors become error events, the socket stays open', async (ctx) => {
  const client = startClient(ctx)
  client.actor.send({ type: 'connect' })
  await ctx.server.connections.next()
  await client.reached('open')
  client.actor.send({ type: 'send', message: { ...broadcast(1), joinRef: '1', ref: '2', topic: 'x'.repeat(300) } })
  const error = await client.errors.next()
  assert.is(error.code, 'name_too_long')
  assert.is(client.state(), 'open')
})

test('a transport that throws on construction is reported and retried with backoff', async (ctx) => {
  let constructed = 0
  class Broken {
    constructor() {
      constructed++
      throw new Error('no sockets here')
    }
  }
  const client = startClient(ctx, { transport: Broken as unknown as ConnectionOptions['transport'] })
  client.actor.send({ type: 'connect' })
  const error = await client.errors.next()
  assert.is(error.code, 'transport_error')
  assert.match(error.message, 'no sockets here')
  await client.errors.next()
  assert.ok(constructed >= 2)
  client.actor.send({ type: 'disconnect' })
  assert.is(client.state(), 'closed')
})

test.run()
