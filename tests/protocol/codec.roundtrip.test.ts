/**
 * Round-trip properties over seeded random topics, events (non-ASCII: emoji, CJK, combining marks,
 * BOM, NUL…), refs and JSON payloads: decode(encode(x)) equals x for both vsns, text and binary.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import RealtimeJsSerializer from '@supabase/realtime-js/dist/main/lib/serializer.js'
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerBroadcast,
  encodeServerFrame,
  encodeUserBroadcast,
  type PhoenixMessage,
  type Vsn,
} from '../../src/protocol/index.js'
import {
  assertSame,
  expectOk,
  forAll,
  ownObject,
  randomEvent,
  randomJson,
  randomJsonObject,
  randomRef,
  randomString,
  randomTopic,
  toHex,
  utf8Length,
  type Rng,
} from './codec-support.js'

const RUNS = 2000
const VSNS: readonly Vsn[] = ['1.0.0', '2.0.0']
const enc = new TextEncoder()

/** A ref for text frames: anything a string can be, or null. */
function textRef(rng: Rng): string | null {
  return rng.bool(0.2) ? null : randomString(rng, 300)
}

function randomBytes(rng: Rng): Uint8Array {
  return rng.bytes(rng.bool(0.1) ? 0 : rng.int(1, 300))
}

/** A broadcast body as channel.send() builds it, with what travels as kind-3 data. */
function randomBroadcastBody(rng: Rng): { body: Record<string, unknown>; userPayload: unknown; binary: boolean; persist: unknown } {
  const binary = rng.bool(0.3)
  const userPayload = binary ? randomBytes(rng).buffer : rng.bool(0.1) ? undefined : randomJson(rng)
  const persist = rng.bool(0.3) ? rng.pick<unknown>([true, false, { ttl: rng.int(1, 3600) }, randomString(rng, 40)]) : undefined
  const entries: Array<[string, unknown]> = [
    ['type', 'broadcast'],
    ['event', randomString(rng, 255)],
  ]
  if (userPayload !== undefined) entries.push(['payload', userPayload])
  if (persist !== undefined) entries.push(['persist', persist])
  if (rng.bool(0.2)) entries.push(['ack', true]) // not on the allow-list: never transmitted
  return { body: ownObject(entries), userPayload, binary, persist }
}

test('text frames, client → server, both vsns: decodeClientFrame(encodeClientFrame(x)) = x', () => {
  for (const vsn of VSNS) {
    forAll(vsn === '1.0.0' ? 101 : 102, RUNS, (rng) => {
      const message: PhoenixMessage = { joinRef: textRef(rng), ref: textRef(rng), topic: randomTopic(rng, 400), event: randomEvent(rng, 400), payload: randomJson(rng) }
      const frame = encodeClientFrame(message, vsn)
      assert.type(frame, 'string')
      assertSame(expectOk(decodeClientFrame(frame, vsn)), message)
    })
  }
})

test('text frames, server → client, both vsns: decodeServerFrame(encodeServerFrame(x)) = x (v1 drops join_ref)', () => {
  for (const vsn of VSNS) {
    forAll(vsn === '1.0.0' ? 201 : 202, RUNS, (rng) => {
      const message: PhoenixMessage = { joinRef: textRef(rng), ref: textRef(rng), topic: randomTopic(rng, 400), event: randomEvent(rng, 400), payload: randomJson(rng) }
      const frame = encodeServerFrame(message, vsn)
      assert.type(frame, 'string')
      const expected = vsn === '1.0.0' ? { ...message, joinRef: null } : message
      assertSame(expectOk(decodeServerFrame(frame, vsn)), expected)
    })
  }
})

test('text frames with the known events and well-formed payloads round-trip in both directions', () => {
  const presence = (rng: Rng) => ownObject([[randomString(rng, 30), { metas: [{ phx_ref: randomString(rng, 20), extra: randomJson(rng) }] }]])
  const serverPayloads: Record<string, (rng: Rng) => unknown> = {
    phx_reply: (rng) => ({ status: rng.pick(['ok', 'error']), response: randomJson(rng) }),
    broadcast: (rng) => ({ type: 'broadcast', event: randomString(rng, 40), payload: randomJson(rng) }),
    presence_state: presence,
    presence_diff: (rng) => ({ joins: presence(rng), leaves: rng.bool() ? {} : presence(rng) }),
    postgres_changes: (rng) => ({ ids: [rng.int(0, 1e9)], data: randomJsonObject(rng) }),
    system: (rng) => ({ status: 'ok', message: randomString(rng, 60), extension: 'system' }),
  }
  const clientPayloads: Record<string, (rng: Rng) => unknown> = {
    phx_join: (rng) => ({ config: randomJsonObject(rng), access_token: randomString(rng, 80) }),
    access_token: (rng) => ({ access_token: randomString(rng, 80) }),
    presence: (rng) => ({ type: 'presence', event: rng.pick(['track', 'untrack']), payload: randomJsonObject(rng) }),
  }
  for (const vsn of VSNS) {
    forAll(301, 500, (rng) => {
      const event = rng.pick(Object.keys(serverPayloads))
      const message: PhoenixMessage = { joinRef: textRef(rng), ref: textRef(rng), topic: randomTopic(rng), event, payload: serverPayloads[event]!(rng) }
      const expected = vsn === '1.0.0' ? { ...message, joinRef: null } : message
      assertSame(expectOk(decodeServerFrame(encodeServerFrame(message, vsn), vsn)), expected)
    })
    forAll(302, 500, (rng) => {
      const event = rng.pick(Object.keys(clientPayloads))
      const message: PhoenixMessage = { joinRef: textRef(rng), ref: textRef(rng), topic: randomTopic(rng), event, payload: clientPayloads[event]!(rng) }
      assertSame(expectOk(decodeClientFrame(encodeClientFrame(message, vsn), vsn)), message)
    })
  }
})

test('vsn 1.0.0 broadcasts stay JSON objects and round-trip whole', () => {
  forAll(401, RUNS, (rng) => {
    const body = ownObject([
      ['type', 'broadcast'],
      ['event', randomString(rng, 300)],
      ['payload', randomJson(rng)],
    ])
    const message: PhoenixMessage = { joinRef: textRef(rng), ref: textRef(rng), topic: randomTopic(rng, 400), event: 'broadcast', payload: body }
    const frame = encodeClientFrame(message, '1.0.0')
    assert.type(frame, 'string')
    assertSame(expectOk(decodeClientFrame(frame, '1.0.0')), message)
  })
})

test('kind 3 ↔ decodeClientFrame: broadcasts round-trip; only persist travels as metadata', () => {
  forAll(501, RUNS, (rng) => {
    const { body, userPayload, binary, persist } = randomBroadcastBody(rng)
    const message: PhoenixMessage = { joinRef: randomRef(rng), ref: randomRef(rng), topic: randomTopic(rng), event: 'broadcast', payload: body }
    const frame = encodeClientFrame(message, '2.0.0')
    assert.instance(frame, Uint8Array)
    const got = expectOk(decodeClientFrame(frame, '2.0.0'))
    const expectedBody = ownObject([
      ['type', 'broadcast'],
      ['event', body['event']],
      ['payload', binary ? userPayload : (userPayload ?? {})],
      ...(persist === undefined ? [] : [['meta', { persist }] as [string, unknown]]),
    ])
    assertSame({ joinRef: got.joinRef, ref: got.ref, topic: got.topic, event: got.event, payload: got.payload }, { ...message, payload: expectedBody })
    assert.ok('raw' in got)
    assert.is(got.raw.encoding, binary ? 0 : 1)
    if (binary) assert.is(toHex(got.raw.payload), toHex(userPayload as ArrayBuffer))
  })
})

test('kind 3: our bytes equal realtime-js 2.119 serializer bytes for random broadcasts', () => {
  type Encoder = { encode(message: Record<string, unknown>, callback: (result: ArrayBuffer | string) => void): void }
  const Serializer = ((RealtimeJsSerializer as unknown as { default?: unknown }).default ?? RealtimeJsSerializer) as new () => Encoder
  const realtime = new Serializer()
  forAll(502, RUNS, (rng) => {
    const { body } = randomBroadcastBody(rng)
    const joinRef = randomRef(rng)
    const ref = randomRef(rng)
    const topic = randomTopic(rng)
    let theirs = '' as ArrayBuffer | string
    realtime.encode({ join_ref: joinRef, ref, topic, event: 'broadcast', payload: body }, (result) => (theirs = result))
    const ours = encodeClientFrame({ joinRef, ref, topic, event: 'broadcast', payload: body }, '2.0.0') as Uint8Array
    assert.is(toHex(ours), toHex(theirs as ArrayBuffer))
  })
})

test('kind 4 ↔ decodeServerFrame: user broadcasts (JSON and raw, with and without metadata) round-trip', () => {
  forAll(601, RUNS, (rng) => {
    const topic = randomTopic(rng)
    const userEvent = randomString(rng, 255)
    const binary = rng.bool(0.4)
    const json = randomJson(rng)
    const bytes = randomBytes(rng)
    const meta = rng.bool(0.4) ? ownObject([['id', randomString(rng, 36)], ...(rng.bool() ? [['replayed', true] as [string, unknown]] : [])]) : undefined
    const metadata = meta === undefined ? '' : JSON.stringify(meta)
    if (utf8Length(metadata) > 255) return
    const frame = encodeUserBroadcast({ topic, userEvent, metadata, encoding: binary ? 0 : 1, payload: binary ? bytes : enc.encode(JSON.stringify(json)) })
    const expectedBody = ownObject([
      ['type', 'broadcast'],
      ['event', userEvent],
      ['payload', binary ? bytes.slice().buffer : json],
      ...(meta === undefined ? [] : [['meta', meta] as [string, unknown]]),
    ])
    assertSame(expectOk(decodeServerFrame(frame, '2.0.0')), { joinRef: null, ref: null, topic, event: 'broadcast', payload: expectedBody })
  })
})

test('kind 0 both ways, kind 1 and kind 2 (server encoders) round-trip with random names and bytes', () => {
  forAll(701, RUNS, (rng) => {
    const joinRef = randomRef(rng)
    const ref = randomRef(rng)
    const topic = randomTopic(rng)
    const event = randomEvent(rng)
    const bytes = randomBytes(rng)
    const payload = bytes.slice().buffer

    const c0 = encodeClientFrame({ joinRef, ref, topic, event, payload: bytes }, '2.0.0')
    assert.is((c0 as Uint8Array)[0], 0)
    assertSame(expectOk(decodeClientFrame(c0, '2.0.0')), { joinRef, ref, topic, event, payload })

    const s0 = encodeServerFrame({ joinRef, ref, topic, event, payload: bytes }, '2.0.0')
    assert.is((s0 as Uint8Array)[0], 0)
    assertSame(expectOk(decodeServerFrame(s0, '2.0.0')), { joinRef, ref: null, topic, event, payload })

    const status = rng.bool(0.7) ? rng.pick(['ok', 'error']) : randomString(rng, 255)
    const s1 = encodeServerFrame({ joinRef, ref, topic, event: 'phx_reply', payload: { status, response: bytes } }, '2.0.0')
    assert.is((s1 as Uint8Array)[0], 1)
    assertSame(expectOk(decodeServerFrame(s1, '2.0.0')), { joinRef, ref, topic, event: 'phx_reply', payload: { status, response: payload } })

    const s2 = encodeServerBroadcast({ topic, event, payload: bytes })
    assert.is(s2[0], 2)
    assertSame(expectOk(decodeServerFrame(s2, '2.0.0')), { joinRef: null, ref: null, topic, event, payload })
  })
})

test('empty refs in binary frames mean "absent" and decode as null', () => {
  const frame = encodeClientFrame({ joinRef: '', ref: '', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e' } }, '2.0.0')
  const got = expectOk(decodeClientFrame(frame, '2.0.0'))
  assert.equal([got.joinRef, got.ref], [null, null])
})

test.run()
