/**
 * Issue 3 proof: the official client, @supabase/realtime-js 2.119.1, unchanged, against the dev
 * server. Node 20 has no global WebSocket, so `ws` is passed as the transport.
 */
import { RealtimeClient, type RealtimeChannel } from '@supabase/realtime-js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import WebSocket from 'ws'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { disconnect } from '../helpers/realtime-js.js'

const interop = suite('dev-server with realtime-js')
const nowS = (): number => Math.floor(Date.now() / 1000)

interface Ctx {
  server: DevServer
  clients: RealtimeClient[]
}

function client(ctx: Ctx, options: { vsn?: '1.0.0' | '2.0.0'; apikey?: string } = {}): RealtimeClient {
  const c = new RealtimeClient(`${ctx.server.url.replace(/^http/, 'ws')}/realtime/v1`, {
    params: { apikey: options.apikey ?? ctx.server.apikey },
    transport: WebSocket as never,
    timeout: 3000,
    ...(options.vsn ? { vsn: options.vsn } : {}),
  })
  ctx.clients.push(c)
  return c
}

async function run(body: (ctx: Ctx) => Promise<void>): Promise<void> {
  const ctx: Ctx = { server: await startDevServer(), clients: [] }
  try {
    await body(ctx)
  } finally {
    for (const c of ctx.clients) await disconnect(c)
    await ctx.server.close()
  }
}


/** Resolves on SUBSCRIBED, rejects on anything else (with the status and error). */
function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) => {
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else reject(new Error(`${status}: ${error?.message ?? ''}`))
    })
  })
}

/** The first value `register` delivers, or a rejection after `ms`. */
function first<T>(register: (deliver: (value: T) => void) => void, ms = 3000, what = 'event'): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms)
    register((value) => {
      clearTimeout(timer)
      resolve(value)
    })
  })
}

interop('connects, joins, and broadcasts with self and ack to itself and another client', () =>
  run(async (ctx) => {
    const a = client(ctx).channel('room1', { config: { broadcast: { self: true, ack: true } } })
    const b = client(ctx).channel('room1')
    const atA = first<unknown>((d) => a.on('broadcast', { event: 'hello' }, d), 3000, 'self broadcast')
    const atB = first<unknown>((d) => b.on('broadcast', { event: 'hello' }, d), 3000, 'broadcast at b')
    await Promise.all([subscribed(a), subscribed(b)])
    assert.is(await a.send({ type: 'broadcast', event: 'hello', payload: { n: 1 } }), 'ok')
    assert.equal(await atA, { type: 'broadcast', event: 'hello', payload: { n: 1 } })
    assert.equal(await atB, { type: 'broadcast', event: 'hello', payload: { n: 1 } })
  }))

interop('an ack that never comes makes send() time out (swallowAcks)', () =>
  run(async (ctx) => {
    const a = client(ctx).channel('room1', { config: { broadcast: { ack: true } } })
    await subscribed(a)
    ctx.server.faults.swallowAcks()
    assert.is(await a.send({ type: 'broadcast', event: 'e', payload: {} }, { timeout: 200 }), 'timed out')
  }))

interop('binary broadcast arrives as an ArrayBuffer; a vsn 1.0.0 client gets the JSON ones', () =>
  run(async (ctx) => {
    const sender = client(ctx).channel('bin')
    const v2 = client(ctx).channel('bin')
    const v1 = client(ctx, { vsn: '1.0.0' }).channel('bin')
    const bytes = first<{ payload: ArrayBuffer }>((d) => v2.on('broadcast', { event: 'bytes' }, d as never), 3000, 'binary broadcast')
    const json = first<unknown>((d) => v1.on('broadcast', { event: 'json' }, d), 3000, 'json broadcast at v1')
    await Promise.all([subscribed(sender), subscribed(v2), subscribed(v1)])
    await sender.send({ type: 'broadcast', event: 'bytes', payload: new Uint8Array([7, 8, 9]).buffer })
    await sender.send({ type: 'broadcast', event: 'json', payload: { ok: true } })
    const received = await bytes
    assert.instance(received.payload, ArrayBuffer)
    assert.equal([...new Uint8Array(received.payload)], [7, 8, 9])
    assert.equal(await json, { event: 'json', payload: { ok: true }, type: 'broadcast' })
  }))

interop('presence: join, sync and leave between two clients', () =>
  run(async (ctx) => {
    const alice = client(ctx).channel('lobby', { config: { presence: { key: 'alice' } } })
    const bobClient = client(ctx)
    const bob = bobClient.channel('lobby', { config: { presence: { key: 'bob' } } })
    const joins: string[] = []
    alice.on('presence', { event: 'join' }, ({ key }) => joins.push(key))
    const bobSeen = first<void>((d) =>
      alice.on('presence', { event: 'sync' }, () => {
        if (alice.presenceState()['bob']) d()
      }),
    )
    const bobLeft = first<{ key: string }>((d) => alice.on('presence', { event: 'leave' }, d as never), 3000, 'leave')
    bob.on('presence', { event: 'sync' }, () => {})
    await Promise.all([subscribed(alice), subscribed(bob)])
    assert.is(await alice.track({ name: 'Alice' }), 'ok')
    assert.is(await bob.track({ name: 'Bob' }), 'ok')
    await bobSeen
    const state = alice.presenceState() as Record<string, { name: string; presence_ref: string }[]>
    assert.is(state['bob']![0]!.name, 'Bob')
    assert.type(state['bob']![0]!.presence_ref, 'string')
    assert.ok(joins.includes('bob') && joins.includes('alice'))
    await bobClient.removeChannel(bob)
    assert.is((await bobLeft).key, 'bob')
    assert.equal(Object.keys(alice.presenceState()), ['alice'])
  }))

interop('token expiry closes the channel with the system message; a refresh keeps it joined', () =>
  run(async (ctx) => {
    // Two seconds of validity: on a loaded machine a one-second token could expire before the join.
    const exp = nowS() + 2
    const expiring = client(ctx)
    expiring.setAuth(ctx.server.signToken({ role: 'authenticated', exp }))
    const doomed = expiring.channel('expiry')
    const system = first<{ message: string; status: string }>((d) => doomed.on('system', {}, d as never), 6000, 'system message')
    const closed = first<string>((d) => doomed.subscribe((status) => status !== 'SUBSCRIBED' && d(status)), 6000, 'close')
    // Awaited below; a failure before that must fail this test, not crash the run as an unhandled rejection.
    system.catch(() => {})
    closed.catch(() => {})

    const refreshed = client(ctx)
    await refreshed.setAuth(ctx.server.signToken({ role: 'authenticated', exp }))
    const kept = refreshed.channel('expiry', { config: { broadcast: { self: true, ack: true } } })
    await subscribed(kept)
    await refreshed.setAuth(ctx.server.signToken({ role: 'authenticated', exp: nowS() + 600 }))

    const message = await system
    assert.is(message.status, 'error')
    assert.match(message.message, /^Token has expired \d+ seconds ago$/)
    assert.is(await closed, 'CLOSED')
    // By now the first token has expired for both; the refreshed channel still works.
    assert.is(await kept.send({ type: 'broadcast', event: 'still', payload: {} }), 'ok')
    assert.is(kept.state, 'joined')
  }))

interop('a private channel the role may not read fails with the Unauthorized reason', () =>
  run(async (ctx) => {
    const channel = client(ctx).channel('vault', { config: { private: true } })
    const error = await first<Error | undefined>((d) => channel.subscribe((status, err) => status === 'CHANNEL_ERROR' && d(err)))
    assert.is(error?.message, 'Unauthorized: You do not have permissions to read from this Channel topic: vault')
    const authed = client(ctx, { apikey: ctx.server.signToken({ role: 'authenticated' }) }).channel('vault', { config: { private: true } })
    await subscribed(authed)
  }))

interop('REST broadcasts (httpSend and the send() fallback) reach a subscribed client', () =>
  run(async (ctx) => {
    const listener = client(ctx).channel('news')
    const viaHttpSend = first<unknown>((d) => listener.on('broadcast', { event: 'single' }, d))
    const viaFallback = first<unknown>((d) => listener.on('broadcast', { event: 'batch' }, d))
    await subscribed(listener)
    const sender = client(ctx).channel('news')
    assert.equal(await sender.httpSend('single', { a: 1 }), { success: true })
    assert.equal(await viaHttpSend, { type: 'broadcast', event: 'single', payload: { a: 1 } })
    const warn = console.warn
    console.warn = () => {}
    try {
      assert.is(await sender.send({ type: 'broadcast', event: 'batch', payload: { b: 2 } }), 'ok')
    } finally {
      console.warn = warn
    }
    assert.equal(await viaFallback, { type: 'broadcast', event: 'batch', payload: { b: 2 } })
  }))

interop('a channel error fault reaches realtime-js as CHANNEL_ERROR and it rejoins', () =>
  run(async (ctx) => {
    const channel = client(ctx).channel('flaky')
    const statuses: string[] = []
    const rejoined = first<void>((d) =>
      channel.subscribe((status) => {
        statuses.push(status)
        if (status === 'SUBSCRIBED' && statuses.length > 1) d()
        if (status === 'SUBSCRIBED' && statuses.length === 1) ctx.server.faults.errorChannel('flaky')
      }),
    )
    await rejoined
    assert.equal(statuses, ['SUBSCRIBED', 'CHANNEL_ERROR', 'SUBSCRIBED'])
  }))

interop.run()
