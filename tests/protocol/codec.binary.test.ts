/**
 * Binary frames (protocol.md §1.3): UTF-8 names and their 255-byte limit, binary payload inputs and
 * outputs, and the layout against the reference serializers of realtime-js and phoenix.
 */
import { createRequire } from 'node:module'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import RealtimeJsSerializer from '@supabase/realtime-js/dist/main/lib/serializer.js'
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerBroadcast,
  encodeServerFrame,
  encodeServerPush,
  encodeServerReply,
  encodeUserBroadcast,
  encodeUserBroadcastPush,
  type BroadcastPayload,
  type PhoenixMessage,
  type ReplyPayload,
} from '../../src/protocol/index.js'
import { expectOk, expectThrowsCode, hexToBytes, toHex, utf8Length } from './codec-support.js'

const enc = new TextEncoder()

// ---------------------------------------------------------------------------------------------
// Names: UTF-8 byte lengths, at most 255 bytes

const EURO_255 = '€'.repeat(85) // 3 bytes each: 255 bytes, 85 UTF-16 units
const EMOJI_255 = '😀'.repeat(63) + 'abc' // 4 bytes each: 255 bytes, 129 UTF-16 units
const EURO_256 = '€'.repeat(85) + 'a' // 256 bytes, 86 units
const EMOJI_256 = 'é' + '😀'.repeat(63) + 'ab' // 2 + 252 + 2 = 256 bytes, 130 units

test('the name fixtures have the byte lengths the tests rely on', () => {
  assert.is(utf8Length(EURO_255), 255)
  assert.ok(EURO_255.length < 255)
  assert.is(utf8Length(EMOJI_255), 255)
  assert.is(utf8Length(EURO_256), 256)
  assert.ok(EURO_256.length < 255)
  assert.is(utf8Length(EMOJI_256), 256)
  assert.ok(EMOJI_256.length < 255)
})

const at255 = [EURO_255, EMOJI_255]
const over255 = [EURO_256, EMOJI_256, 'a'.repeat(256), '中'.repeat(86)]

test('kind 3: every name of exactly 255 UTF-8 bytes round-trips', () => {
  for (const name of at255) {
    const message: PhoenixMessage = { joinRef: name, ref: name, topic: name, event: 'broadcast', payload: { type: 'broadcast', event: name, payload: { name } } }
    const frame = encodeClientFrame(message, '2.0.0') as Uint8Array
    assert.equal([...frame.subarray(1, 5)], [255, 255, 255, 255])
    const got = expectOk(decodeClientFrame(frame, '2.0.0'))
    assert.equal(
      { joinRef: got.joinRef, ref: got.ref, topic: got.topic, event: got.event, payload: got.payload },
      { ...message, payload: { type: 'broadcast', event: name, payload: { name } } },
    )
  }
})

test('kind 3: a name of 256 UTF-8 bytes throws name_too_long naming the field, even when its length is < 255', () => {
  for (const name of over255) {
    const base = { joinRef: '1', ref: '2', topic: 't', event: 'broadcast' }
    const body = { type: 'broadcast', event: 'e', payload: {} }
    const cases: Array<[string, PhoenixMessage]> = [
      ['join_ref', { ...base, joinRef: name, payload: body }],
      ['ref', { ...base, ref: name, payload: body }],
      ['topic', { ...base, topic: name, payload: body }],
      ['user_event', { ...base, payload: { ...body, event: name } }],
    ]
    for (const [field, message] of cases) {
      const error = expectThrowsCode(() => encodeClientFrame(message, '2.0.0'), 'name_too_long', `${field} of ${utf8Length(name)} bytes`)
      assert.is(error.metadata['field'], field)
      assert.is(error.metadata['bytes'], utf8Length(name))
      assert.match(error.message, `${utf8Length(name)}`)
    }
  }
})

test('kind 3: metadata is limited to 255 bytes too', () => {
  const persistAt255 = { note: 'x'.repeat(255 - '{"persist":{"note":""}}'.length) }
  const ok = encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', persist: persistAt255 } }, '2.0.0') as Uint8Array
  assert.is(ok[5], 255)
  const got = expectOk(decodeClientFrame(ok, '2.0.0'))
  assert.equal((got.payload as BroadcastPayload).meta, { persist: persistAt255 })
  const error = expectThrowsCode(
    () => encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', persist: { note: persistAt255.note + 'é' } } }, '2.0.0'),
    'name_too_long',
    'metadata',
  )
  assert.is(error.metadata['field'], 'metadata')
})

test('kinds 0, 1, 2, 4 (server encoders) and kind 0 (client): 255 bytes work, 256 bytes throw name_too_long', () => {
  const payload = new Uint8Array([1, 2, 3])
  for (const name of at255) {
    const p0 = expectOk(decodeServerFrame(encodeServerPush({ joinRef: name, ref: null, topic: name, event: name, payload }), '2.0.0'))
    assert.equal([p0.joinRef, p0.topic, p0.event], [name, name, name])
    const p1 = expectOk(decodeServerFrame(encodeServerReply({ joinRef: name, ref: name, topic: name, status: name, response: payload }), '2.0.0'))
    assert.equal([p1.joinRef, p1.ref, p1.topic, (p1.payload as ReplyPayload).status], [name, name, name, name])
    const p2 = expectOk(decodeServerFrame(encodeServerBroadcast({ topic: name, event: name, payload }), '2.0.0'))
    assert.equal([p2.topic, p2.event], [name, name])
    const p4 = expectOk(decodeServerFrame(encodeUserBroadcast({ topic: name, userEvent: name, metadata: '', encoding: 0, payload }), '2.0.0'))
    assert.equal([p4.topic, (p4.payload as BroadcastPayload).event], [name, name])
    const c0 = expectOk(decodeClientFrame(encodeClientFrame({ joinRef: name, ref: name, topic: name, event: name, payload }, '2.0.0'), '2.0.0'))
    assert.equal([c0.joinRef, c0.ref, c0.topic, c0.event], [name, name, name, name])
  }
  for (const name of over255) {
    expectThrowsCode(() => encodeServerPush({ joinRef: null, ref: null, topic: name, event: 'e', payload }), 'name_too_long', 'kind 0 topic')
    expectThrowsCode(() => encodeServerPush({ joinRef: name, ref: null, topic: 't', event: 'e', payload }), 'name_too_long', 'kind 0 join_ref')
    expectThrowsCode(() => encodeServerFrame({ joinRef: null, ref: null, topic: 't', event: name, payload }, '2.0.0'), 'name_too_long', 'kind 0 event')
    expectThrowsCode(() => encodeServerReply({ joinRef: null, ref: name, topic: 't', status: 'ok', response: payload }), 'name_too_long', 'kind 1 ref')
    const status = expectThrowsCode(
      () => encodeServerFrame({ joinRef: null, ref: '1', topic: 't', event: 'phx_reply', payload: { status: name, response: payload } }, '2.0.0'),
      'name_too_long',
      'kind 1 status',
    )
    assert.is(status.metadata['field'], 'status')
    expectThrowsCode(() => encodeServerBroadcast({ topic: name, event: 'e', payload }), 'name_too_long', 'kind 2 topic')
    expectThrowsCode(() => encodeServerBroadcast({ topic: 't', event: name, payload }), 'name_too_long', 'kind 2 event')
    expectThrowsCode(() => encodeUserBroadcast({ topic: name, userEvent: 'e', metadata: '', encoding: 1, payload }), 'name_too_long', 'kind 4 topic')
    expectThrowsCode(() => encodeUserBroadcast({ topic: 't', userEvent: name, metadata: '', encoding: 1, payload }), 'name_too_long', 'kind 4 user_event')
    expectThrowsCode(() => encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: name, encoding: 1, payload }), 'name_too_long', 'kind 4 metadata')
    expectThrowsCode(() => encodeUserBroadcastPush({ joinRef: null, ref: null, topic: name, userEvent: 'e', metadata: '', encoding: 1, payload }), 'name_too_long', 'kind 3 topic')
    expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: name, topic: 't', event: 'e', payload }, '2.0.0'), 'name_too_long', 'client kind 0 ref')
  }
})

test('text frames carry names longer than 255 bytes (the limit is a binary one)', () => {
  const long = '€'.repeat(200)
  const message: PhoenixMessage = { joinRef: long, ref: long, topic: long, event: long, payload: { long } }
  for (const vsn of ['1.0.0', '2.0.0'] as const) {
    assert.equal(expectOk(decodeClientFrame(encodeClientFrame(message, vsn), vsn)), message)
  }
})

test('a name with a lone surrogate is refused instead of being silently replaced by U+FFFD', () => {
  for (const bad of ['room\uD800', '\uDC00x', 'a\uDBFFb', 'a\uD83D\uDE00\uDE00', '\uD800\uD800\uDC00']) {
    expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: bad, event: 'broadcast', payload: { type: 'broadcast', event: 'e' } }, '2.0.0'), 'invalid_argument', `topic ${JSON.stringify(bad)}`)
    expectThrowsCode(() => encodeUserBroadcast({ topic: 't', userEvent: bad, metadata: '', encoding: 1, payload: enc.encode('{}') }), 'invalid_argument', 'user_event')
  }
  // A well-formed pair is fine.
  const pair = '\uD83D\uDE00'
  const frame = encodeUserBroadcast({ topic: pair, userEvent: pair, metadata: '', encoding: 1, payload: enc.encode('1') })
  assert.is(expectOk(decodeServerFrame(frame, '2.0.0')).topic, pair)
})

test('a name that starts with U+FEFF (byte order mark) keeps it', () => {
  const name = '\uFEFFroom'
  const frame = encodeUserBroadcast({ topic: name, userEvent: name, metadata: '', encoding: 1, payload: enc.encode('{}') })
  const message = expectOk(decodeServerFrame(frame, '2.0.0'))
  assert.is(message.topic, name)
  assert.is((message.payload as BroadcastPayload).event, name)
  const push = expectOk(decodeClientFrame(encodeClientFrame({ joinRef: name, ref: name, topic: name, event: name, payload: new Uint8Array(0) }, '2.0.0'), '2.0.0'))
  assert.equal([push.joinRef, push.ref, push.topic, push.event], [name, name, name, name])
})

// ---------------------------------------------------------------------------------------------
// Binary payloads

/** A kind-4 frame inside a bigger buffer, as Node's ws hands out pooled Buffers. */
function embedded(frame: Uint8Array, before = 7, after = 5): Uint8Array {
  const big = new Uint8Array(before + frame.length + after).fill(0xaa)
  big.set(frame, before)
  return big.subarray(before, before + frame.length)
}

test('kind 4 raw payload arrives as an ArrayBuffer of exactly the payload bytes, copied out of the frame', () => {
  const payload = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x00, 0xff])
  const frame = encodeUserBroadcast({ topic: 'realtime:room1', userEvent: 'frame', metadata: '{"id":"x"}', encoding: 0, payload })
  for (const input of [frame, frame.slice().buffer, embedded(frame), new DataView(embedded(frame).buffer, 7, frame.length), Buffer.from(frame)]) {
    const message = expectOk(decodeServerFrame(input, '2.0.0'))
    const body = message.payload as BroadcastPayload
    assert.instance(body.payload, ArrayBuffer)
    const buffer = body.payload as ArrayBuffer
    assert.is(buffer.byteLength, payload.length, 'not the whole frame')
    assert.is(toHex(buffer), 'deadbeef00ff')
    assert.equal(body.meta, { id: 'x' })
    assert.equal(Object.keys(body), ['type', 'event', 'payload', 'meta'])
  }
  // The ArrayBuffer is the receiver's to keep: later writes to the frame do not show through.
  const input = frame.slice()
  const body = expectOk(decodeServerFrame(input, '2.0.0')).payload as BroadcastPayload
  input.fill(0)
  assert.is(toHex(body.payload as ArrayBuffer), 'deadbeef00ff')
})

test('kind 4 empty raw payload is an empty ArrayBuffer; JSON encoding arrives parsed; no meta key without metadata', () => {
  const empty = expectOk(decodeServerFrame(encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: '', encoding: 0, payload: new Uint8Array(0) }), '2.0.0'))
  const emptyBody = empty.payload as BroadcastPayload
  assert.instance(emptyBody.payload, ArrayBuffer)
  assert.is((emptyBody.payload as ArrayBuffer).byteLength, 0)
  assert.not.ok('meta' in emptyBody)

  const json = { x: 1, s: 'é😀', list: [1, null, { deep: true }] }
  const frame = encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: '', encoding: 1, payload: enc.encode(JSON.stringify(json)) })
  for (const input of [frame, embedded(frame)]) {
    const message = expectOk(decodeServerFrame(input, '2.0.0'))
    assert.equal(message, { joinRef: null, ref: null, topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: json } })
  }
})

test('kind 3: ArrayBuffer, Uint8Array subarray (byteOffset > 0), DataView and other typed arrays encode exactly their bytes', () => {
  const backing = new Uint8Array([9, 9, 9, 1, 2, 3, 4, 9, 9])
  const inputs: Array<[string, ArrayBuffer | ArrayBufferView]> = [
    ['ArrayBuffer', new Uint8Array([1, 2, 3, 4]).buffer],
    ['Uint8Array subarray', backing.subarray(3, 7)],
    ['DataView', new DataView(backing.buffer, 3, 4)],
    ['Buffer', Buffer.from([1, 2, 3, 4])],
    ['Uint16Array', new Uint16Array(new Uint8Array([1, 2, 3, 4]).buffer)],
  ]
  for (const [name, payload] of inputs) {
    const frame = encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload } }, '2.0.0') as Uint8Array
    assert.is(frame[6], 0, `${name}: encoding byte = raw`)
    assert.is(toHex(frame.subarray(frame.length - 4)), '01020304', name)
    assert.is(frame.length, 7 + 1 + 1 + 1 + 1 + 4, name)
    const decoded = expectOk(decodeClientFrame(frame, '2.0.0'))
    assert.is(toHex((decoded.payload as BroadcastPayload).payload as ArrayBuffer), '01020304', name)
    assert.ok('raw' in decoded && toHex(decoded.raw.payload) === '01020304', name)
  }
})

test('kinds 0 and 1: binary payloads and responses in every input form encode exactly their bytes', () => {
  const backing = new Uint8Array([7, 7, 0xca, 0xfe, 7])
  const inputs: Array<ArrayBuffer | ArrayBufferView> = [new Uint8Array([0xca, 0xfe]).buffer, backing.subarray(2, 4), new DataView(backing.buffer, 2, 2)]
  for (const payload of inputs) {
    const c0 = encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'bin', payload }, '2.0.0') as Uint8Array
    assert.is(toHex(c0), '000101010331327462696e' + 'cafe')
    assert.is(toHex(expectOk(decodeClientFrame(c0, '2.0.0')).payload as ArrayBuffer), 'cafe')
    const s0 = encodeServerFrame({ joinRef: '1', ref: '2', topic: 't', event: 'bin', payload }, '2.0.0') as Uint8Array
    assert.is(toHex(s0), '0001010331' + '74' + '62696e' + 'cafe')
    assert.equal(expectOk(decodeServerFrame(s0, '2.0.0')).ref, null, 'server pushes carry no ref')
    const s1 = encodeServerFrame({ joinRef: '1', ref: '2', topic: 't', event: 'phx_reply', payload: { status: 'ok', response: payload } }, '2.0.0') as Uint8Array
    assert.is(toHex(s1), '01010101023132' + '74' + '6f6b' + 'cafe')
    const reply = expectOk(decodeServerFrame(s1, '2.0.0'))
    assert.equal({ ...reply, payload: null }, { joinRef: '1', ref: '2', topic: 't', event: 'phx_reply', payload: null })
    assert.is((reply.payload as ReplyPayload).status, 'ok')
    assert.is(toHex((reply.payload as ReplyPayload).response as ArrayBuffer), 'cafe')
  }
})

test('kind 2: a server broadcast with raw bytes decodes to event and ArrayBuffer payload', () => {
  const frame = encodeServerBroadcast({ topic: 'realtime:r', event: 'blob', payload: new Uint8Array([1, 2]) })
  assert.is(toHex(frame), '020a04' + toHex('realtime:r') + toHex('blob') + '0102')
  const message = expectOk(decodeServerFrame(frame, '2.0.0'))
  assert.equal({ ...message, payload: null }, { joinRef: null, ref: null, topic: 'realtime:r', event: 'blob', payload: null })
  assert.is(toHex(message.payload as ArrayBuffer), '0102')
})

test('vsn 2 client encode: which messages become binary (as realtime-js decides)', () => {
  const base = { joinRef: '1', ref: '2', topic: 't' }
  // broadcast with a string payload.event → kind 3 (JSON, even without a payload → {}).
  const k3 = encodeClientFrame({ ...base, event: 'broadcast', payload: { type: 'broadcast', event: 'e' } }, '2.0.0') as Uint8Array
  assert.is(k3[0], 3)
  assert.is(k3[6], 1)
  assert.is(new TextDecoder().decode(k3.subarray(k3.length - 2)), '{}')
  // Keys other than `persist` are not transmitted; `type` never is.
  const dropped = encodeClientFrame({ ...base, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: 1, ack: true, foo: 'bar' } }, '2.0.0') as Uint8Array
  assert.is(dropped[5], 0, 'no metadata')
  const persisted = encodeClientFrame({ ...base, event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: 1, persist: true, foo: 1 } }, '2.0.0') as Uint8Array
  assert.is(new TextDecoder().decode(persisted.subarray(11, 11 + persisted[5]!)), '{"persist":true}')
  // broadcast without a string event, or any other event → JSON array text.
  assert.is(encodeClientFrame({ ...base, event: 'broadcast', payload: { type: 'broadcast', event: 5 } }, '2.0.0'), '["1","2","t","broadcast",{"type":"broadcast","event":5}]')
  assert.is(encodeClientFrame({ ...base, event: 'presence', payload: { type: 'presence', event: 'track', payload: {} } }, '2.0.0'), '["1","2","t","presence",{"type":"presence","event":"track","payload":{}}]')
  // A binary top-level payload is a kind-0 push, even for the broadcast event.
  assert.is((encodeClientFrame({ ...base, event: 'broadcast', payload: new ArrayBuffer(1) }, '2.0.0') as Uint8Array)[0], 0)
})

test('vsn 1.0.0 cannot carry binary: encoders refuse instead of sending {}', () => {
  const bytes = new Uint8Array([1])
  expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'bin', payload: bytes }, '1.0.0'), 'invalid_argument', 'client push')
  expectThrowsCode(
    () => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: bytes.buffer } }, '1.0.0'),
    'invalid_argument',
    'client broadcast with binary user payload',
  )
  expectThrowsCode(() => encodeServerFrame({ joinRef: null, ref: null, topic: 't', event: 'bin', payload: bytes }, '1.0.0'), 'invalid_argument', 'server push')
  expectThrowsCode(
    () => encodeServerFrame({ joinRef: null, ref: '1', topic: 't', event: 'phx_reply', payload: { status: 'ok', response: bytes } }, '1.0.0'),
    'invalid_argument',
    'server reply',
  )
})

test('values JSON cannot carry throw invalid_argument (BigInt, cycles), in the payload and in metadata', () => {
  const cyclic: Record<string, unknown> = {}
  cyclic['self'] = cyclic
  for (const vsn of ['1.0.0', '2.0.0'] as const) {
    expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'e', payload: { n: 1n } }, vsn), 'invalid_argument', `${vsn} bigint`)
    expectThrowsCode(() => encodeServerFrame({ joinRef: null, ref: '1', topic: 't', event: 'e', payload: cyclic }, vsn), 'invalid_argument', `${vsn} cycle`)
  }
  expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: cyclic } }, '2.0.0'), 'invalid_argument', 'kind 3 payload')
  expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', persist: 1n } }, '2.0.0'), 'invalid_argument', 'kind 3 metadata')
  // JSON.stringify answers undefined (not a throw) for a function or a symbol.
  expectThrowsCode(() => encodeClientFrame({ joinRef: null, ref: '1', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: () => 1 } }, '2.0.0'), 'invalid_argument', 'kind 3 function payload')
})

test('vsn 1.0.0 text layout: client keys topic,event,payload,ref,join_ref; server keys sorted, no join_ref', () => {
  const message: PhoenixMessage = { joinRef: '6', ref: '7', topic: 't', event: 'e', payload: { a: 1 } }
  assert.is(encodeClientFrame(message, '1.0.0'), '{"topic":"t","event":"e","payload":{"a":1},"ref":"7","join_ref":"6"}')
  assert.is(encodeServerFrame(message, '1.0.0'), '{"event":"e","payload":{"a":1},"ref":"7","topic":"t"}')
  assert.is(encodeServerFrame({ ...message, ref: null }, '1.0.0'), '{"event":"e","payload":{"a":1},"ref":null,"topic":"t"}')
  assert.is(encodeServerFrame(message, '2.0.0'), '["6","7","t","e",{"a":1}]')
})

// ---------------------------------------------------------------------------------------------
// Against the reference serializers

type Callback = (result: ArrayBuffer | string) => void
interface RefSerializer {
  encode(message: Record<string, unknown>, callback: Callback): void
  decode(raw: ArrayBuffer | string, callback: (message: Record<string, unknown>) => void): void
}
const RealtimeJs = ((RealtimeJsSerializer as unknown as { default?: unknown }).default ?? RealtimeJsSerializer) as new () => RefSerializer
const phoenix = (createRequire(import.meta.url)('phoenix') as { Serializer: RefSerializer }).Serializer

function viaRef(serializer: RefSerializer, message: Record<string, unknown>): ArrayBuffer | string {
  let out: ArrayBuffer | string = ''
  serializer.encode(message, (result) => (out = result))
  return out
}

test('realtime-js 2.119 serializer and ours produce the same bytes for broadcasts (non-ASCII names, persist)', () => {
  const realtime = new RealtimeJs()
  const cases = [
    { join_ref: '6', ref: '7', topic: 'realtime:salon-é', event: 'broadcast', payload: { type: 'broadcast', event: 'curseur-✓', payload: { x: '😀' } } },
    { join_ref: null, ref: '9', topic: 'realtime:部屋', event: 'broadcast', payload: { type: 'broadcast', event: 'bin', payload: new Uint8Array([1, 2, 3]).buffer, persist: { ttl: 5 } } },
    { join_ref: '1', ref: null, topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: [1, 2], persist: false, other: 1 } },
    { join_ref: '1', ref: '2', topic: 't', event: 'phx_join', payload: { config: {} } },
  ]
  for (const c of cases) {
    const ours = encodeClientFrame({ joinRef: c.join_ref, ref: c.ref, topic: c.topic, event: c.event, payload: c.payload }, '2.0.0')
    const theirs = viaRef(realtime, c)
    assert.is(typeof ours === 'string' ? ours : toHex(ours), typeof theirs === 'string' ? theirs : toHex(theirs), c.topic)
  }
})

test('realtime-js decodes our kind-4 frames; phoenix decodes our kinds 0, 1, 2 and encodes kind 0 like us', () => {
  const realtime = new RealtimeJs()
  const k4 = encodeUserBroadcast({ topic: 'realtime:部屋', userEvent: 'é', metadata: '{"id":"1"}', encoding: 1, payload: enc.encode('{"a":[1]}') })
  realtime.decode(k4.slice().buffer, (message) => {
    assert.equal(message, { join_ref: null, ref: null, topic: 'realtime:部屋', event: 'broadcast', payload: { type: 'broadcast', event: 'é', payload: { a: [1] }, meta: { id: '1' } } })
  })
  const raw = new Uint8Array([5, 6])
  const frames: Array<[Uint8Array, Record<string, unknown>]> = [
    [encodeServerPush({ joinRef: '3', ref: null, topic: 'tö', event: 'ev', payload: raw }), { join_ref: '3', ref: null, topic: 'tö', event: 'ev' }],
    [encodeServerReply({ joinRef: '3', ref: '4', topic: 'tö', status: 'ok', response: raw }), { join_ref: '3', ref: '4', topic: 'tö', event: 'phx_reply' }],
    [encodeServerBroadcast({ topic: 'tö', event: '😀', payload: raw }), { join_ref: null, ref: null, topic: 'tö', event: '😀' }],
  ]
  for (const [frame, expected] of frames) {
    phoenix.decode(frame.slice().buffer, (message) => {
      const { payload, ...rest } = message
      assert.equal(rest, expected)
      const bytes = payload instanceof ArrayBuffer ? payload : ((payload as Record<string, unknown>)['response'] as ArrayBuffer)
      assert.is(toHex(bytes), '0506')
    })
  }
  const push = { join_ref: '1', ref: '2', topic: 'sujet-é', event: 'évènement', payload: raw.slice().buffer }
  const ours = encodeClientFrame({ joinRef: push.join_ref, ref: push.ref, topic: push.topic, event: push.event, payload: push.payload }, '2.0.0') as Uint8Array
  assert.is(toHex(ours), toHex(viaRef(phoenix, push) as ArrayBuffer))
  assert.equal(hexToBytes(toHex(ours)), ours)
})

test.run()
