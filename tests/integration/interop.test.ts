/**
 * Interop in one room with @supabase/realtime-js 2.119.1 (Node 20: `transport` is `ws`): our
 * broadcasts reach realtime-js and theirs reach us, under vsn 1.0.0 and 2.0.0, JSON and binary.
 */
import {
  RealtimeClient as SupabaseRealtimeClient,
  type RealtimeChannel as SupabaseChannel,
  type WebSocketLikeConstructor,
} from '@supabase/realtime-js'
import * as assert from 'uvu/assert'
import WebSocket from 'ws'
import type { BroadcastMessage, Vsn } from '../../src/index.js'
import { EventLog, interopSuite, type InteropContext } from './client-harness.js'

const test = interopSuite('interop with @supabase/realtime-js')

async function theirClient(ctx: InteropContext, vsn: Vsn, topic: string): Promise<{ channel: SupabaseChannel; received: EventLog<{ event: string; payload: unknown }> }> {
  const endpoint = ctx.world.server.url.replace(/^http/, 'ws') + '/realtime/v1'
  const client = new SupabaseRealtimeClient(endpoint, {
    params: { apikey: ctx.world.server.apikey },
    // `ws` is WebSocket-compatible; its declared types differ from the DOM ones realtime-js names.
    transport: WebSocket as unknown as WebSocketLikeConstructor,
    vsn,
    timeout: 3000,
  })
  ctx.theirs.push(client)
  const channel = client.channel(topic, { config: { broadcast: { self: false, ack: true } } })
  const received = new EventLog<{ event: string; payload: unknown }>()
  channel.on('broadcast', { event: '*' }, (message: { event: string; payload: unknown }) => received.push({ event: message.event, payload: message.payload }))
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status: string, error?: Error) => {
      if (status === 'SUBSCRIBED') resolve()
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status))
    })
  })
  return { channel, received }
}

for (const vsn of ['1.0.0', '2.0.0'] as const) {
  test(`vsn ${vsn}: JSON broadcasts both ways`, async (ctx) => {
    const ours = ctx.world.makeClient({ vsn })
    const room = ours.client.channel('interop')
    const got = new EventLog<BroadcastMessage>()
    room.on('broadcast', { event: '*' }, (m) => got.push(m))
    await room.subscribe()
    const theirs = await theirClient(ctx, vsn, 'interop')

    room.broadcast('from-ours', { text: 'héllo', n: 1 })
    const atTheirs = await theirs.received.waitFor((m) => m.event === 'from-ours', 3000, 'our broadcast at realtime-js')
    assert.equal(atTheirs.payload, { text: 'héllo', n: 1 })

    const status = await theirs.channel.send({ type: 'broadcast', event: 'from-theirs', payload: { list: [1, 2] } })
    assert.is(status, 'ok')
    const atOurs = await got.waitFor((m) => m.event === 'from-theirs', 3000, 'their broadcast at ours')
    assert.equal(atOurs.payload, { list: [1, 2] })
  })
}

test('vsn 2.0.0: binary broadcasts both ways', async (ctx) => {
  const ours = ctx.world.makeClient({ vsn: '2.0.0' })
  const room = ours.client.channel('interop-bin')
  const got = new EventLog<BroadcastMessage>()
  room.on('broadcast', { event: '*' }, (m) => got.push(m))
  await room.subscribe()
  const theirs = await theirClient(ctx, '2.0.0', 'interop-bin')

  room.broadcast('bytes-from-ours', new Uint8Array([1, 2, 3, 250]))
  const atTheirs = await theirs.received.waitFor((m) => m.event === 'bytes-from-ours', 3000, 'our bytes at realtime-js')
  assert.instance(atTheirs.payload, ArrayBuffer)
  assert.equal([...new Uint8Array(atTheirs.payload as ArrayBuffer)], [1, 2, 3, 250])

  const bytes = new Uint8Array([7, 0, 7]).buffer
  await theirs.channel.send({ type: 'broadcast', event: 'bytes-from-theirs', payload: bytes })
  const atOurs = await got.waitFor((m) => m.event === 'bytes-from-theirs', 3000, 'their bytes at ours')
  assert.instance(atOurs.payload, ArrayBuffer)
  assert.equal([...new Uint8Array(atOurs.payload as ArrayBuffer)], [7, 0, 7])
})

test('mixed: our vsn 2.0.0 client and their vsn 1.0.0 client share JSON broadcasts', async (ctx) => {
  const ours = ctx.world.makeClient({ vsn: '2.0.0' })
  const room = ours.client.channel('interop-mixed')
  const got = new EventLog<BroadcastMessage>()
  room.on('broadcast', { event: '*' }, (m) => got.push(m))
  await room.subscribe()
  const theirs = await theirClient(ctx, '1.0.0', 'interop-mixed')
  room.broadcast('to-v1', { a: 1 })
  assert.equal((await theirs.received.waitFor((m) => m.event === 'to-v1')).payload, { a: 1 })
  await theirs.channel.send({ type: 'broadcast', event: 'from-v1', payload: { b: 2 } })
  assert.equal((await got.waitFor((m) => m.event === 'from-v1')).payload, { b: 2 })
})

test.run()
