/**
 * Malformed frames become `{ ok: false }` with a RealtimeError `invalid_frame` whose `metadata.bytes`
 * is the frame's size; decoding never throws (fuzzed); payload keys such as `__proto__` stay data.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerBroadcast,
  encodeServerPush,
  encodeServerReply,
  encodeUserBroadcast,
  type BroadcastPayload,
  type DecodeResult,
  type RawFrame,
  type Vsn,
} from '../../src/protocol/index.js'
import { canon, expectInvalid, expectOk, forAll, randomJson, randomString, sizeOf, type Rng } from './codec-support.js'

const enc = new TextEncoder()
const V1: Vsn = '1.0.0'
const V2: Vsn = '2.0.0'
type Decode = (data: RawFrame, vsn: Vsn) => DecodeResult<unknown>
const bothSides: Array<[string, Decode]> = [
  ['decodeServerFrame', decodeServerFrame],
  ['decodeClientFrame', decodeClientFrame],
]

function bytes(...parts: Array<number | string | number[]>): Uint8Array {
  const out: number[] = []
  for (const part of parts) {
    if (typeof part === 'number') out.push(part)
    else if (typeof part === 'string') out.push(...enc.encode(part))
    else out.push(...part)
  }
  return new Uint8Array(out)
}

// ---------------------------------------------------------------------------------------------
// Text frames

test('bad JSON is invalid_frame on both sides and both vsns, with the UTF-8 byte size of the text', () => {
  const frames = ['', ' ', '[', '{"topic":', 'null,', "['a']", '[null,null,"t","e",{}]]', 'undefined', '{"é":"😀"', '\u00e9t\u00e9 ☃']
  for (const [name, decode] of bothSides) {
    for (const vsn of [V1, V2]) {
      for (const frame of frames) expectInvalid(decode(frame, vsn), frame, `${name} ${vsn} ${JSON.stringify(frame)}`)
    }
  }
  const error = expectInvalid(decodeServerFrame('é😀', V2), 'é😀')
  assert.is(error.metadata['bytes'], 6)
})

test('vsn 2.0.0 arity: a client receives exactly 5 elements; the server accepts extra trailing ones', () => {
  const four = '[null,"1","t","e"]'
  const six = '[null,"1","t","e",{},"extra"]'
  expectInvalid(decodeServerFrame(four, V2), four, 'server frame with 4 elements')
  expectInvalid(decodeServerFrame(six, V2), six, 'server frame with 6 elements')
  expectInvalid(decodeClientFrame(four, V2), four, 'client frame with 4 elements')
  // protocol.md §1.2: the server matches [join_ref, ref, topic, event, payload | _].
  assert.equal(expectOk(decodeClientFrame(six, V2)), { joinRef: null, ref: '1', topic: 't', event: 'e', payload: {} })
  for (const frame of ['[]', '[null]', '{}', '"text"', '42', 'null', 'true']) {
    for (const [name, decode] of bothSides) expectInvalid(decode(frame, V2), frame, `${name} ${frame}`)
  }
})

test('vsn 2.0.0 element types: topic and event strings, refs string or null', () => {
  const frames = [
    '[null,null,42,"e",{}]',
    '[null,null,"t",7,{}]',
    '[null,null,null,"e",{}]',
    '[null,{"ref":1},"t","e",{}]',
    '[{"j":1},null,"t","e",{}]',
    '[1,null,"t","e",{}]',
    '[null,2,"t","e",{}]',
    '[null,null,["t"],"e",{}]',
    '[null,null,"t",false,{}]',
  ]
  for (const [name, decode] of bothSides) {
    for (const frame of frames) expectInvalid(decode(frame, V2), frame, `${name} ${frame}`)
  }
})

test('vsn 1.0.0: an object with string topic and event, a payload key, string-or-null refs', () => {
  const frames = [
    '[null,null,"t","e",{}]',
    '{"event":"e","payload":{},"ref":null}',
    '{"topic":"t","payload":{},"ref":null}',
    '{"topic":"t","event":"e","ref":null}',
    '{"topic":1,"event":"e","payload":{},"ref":null}',
    '{"topic":"t","event":"e","payload":{},"ref":{}}',
    '{"topic":"t","event":"e","payload":{},"ref":null,"join_ref":5}',
    '"phx_reply"',
  ]
  for (const [name, decode] of bothSides) {
    for (const frame of frames) expectInvalid(decode(frame, V1), frame, `${name} ${frame}`)
  }
  // Missing refs are null.
  assert.equal(expectOk(decodeServerFrame('{"topic":"t","event":"e","payload":[]}', V1)), { joinRef: null, ref: null, topic: 't', event: 'e', payload: [] })
})

test('known server events with bad payloads are invalid_frame (text, both vsns)', () => {
  const payloads: Array<[string, string]> = [
    ['phx_reply', '{"response":{}}'],
    ['phx_reply', '{"status":1,"response":{}}'],
    ['phx_reply', '{"status":"ok"}'],
    ['phx_reply', '"ok"'],
    ['phx_reply', 'null'],
    ['broadcast', '{"type":"broadcast","payload":{}}'],
    ['broadcast', '{"type":"broadcast","event":5,"payload":{}}'],
    ['broadcast', '[]'],
    ['presence_diff', '{"leaves":{}}'],
    ['presence_diff', '{"joins":{}}'],
    ['presence_diff', '{"joins":[],"leaves":{}}'],
    ['presence_diff', '{"joins":{"u":{"metas":[{}]}},"leaves":{}}'],
    ['presence_state', '{"u":{"metas":{}}}'],
    ['presence_state', '{"u":{"metas":[{"phx_ref":1}]}}'],
    ['presence_state', '{"u":null}'],
    ['presence_state', '[{"metas":[]}]'],
    ['presence_state', '"state"'],
    ['postgres_changes', '{"ids":"1","data":{}}'],
    ['postgres_changes', '{"ids":[1],"data":"x"}'],
    ['postgres_changes', '7'],
    ['system', '{"status":1}'],
    ['system', '{"message":{}}'],
    ['system', 'null'],
  ]
  for (const [event, payload] of payloads) {
    const v2 = `[null,null,"realtime:r","${event}",${payload}]`
    const error = expectInvalid(decodeServerFrame(v2, V2), v2, v2)
    assert.match(error.message, event)
    const v1 = `{"event":"${event}","payload":${payload},"ref":null,"topic":"realtime:r"}`
    expectInvalid(decodeServerFrame(v1, V1), v1, v1)
  }
})

test('known client events with bad payloads are invalid_frame for the server', () => {
  const payloads: Array<[string, string]> = [
    ['phx_join', '"join"'],
    ['phx_join', 'null'],
    ['phx_join', '[]'],
    ['access_token', '"eyJ"'],
    ['broadcast', '7'],
    ['presence', '{"type":"presence"}'],
    ['presence', '{"event":1}'],
  ]
  for (const [event, payload] of payloads) {
    const frame = `["1","2","realtime:r","${event}",${payload}]`
    expectInvalid(decodeClientFrame(frame, V2), frame, frame)
  }
})

test('events without a schema take any payload', () => {
  for (const payload of ['null', '1', '"s"', '[]', '{}']) {
    assert.ok(decodeServerFrame(`[null,null,"t","phx_close",${payload}]`, V2).ok)
    assert.ok(decodeClientFrame(`[null,"1","phoenix","heartbeat",${payload}]`, V2).ok)
  }
})

// ---------------------------------------------------------------------------------------------
// Binary frames

test('a truncated binary header is invalid_frame for each kind (server → client kinds 0, 1, 2, 4)', () => {
  const headerSizes: Array<[number, number]> = [
    [0, 4],
    [1, 5],
    [2, 3],
    [4, 5],
  ]
  for (const [kind, size] of headerSizes) {
    for (let length = 1; length < size; length++) {
      const frame = new Uint8Array(length)
      frame[0] = kind
      const error = expectInvalid(decodeServerFrame(frame, V2), frame, `kind ${kind}, ${length} of ${size} header bytes`)
      assert.match(error.message, 'header')
    }
    // A header of the full size with zero-length fields is a frame.
    const full = new Uint8Array(size)
    full[0] = kind
    if (kind !== 4) assert.ok(decodeServerFrame(full, V2).ok, `kind ${kind} minimal frame`)
  }
})

test('a truncated binary header is invalid_frame for each kind (client → server kinds 0, 3)', () => {
  for (const [kind, size] of [
    [0, 5],
    [3, 7],
  ] as const) {
    for (let length = 1; length < size; length++) {
      const frame = new Uint8Array(length)
      frame[0] = kind
      expectInvalid(decodeClientFrame(frame, V2), frame, `kind ${kind}, ${length} of ${size} header bytes`)
    }
  }
})

test('field lengths running past the end of the frame are invalid_frame', () => {
  const server = [
    bytes(0, 1, 1, 5, 'a', 'b', 'eve'), // event 5 bytes, 3 present
    bytes(0, 9, 0, 0, '1'),
    bytes(1, 1, 1, 1, 2, '1', '2', 't', 'o'),
    bytes(1, 0, 0, 200, 0, 'short'),
    bytes(2, 10, 1, 'abc'),
    bytes(2, 1, 4, 't', 'ev'),
    bytes(4, 14, 6, 0, 1, 'realtime:room'),
    bytes(4, 1, 1, 10, 1, 't', 'e', '{"id":'),
  ]
  for (const frame of server) expectInvalid(decodeServerFrame(frame, V2), frame, `server ${[...frame.subarray(0, 5)]}`)
  const client = [bytes(0, 1, 1, 1, 9, '1', '2', 't', 'e'), bytes(3, 1, 1, 1, 1, 0, 1, '1', '2', 't'), bytes(3, 0, 0, 1, 1, 20, 1, 't', 'e', '{}')]
  for (const frame of client) expectInvalid(decodeClientFrame(frame, V2), frame, `client ${[...frame.subarray(0, 7)]}`)
})

test('unknown binary kinds, kinds meant for the other direction, and empty frames are invalid_frame', () => {
  for (const kind of [5, 6, 127, 255]) {
    const frame = bytes(kind, 0, 0, 0, 0, 0, 0, 0)
    const error = expectInvalid(decodeServerFrame(frame, V2), frame, `server kind ${kind}`)
    assert.match(error.message, String(kind))
    expectInvalid(decodeClientFrame(frame, V2), frame, `client kind ${kind}`)
  }
  // A client never receives kind 3; a server never receives kinds 1, 2, 4.
  const k3 = encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'broadcast', payload: { type: 'broadcast', event: 'e' } }, V2)
  expectInvalid(decodeServerFrame(k3, V2), k3, 'kind 3 to a client')
  for (const frame of [encodeServerReply({ joinRef: '1', ref: '2', topic: 't', status: 'ok', response: new Uint8Array() }), encodeServerBroadcast({ topic: 't', event: 'e', payload: new Uint8Array() }), encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: '', encoding: 1, payload: enc.encode('{}') })]) {
    expectInvalid(decodeClientFrame(frame, V2), frame, `kind ${frame[0]} to a server`)
  }
  for (const empty of [new Uint8Array(0), new ArrayBuffer(0), new DataView(new ArrayBuffer(4), 4, 0), new Uint8Array(8).subarray(8)]) {
    for (const [name, decode] of bothSides) {
      const error = expectInvalid(decode(empty, V2), empty, `${name} empty`)
      assert.is(error.metadata['bytes'], 0)
    }
  }
})

test('binary frames under vsn 1.0.0 are invalid_frame', () => {
  const frame = encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: '', encoding: 1, payload: enc.encode('{}') })
  for (const [name, decode] of bothSides) {
    expectInvalid(decode(frame, V1), frame, name)
    expectInvalid(decode(frame.slice().buffer, V1), frame, name)
  }
})

test('invalid UTF-8 in a binary name or JSON payload is invalid_frame, never U+FFFD', () => {
  const badSequences = [[0xff], [0xc3, 0x28], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80]]
  for (const bad of badSequences) {
    const server = [
      bytes(4, bad.length, 1, 0, 1, bad, 'e', '{}'),
      bytes(4, 1, bad.length, 0, 1, 't', bad, '{}'),
      bytes(4, 1, 1, bad.length, 0, 't', 'e', bad),
      bytes(4, 1, 1, 0, 1, 't', 'e', [0x22, ...bad, 0x22]),
      bytes(0, bad.length, 1, 1, bad, 't', 'e'),
      bytes(1, 0, bad.length, 1, 2, bad, 't', 'ok'),
      bytes(1, 0, 0, 1, bad.length, 't', bad),
      bytes(2, bad.length, 1, bad, 'e', 1, 2),
    ]
    for (const frame of server) expectInvalid(decodeServerFrame(frame, V2), frame, `server ${[...frame]}`)
    const client = [bytes(3, 0, 0, bad.length, 1, 0, 1, bad, 'e', '{}'), bytes(3, bad.length, 0, 1, 1, 0, 0, bad, 't', 'e'), bytes(0, 0, 0, 1, bad.length, 't', bad)]
    for (const frame of client) expectInvalid(decodeClientFrame(frame, V2), frame, `client ${[...frame]}`)
  }
})

test('kinds 3 and 4: bad JSON payload or metadata, metadata that is not an object, unknown kind-4 encoding', () => {
  const server = [
    bytes(4, 1, 1, 0, 1, 't', 'e', '{x'),
    bytes(4, 1, 1, 3, 1, 't', 'e', '{x}', '{}'),
    bytes(4, 1, 1, 1, 0, 't', 'e', '5', 1),
    bytes(4, 1, 1, 3, 0, 't', 'e', '[1]', 1),
    bytes(4, 1, 1, 4, 0, 't', 'e', 'null', 1),
    bytes(4, 1, 1, 3, 0, 't', 'e', '"m"', 1),
    bytes(4, 1, 1, 0, 2, 't', 'e', '{}'),
    bytes(4, 1, 1, 0, 255, 't', 'e', [1, 2]),
  ]
  for (const frame of server) expectInvalid(decodeServerFrame(frame, V2), frame, `server ${[...frame]}`)
  const client = [bytes(3, 0, 0, 1, 1, 0, 1, 't', 'e', '{x'), bytes(3, 0, 0, 1, 1, 2, 0, 't', 'e', '[]', 1), bytes(3, 0, 0, 1, 1, 1, 0, 't', 'e', '{', 1)]
  for (const frame of client) expectInvalid(decodeClientFrame(frame, V2), frame, `client ${[...frame]}`)
  // The server treats any non-zero kind-3 encoding as JSON (protocol.md §1.3).
  const nonZero = bytes(3, 0, 0, 1, 1, 0, 7, 't', 'e', '{"a":1}')
  assert.equal((expectOk(decodeClientFrame(nonZero, V2)).payload as BroadcastPayload).payload, { a: 1 })
})

test('kinds 0 and 2 carrying a known event need that event’s payload shape (raw bytes are not a reply or a broadcast)', () => {
  const raw = new Uint8Array([1, 2, 3])
  for (const event of ['phx_reply', 'broadcast', 'presence_state', 'presence_diff']) {
    const push = encodeServerPush({ joinRef: null, ref: null, topic: 't', event, payload: raw })
    expectInvalid(decodeServerFrame(push, V2), push, `kind 0 ${event}`)
    const broadcast = encodeServerBroadcast({ topic: 't', event, payload: raw })
    expectInvalid(decodeServerFrame(broadcast, V2), broadcast, `kind 2 ${event}`)
  }
  // Events without a schema carry raw bytes fine, and a client's kind-0 broadcast (an ArrayBuffer payload) reaches the server.
  assert.ok(decodeServerFrame(encodeServerPush({ joinRef: null, ref: null, topic: 't', event: 'blob', payload: raw }), V2).ok)
  assert.ok(decodeClientFrame(encodeClientFrame({ joinRef: '1', ref: '2', topic: 't', event: 'broadcast', payload: raw }, V2), V2).ok)
})

test('inputs that are neither text nor binary are invalid_frame, not a crash', () => {
  for (const value of [null, undefined, 42, {}, [1, 2], new Blob(['x'])]) {
    for (const [name, decode] of bothSides) {
      const result = decode(value as unknown as RawFrame, V2)
      assert.not.ok(result.ok, `${name} ${String(value)}`)
      if (!result.ok) assert.is(result.error.code, 'invalid_frame')
    }
  }
})

// ---------------------------------------------------------------------------------------------
// Fuzzing: decode never throws

function checkNeverThrows(frame: RawFrame, what: string): void {
  for (const [name, decode] of bothSides) {
    for (const vsn of [V1, V2]) {
      let result: DecodeResult<unknown>
      try {
        result = decode(frame, vsn)
      } catch (error) {
        throw new Error(`${name} ${vsn} threw on ${what}: ${(error as Error).stack}`)
      }
      if (!result.ok) {
        assert.is(result.error.code, 'invalid_frame', what)
        assert.is(result.error.metadata['bytes'], sizeOf(frame), what)
      }
    }
  }
}

function randomFrameBytes(rng: Rng): Uint8Array {
  const length = rng.pick([0, 1, 2, 3, 4, 5, 6, 7, 8, rng.int(0, 40), rng.int(0, 600)])
  const frame = rng.bytes(length)
  // Mostly plausible kinds with small lengths, so the parsers get past the header.
  if (length > 0 && rng.bool(0.8)) frame[0] = rng.int(0, 5)
  for (let i = 1; i < Math.min(length, 7); i++) if (rng.bool(0.7)) frame[i] = rng.int(0, 12)
  return frame
}

test('decode never throws on 10 000 random byte strings (as Uint8Array, ArrayBuffer, DataView, and as text)', () => {
  forAll(901, 10_000, (rng, i) => {
    const frame = randomFrameBytes(rng)
    checkNeverThrows(frame, `bytes ${Buffer.from(frame).toString('hex')}`)
    if (i % 4 === 1) checkNeverThrows(frame.slice().buffer, 'ArrayBuffer')
    if (i % 4 === 2) checkNeverThrows(new DataView(frame.buffer), 'DataView')
    if (i % 4 === 3) checkNeverThrows(new TextDecoder().decode(frame), 'text')
  })
})

test('decode never throws on 10 000 random JSON values and frame-shaped arrays', () => {
  const events = ['phx_reply', 'broadcast', 'presence_state', 'presence_diff', 'postgres_changes', 'system', 'phx_join', 'access_token', 'presence', 'heartbeat']
  forAll(902, 10_000, (rng) => {
    let value: unknown
    switch (rng.int(0, 3)) {
      case 0:
        value = randomJson(rng)
        break
      case 1:
        value = [rng.bool() ? null : randomJson(rng, 3), randomJson(rng, 3), randomJson(rng, 3), rng.pick(events), randomJson(rng)]
        break
      case 2:
        value = { topic: randomString(rng, 20), event: rng.pick(events), payload: randomJson(rng), ref: rng.bool() ? null : randomJson(rng, 3) }
        break
      default: {
        const items: unknown[] = []
        const length = rng.int(0, 8)
        for (let k = 0; k < length; k++) items.push(randomJson(rng, 2))
        value = items
      }
    }
    checkNeverThrows(JSON.stringify(value), canon(value).slice(0, 200))
  })
})

test('decode never throws on 5 000 mutations of valid frames (bit flips, truncation, extension)', () => {
  const seeds: Uint8Array[] = [
    encodeUserBroadcast({ topic: 'realtime:room1', userEvent: 'cursor-pos', metadata: '{"id":"1"}', encoding: 1, payload: enc.encode('{"x":10,"y":20}') }),
    encodeUserBroadcast({ topic: 'realtime:部屋', userEvent: '😀', metadata: '', encoding: 0, payload: new Uint8Array([1, 2, 3]) }),
    encodeServerReply({ joinRef: '6', ref: '7', topic: 't', status: 'ok', response: new Uint8Array([9]) }),
    encodeServerPush({ joinRef: '6', ref: null, topic: 't', event: 'e', payload: new Uint8Array([9]) }),
    encodeServerBroadcast({ topic: 't', event: 'e', payload: new Uint8Array([9]) }),
    encodeClientFrame({ joinRef: '6', ref: '8', topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'é', payload: { a: [1] }, persist: true } }, V2) as Uint8Array,
    encodeClientFrame({ joinRef: '6', ref: '8', topic: 'realtime:room1', event: 'bin', payload: new Uint8Array([1]) }, V2) as Uint8Array,
    enc.encode('[null,null,"realtime:room1","presence_diff",{"joins":{"u":{"metas":[{"phx_ref":"x"}]}},"leaves":{}}]'),
  ]
  forAll(903, 5_000, (rng) => {
    const frame = rng.pick(seeds).slice()
    let mutated: Uint8Array = frame
    switch (rng.int(0, 2)) {
      case 0:
        for (let k = rng.int(1, 3); k > 0; k--) {
          const at = rng.int(0, frame.length - 1)
          frame[at] = frame[at]! ^ (1 << rng.int(0, 7))
        }
        break
      case 1:
        mutated = frame.subarray(0, rng.int(0, frame.length))
        break
      default: {
        mutated = new Uint8Array(frame.length + rng.int(1, 8))
        mutated.set(frame)
        mutated.set(rng.bytes(mutated.length - frame.length), frame.length)
      }
    }
    checkNeverThrows(mutated, Buffer.from(mutated).toString('hex'))
    checkNeverThrows(new TextDecoder().decode(mutated), 'as text')
  })
})

// ---------------------------------------------------------------------------------------------
// Prototype safety

const DANGEROUS = '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"prototype":{"polluted":"yes"}}'

function assertUnpolluted(): void {
  const probe: Record<string, unknown> = {}
  assert.is(probe['polluted'], undefined, 'Object.prototype was polluted')
  assert.is((Object.prototype as Record<string, unknown>)['polluted'], undefined)
  assert.is(typeof probe.constructor, 'function')
}

function assertOwnDangerousKeys(value: unknown, what: string): void {
  assert.ok(value !== null && typeof value === 'object', what)
  const object = value as Record<string, unknown>
  assert.is(Object.getPrototypeOf(object), Object.prototype, `${what}: prototype unchanged`)
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    assert.ok(Object.hasOwn(object, key), `${what}: own key ${key}`)
    assert.equal(Object.getOwnPropertyDescriptor(object, key)!.value, key === 'constructor' ? { prototype: { polluted: 'yes' } } : { polluted: 'yes' }, `${what}: ${key} value`)
  }
  assert.is((object as { polluted?: unknown }).polluted, undefined, `${what}: nothing inherited`)
}

test('__proto__, constructor, prototype keys in JSON text payloads stay own data (both vsns, both sides)', () => {
  const v2 = `[null,null,"t","broadcast",{"type":"broadcast","event":"e","payload":${DANGEROUS}}]`
  assertOwnDangerousKeys((expectOk(decodeServerFrame(v2, V2)).payload as BroadcastPayload).payload, 'v2 broadcast payload')
  const top = `[null,null,"t","custom",${DANGEROUS}]`
  assertOwnDangerousKeys(expectOk(decodeServerFrame(top, V2)).payload, 'v2 top-level payload')
  const v1 = `{"event":"custom","payload":${DANGEROUS},"ref":null,"topic":"t"}`
  assertOwnDangerousKeys(expectOk(decodeServerFrame(v1, V1)).payload, 'v1 payload')
  const join = `["1","1","t","phx_join",{"config":${DANGEROUS}}]`
  assertOwnDangerousKeys((expectOk(decodeClientFrame(join, V2)).payload as Record<string, unknown>)['config'], 'phx_join config')
  assertUnpolluted()
})

test('a v1 frame cannot supply topic/event through a __proto__ key', () => {
  const frame = '{"__proto__":{"topic":"evil","event":"phx_reply","payload":{}},"ref":null}'
  expectInvalid(decodeServerFrame(frame, V1), frame)
  assertUnpolluted()
})

test('__proto__, constructor, prototype keys in kind-4 and kind-3 metadata and JSON payloads stay own data', () => {
  const k4 = encodeUserBroadcast({ topic: 't', userEvent: 'e', metadata: DANGEROUS, encoding: 1, payload: enc.encode(DANGEROUS) })
  const body = expectOk(decodeServerFrame(k4, V2)).payload as BroadcastPayload
  assertOwnDangerousKeys(body.meta, 'kind-4 meta')
  assertOwnDangerousKeys(body.payload, 'kind-4 payload')
  assert.equal(Object.keys(body), ['type', 'event', 'payload', 'meta'])

  const k3 = bytes(3, 0, 0, 1, 1, DANGEROUS.length, 1, 't', 'e', DANGEROUS, DANGEROUS)
  const pushed = expectOk(decodeClientFrame(k3, V2)).payload as BroadcastPayload
  assertOwnDangerousKeys(pushed.meta, 'kind-3 meta')
  assertOwnDangerousKeys(pushed.payload, 'kind-3 payload')
  assertUnpolluted()
})

test('presence_state and presence_diff keys named __proto__, constructor, prototype are validated and kept as own keys', () => {
  const metas = '{"metas":[{"phx_ref":"r1"}]}'
  const state = `{"__proto__":${metas},"constructor":${metas},"prototype":${metas},"u":${metas}}`
  const frame = `["6",null,"realtime:r","presence_state",${state}]`
  const payload = expectOk(decodeServerFrame(frame, V2)).payload as Record<string, unknown>
  assert.equal(Object.keys(payload), ['__proto__', 'constructor', 'prototype', 'u'])
  assert.is(Object.getPrototypeOf(payload), Object.prototype)
  assert.equal(Object.getOwnPropertyDescriptor(payload, '__proto__')!.value, { metas: [{ phx_ref: 'r1' }] })

  const diff = `[null,null,"realtime:r","presence_diff",{"joins":${state},"leaves":{"__proto__":${metas}}}]`
  const diffPayload = expectOk(decodeServerFrame(diff, V2)).payload as Record<string, Record<string, unknown>>
  assert.ok(Object.hasOwn(diffPayload['leaves']!, '__proto__'))
  assertUnpolluted()

  // The values under those keys are checked like any other presence key.
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const bad of ['"garbage"', 'null', '{"metas":"x"}', '{"metas":[{"phx_ref":5}]}']) {
      const badState = `["6",null,"realtime:r","presence_state",{"u":${metas},"${key}":${bad}}]`
      expectInvalid(decodeServerFrame(badState, V2), badState, `presence_state ${key}: ${bad}`)
      const badDiff = `[null,null,"realtime:r","presence_diff",{"joins":{},"leaves":{"${key}":${bad}}}]`
      expectInvalid(decodeServerFrame(badDiff, V2), badDiff, `presence_diff ${key}: ${bad}`)
    }
  }
})

test('the error of a malformed frame is a RealtimeError carrying only size and reason (no payload echo)', () => {
  const frame = '[null,null,"t","phx_reply",{"response":{"secret":"value"}}]'
  const error = expectInvalid(decodeServerFrame(frame, V2), frame)
  assert.equal(Object.keys(error.metadata).sort(), ['bytes', 'reason'])
  assert.match(error.message, `${sizeOf(frame)} bytes`)
})

test.run()
