/**
 * The example frames of ../shared/frames/examples.jsonl: every `in` frame decodes with
 * decodeServerFrame to what the fixture says, every `out` frame decodes with decodeClientFrame and
 * re-encodes byte-identically with encodeClientFrame.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { decodeClientFrame, decodeServerFrame, encodeClientFrame, type PhoenixMessage, type Vsn } from '../../src/protocol/index.js'
import { existsSync, readFileSync } from 'node:fs'
import { assertSame, expectOk, hexToBytes, loadFixtures, SHARED_FIXTURES_PATH, toHex, VENDORED_FIXTURES_PATH, type Fixture } from './codec-support.js'

const fixtures = loadFixtures()

interface BinaryFrame {
  binary_hex: string
  decoded: Record<string, unknown>
}

function isBinaryFrame(frame: unknown): frame is BinaryFrame {
  return typeof frame === 'object' && frame !== null && typeof (frame as BinaryFrame).binary_hex === 'string'
}

function isObjectFrame(frame: unknown): frame is Record<string, unknown> {
  return typeof frame === 'object' && frame !== null && !Array.isArray(frame) && 'topic' in frame && 'event' in frame
}

/** A WebSocket frame is a v2 array, a binary `{binary_hex}` or a v1 object; anything else describes a URL/REST request. */
function isWebSocketFrame(fixture: Fixture): boolean {
  return Array.isArray(fixture.frame) || isBinaryFrame(fixture.frame) || isObjectFrame(fixture.frame)
}

/** What the JSON form of a text frame means as a message. */
function textMessage(fixture: Fixture): PhoenixMessage {
  if (fixture.vsn === '2.0.0') {
    const [joinRef, ref, topic, event, payload] = fixture.frame as [string | null, string | null, string, string, unknown]
    return { joinRef, ref, topic, event, payload }
  }
  const frame = fixture.frame as Record<string, unknown>
  return {
    joinRef: (frame['join_ref'] as string | undefined) ?? null,
    ref: (frame['ref'] as string | undefined) ?? null,
    topic: frame['topic'] as string,
    event: frame['event'] as string,
    payload: frame['payload'],
  }
}

function label(fixture: Fixture): string {
  return `examples.jsonl:${fixture.line} (${fixture.dir} ${fixture.vsn}: ${fixture.note.slice(0, 60)})`
}

const frames = fixtures.filter(isWebSocketFrame)
const described = fixtures.filter((fixture) => !isWebSocketFrame(fixture))

test('the vendored copy of the fixtures equals ../shared/frames/examples.jsonl when that is present', () => {
  if (!existsSync(SHARED_FIXTURES_PATH)) return
  assert.is(readFileSync(VENDORED_FIXTURES_PATH, 'utf8'), readFileSync(SHARED_FIXTURES_PATH, 'utf8'), 'refresh tests/protocol/fixtures/examples.jsonl from ../shared/frames')
})

test('the fixture file holds frames in both directions, both vsns, text and binary', () => {
  assert.ok(frames.length >= 20, `only ${frames.length} frames in the fixture file`)
  for (const dir of ['in', 'out'] as const) {
    for (const vsn of ['1.0.0', '2.0.0'] as const) {
      assert.ok(frames.some((f) => f.dir === dir && f.vsn === vsn), `no ${dir} ${vsn} fixture`)
    }
    assert.ok(frames.some((f) => f.dir === dir && isBinaryFrame(f.frame)), `no binary ${dir} fixture`)
  }
})

test('lines that are not WebSocket frames say so in their note (URL or REST request)', () => {
  for (const fixture of described) assert.match(fixture.note, /\b(URL|REST|request)\b/i, label(fixture))
})

test('every text `in` fixture decodes with decodeServerFrame to what its JSON says', () => {
  let count = 0
  for (const fixture of frames) {
    if (fixture.dir !== 'in' || isBinaryFrame(fixture.frame)) continue
    const message = expectOk(decodeServerFrame(JSON.stringify(fixture.frame), fixture.vsn), label(fixture))
    const expected = textMessage(fixture)
    // A server never sends join_ref under vsn 1.0.0.
    if (fixture.vsn === '1.0.0') assert.is(message.joinRef, null, label(fixture))
    assert.equal(message, expected, label(fixture))
    count++
  }
  assert.ok(count >= 10, `${count} text in-frames`)
})

test('every binary `in` fixture decodes with decodeServerFrame to its `decoded` form', () => {
  let count = 0
  for (const fixture of frames) {
    if (fixture.dir !== 'in' || !isBinaryFrame(fixture.frame)) continue
    const bytes = hexToBytes(fixture.frame.binary_hex)
    const message = expectOk(decodeServerFrame(bytes, fixture.vsn), label(fixture))
    const decoded = fixture.frame.decoded
    assert.equal(
      message,
      { joinRef: decoded['join_ref'], ref: decoded['ref'], topic: decoded['topic'], event: decoded['event'], payload: decoded['payload'] },
      label(fixture),
    )
    // The same bytes as an ArrayBuffer (what a WebSocket hands over) decode the same way.
    assertSame(expectOk(decodeServerFrame(bytes.slice().buffer, fixture.vsn)), message, label(fixture))
    count++
  }
  assert.ok(count >= 1)
})

test('every text `out` fixture decodes with decodeClientFrame and re-encodes byte-identically', () => {
  let count = 0
  for (const fixture of frames) {
    if (fixture.dir !== 'out' || isBinaryFrame(fixture.frame)) continue
    const text = JSON.stringify(fixture.frame)
    const message = expectOk(decodeClientFrame(text, fixture.vsn), label(fixture))
    assert.equal(message, textMessage(fixture), label(fixture))
    const encoded = encodeClientFrame(textMessage(fixture), fixture.vsn)
    assert.type(encoded, 'string', label(fixture))
    assert.is(encoded, text, label(fixture))
    count++
  }
  assert.ok(count >= 8, `${count} text out-frames`)
})

/** The message a client hands to encodeClientFrame for a kind-3 fixture. */
function kind3Message(decoded: Record<string, unknown>): { message: PhoenixMessage; userPayload: unknown } {
  const userPayload = decoded['payload_encoding'] === 0 ? hexToBytes(decoded['user_payload_hex'] as string).buffer : decoded['user_payload']
  const body: Record<string, unknown> = { type: 'broadcast', event: decoded['user_event'], payload: userPayload }
  const metadata = decoded['metadata']
  if (metadata !== '' && metadata !== undefined) {
    for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) body[key] = value
  }
  const message = { joinRef: decoded['join_ref'] as string | null, ref: decoded['ref'] as string | null, topic: decoded['topic'] as string, event: 'broadcast', payload: body }
  return { message, userPayload }
}

test('every binary `out` fixture (kind 3) decodes with decodeClientFrame and re-encodes byte-identically', () => {
  let count = 0
  for (const fixture of frames) {
    if (fixture.dir !== 'out' || !isBinaryFrame(fixture.frame)) continue
    const decoded = fixture.frame.decoded
    assert.is(decoded['kind'], 3, label(fixture))
    const bytes = hexToBytes(fixture.frame.binary_hex)
    const { message, userPayload } = kind3Message(decoded)

    const got = expectOk(decodeClientFrame(bytes, fixture.vsn), label(fixture))
    const metadata = decoded['metadata']
    const expectedPayload: Record<string, unknown> = { type: 'broadcast', event: decoded['user_event'], payload: userPayload }
    if (metadata !== '') expectedPayload['meta'] = metadata
    assertSame(
      { joinRef: got.joinRef, ref: got.ref, topic: got.topic, event: got.event, payload: got.payload },
      { joinRef: message.joinRef, ref: message.ref, topic: message.topic, event: 'broadcast', payload: expectedPayload },
      label(fixture),
    )
    assert.ok('raw' in got, 'kind-3 decode keeps the raw user payload')
    assert.is(got.raw.encoding, decoded['payload_encoding'], label(fixture))
    assert.is(got.raw.userEvent, decoded['user_event'], label(fixture))
    assert.is(got.raw.metadata, metadata === '' ? '' : JSON.stringify(metadata), label(fixture))

    const encoded = encodeClientFrame(message, fixture.vsn)
    assert.instance(encoded, Uint8Array, label(fixture))
    assert.is(toHex(encoded as Uint8Array), fixture.frame.binary_hex, label(fixture))
    count++
  }
  assert.ok(count >= 2)
})

test('the kind-3 frame quoted in protocol.md §1.3 (non-ASCII user payload) comes out byte-identical', () => {
  const message: PhoenixMessage = { joinRef: '6', ref: '7', topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'cursor', payload: { x: 42, y: 'é' } } }
  const encoded = encodeClientFrame(message, '2.0.0') as Uint8Array
  assert.is(toHex(encoded), '0301010e06000136377265616c74696d653a726f6f6d31637572736f727b2278223a34322c2279223a22c3a9227d')
})

test('a v2 broadcast out-fixture sent as vsn 1.0.0 is the v1 object of the fixture file', () => {
  const v1 = frames.find((f) => f.dir === 'out' && f.vsn === '1.0.0' && (f.frame as Record<string, unknown>)['event'] === 'broadcast')
  assert.ok(v1, 'a v1 broadcast out-fixture')
  const vsn: Vsn = '1.0.0'
  assert.is(encodeClientFrame(textMessage(v1!), vsn), JSON.stringify(v1!.frame))
})

test.run()
