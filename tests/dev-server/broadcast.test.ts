/** Issue 3: broadcast fan-out (§5.1–5.3) with self/ack, JSON and binary, vsn 1.0.0 and 2.0.0 in one room. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeUserBroadcastPush } from '../../src/protocol/index.js'
import type { RawClient } from '../helpers/raw-client.js'
import { ok, withHarness } from './harness.js'

const broadcast = suite('dev-server broadcast')
const TOPIC = 'realtime:room1'
const encoder = new TextEncoder()

function kind3(joinRef: string, ref: string, userEvent: string, payload: Uint8Array, encoding: 0 | 1, metadata = ''): Uint8Array {
  return encodeUserBroadcastPush({ joinRef, ref, topic: TOPIC, userEvent, metadata, payload, encoding })
}

const isBroadcast = (f: { message: { event: string } }): boolean => f.message.event === 'broadcast'

broadcast('JSON-array push: others get a text broadcast, the sender not (self false), no ack', () =>
  withHarness({}, async (h) => {
    const sender = await h.connect()
    const receiver = await h.connect()
    const { joinRef } = await sender.join(TOPIC)
    await receiver.join(TOPIC)
    sender.sendRaw(JSON.stringify([joinRef, '7', TOPIC, 'broadcast', { type: 'broadcast', event: 'cursor', payload: { x: 1 } }]))
    const got = await receiver.next(isBroadcast)
    assert.is(got.binary, false)
    assert.equal(JSON.parse(got.raw as string), [null, null, TOPIC, 'broadcast', { type: 'broadcast', event: 'cursor', payload: { x: 1 } }])
    await sender.barrier()
    assert.is(sender.queued().length, 0, 'neither its own broadcast nor an ack')
  }))

broadcast('self and ack: the sender receives its own broadcast and an ok reply with the push ref', () =>
  withHarness({}, async (h) => {
    const sender = await h.connect()
    const { joinRef } = await sender.join(TOPIC, { broadcast: { self: true, ack: 'true' } })
    sender.sendRaw(kind3(joinRef, '8', 'cursor', encoder.encode('{"x":2}'), 1))
    const own = await sender.next(isBroadcast)
    assert.equal(own.message.payload, { type: 'broadcast', event: 'cursor', payload: { x: 2 } })
    const ack = await sender.next((f) => f.message.ref === '8')
    assert.equal(ack.message, { joinRef, ref: '8', topic: TOPIC, event: 'phx_reply', payload: ok })
  }))

broadcast('kind-3 JSON push: vsn 2.0.0 gets kind 4 (no metadata), vsn 1.0.0 gets a JSON broadcast', () =>
  withHarness({}, async (h) => {
    const sender = await h.connect()
    const v2 = await h.connect()
    const v1 = await h.connect({ vsn: '1.0.0' })
    const { joinRef } = await sender.join(TOPIC)
    await v2.join(TOPIC)
    await v1.join(TOPIC)
    sender.sendRaw(kind3(joinRef, '9', 'cursor-pos', encoder.encode('{"x":10,"y":20}'), 1, '{"persist":true}'))
    const binary = await v2.next(isBroadcast)
    assert.is(binary.binary, true)
    assert.is(Buffer.from(binary.raw as Uint8Array).toString('hex'), '040e0a00017265616c74696d653a726f6f6d31637572736f722d706f737b2278223a31302c2279223a32307d')
    const text = await v1.next(isBroadcast)
    assert.is(text.raw, '{"event":"broadcast","payload":{"event":"cursor-pos","payload":{"x":10,"y":20},"type":"broadcast"},"ref":null,"topic":"realtime:room1"}')
  }))

broadcast('kind-3 raw binary push: vsn 2.0.0 gets kind 4 encoding 0, vsn 1.0.0 gets nothing', () =>
  withHarness({}, async (h) => {
    const sender = await h.connect()
    const v2 = await h.connect()
    const v1 = await h.connect({ vsn: '1.0.0' })
    const { joinRef } = await sender.join(TOPIC)
    await v2.join(TOPIC)
    await v1.join(TOPIC)
    sender.sendRaw(kind3(joinRef, '9', 'frame', new Uint8Array([0xde, 0xad, 0xbe, 0xef]), 0))
    const binary = await v2.next(isBroadcast)
    const bytes = binary.raw as Uint8Array
    assert.is(bytes[0], 4)
    assert.is(bytes[4], 0, 'payload_encoding 0')
    assert.is(Buffer.from(bytes.subarray(-4)).toString('hex'), 'deadbeef')
    await v1.barrier()
    assert.is(v1.queued(isBroadcast).length, 0)
  }))

broadcast('a vsn 1.0.0 sender reaches vsn 2.0.0 receivers as a text broadcast', () =>
  withHarness({}, async (h) => {
    const v1 = await h.connect({ vsn: '1.0.0' })
    const v2 = await h.connect()
    const { joinRef } = await v1.join(TOPIC, { broadcast: { ack: true } })
    await v2.join(TOPIC)
    v1.sendRaw(JSON.stringify({ topic: TOPIC, event: 'broadcast', payload: { type: 'broadcast', event: 'hi', payload: { n: 1 } }, ref: '3', join_ref: joinRef }))
    const ack = await v1.next((f) => f.message.ref === '3')
    assert.is(ack.raw, '{"event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"3","topic":"realtime:room1"}')
    const got = await v2.next(isBroadcast)
    assert.equal(got.message.payload, { type: 'broadcast', event: 'hi', payload: { n: 1 } })
  }))

broadcast('a payload over maxPayloadBytes gets payload_size_exceeded and is not fanned out', () =>
  withHarness({ maxPayloadBytes: 100 }, async (h) => {
    const sender = await h.connect()
    const receiver = await h.connect()
    const { joinRef } = await sender.join(TOPIC, { broadcast: { ack: true } })
    await receiver.join(TOPIC)
    sender.sendRaw(kind3(joinRef, '4', 'big', encoder.encode(JSON.stringify({ s: 'x'.repeat(200) })), 1))
    const reply = await sender.next((f) => f.message.ref === '4')
    assert.equal(reply.message.payload, { response: 'payload_size_exceeded', status: 'error' })
    await receiver.barrier()
    assert.is(receiver.queued(isBroadcast).length, 0)
  }))

broadcast('many messages between two sockets arrive complete and in order', () =>
  withHarness({}, async (h) => {
    const a = await h.connect()
    const b: RawClient = await h.connect({ vsn: '1.0.0' })
    const { joinRef } = await a.join(TOPIC)
    await b.join(TOPIC)
    for (let i = 0; i < 200; i += 1) a.sendRaw(kind3(joinRef, String(i), 'n', encoder.encode(JSON.stringify({ i })), 1))
    for (let i = 0; i < 200; i += 1) {
      const got = await b.next(isBroadcast)
      assert.is((got.message.payload as { payload: { i: number } }).payload.i, i)
    }
  }))

broadcast.run()
