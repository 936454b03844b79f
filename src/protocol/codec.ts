/**
 * Encode and decode frames for both vsns, in both directions (client and dev server share this).
 * Decoding never throws: a malformed frame becomes `{ ok: false, error }` with code `invalid_frame`
 * and the frame's size, so the socket that received it can report it and keep going.
 */
import type * as v from 'valibot'
import { RealtimeError } from '../errors.js'
import {
  decodeClientBinary,
  decodeServerBinary,
  encodeClientPush,
  encodeServerPush,
  encodeServerReply,
  encodeUserBroadcastPush,
  isBinary,
  MalformedFrameError,
  toBytes,
  type DecodedUserBroadcastPush,
} from './binary.js'
import type { ObjectFrame, ServerArrayFrame } from './schemas.js'
import { clientArrayFrame, describeIssue, objectFrame, payloadCheck, serverArrayFrame } from './schemas.js'
import { PayloadEncoding, VSN_1, type PhoenixMessage, type Vsn, type WireFrame } from './types.js'

export type DecodeResult<M = PhoenixMessage> = { ok: true; message: M } | { ok: false; error: RealtimeError }

export type RawFrame = string | ArrayBuffer | ArrayBufferView

const encoder = new TextEncoder()
/** Keys of a broadcast push that travel as kind-3 metadata (realtime-js's default allow-list). */
const METADATA_KEYS = ['persist'] as const

function frameSize(data: RawFrame): number {
  if (typeof data === 'string') return encoder.encode(data).length
  return isBinary(data) ? data.byteLength : 0
}

function invalid(data: RawFrame, reason: string): { ok: false; error: RealtimeError } {
  const bytes = frameSize(data)
  return { ok: false, error: new RealtimeError('invalid_frame', `invalid frame (${bytes} bytes): ${reason}`, { bytes, reason }) }
}

type Direction = 'fromServer' | 'fromClient'

/** What turns a text frame into a value: `JSON.parse`, or a socket's own (`createFrameParser`). */
export type ParseJson = (text: string) => unknown

function parseText(data: string, vsn: Vsn, direction: Direction, parseJson: ParseJson = JSON.parse): DecodeResult {
  let value: unknown
  try {
    value = parseJson(data)
  } catch {
    return invalid(data, 'not JSON')
  }
  let message: PhoenixMessage
  if (vsn === VSN_1) {
    if (!objectFrame.is(value)) return invalid(data, `not a vsn 1.0.0 frame (${describeIssue(objectFrame.schema, value)})`)
    const frame = value as v.InferOutput<typeof ObjectFrame>
    message = { joinRef: frame.join_ref ?? null, ref: frame.ref ?? null, topic: frame.topic, event: frame.event, payload: frame.payload }
  } else {
    const check = direction === 'fromServer' ? serverArrayFrame : clientArrayFrame
    if (!check.is(value)) return invalid(data, `not a vsn 2.0.0 frame (${describeIssue(check.schema, value)})`)
    const frame = value as v.InferOutput<typeof ServerArrayFrame>
    message = { joinRef: frame[0], ref: frame[1], topic: frame[2], event: frame[3], payload: frame[4] }
  }
  return checkPayload(data, message, direction)
}

/** The event's payload schema, for text and binary frames alike; events without one take any payload. */
function checkPayload<M extends PhoenixMessage>(data: RawFrame, message: M, direction: Direction): DecodeResult<M> {
  const check = payloadCheck(message.event, direction)
  if (check && !check.is(message.payload)) {
    return invalid(data, `bad ${message.event} payload (${describeIssue(check.schema, message.payload)})`)
  }
  return { ok: true, message }
}

function parseBinary<M extends PhoenixMessage>(data: RawFrame, vsn: Vsn, direction: Direction, decode: (bytes: Uint8Array) => M): DecodeResult<M> {
  if (!isBinary(data)) return invalid(data, `not a text or binary frame (${data === null ? 'null' : typeof data})`)
  if (vsn === VSN_1) return invalid(data, 'binary frames need vsn 2.0.0')
  let message: M
  try {
    message = decode(toBytes(data))
  } catch (error) {
    // MalformedFrameError (header, lengths, kind), TypeError (invalid UTF-8), SyntaxError (JSON). A
    // decoder must never throw at the socket, so anything else is reported the same way.
    return invalid(data, error instanceof Error ? error.message : String(error))
  }
  return checkPayload(data, message, direction)
}

/** A frame the client received from the server (text frames through `parseJson` when given). */
export function decodeServerFrame(data: RawFrame, vsn: Vsn, parseJson?: ParseJson): DecodeResult {
  if (typeof data === 'string') return parseText(data, vsn, 'fromServer', parseJson)
  return parseBinary(data, vsn, 'fromServer', decodeServerBinary)
}

/** A frame the server received from a client. Kind-3 pushes keep their raw payload in `raw`. */
export function decodeClientFrame(data: RawFrame, vsn: Vsn): DecodeResult<PhoenixMessage | DecodedUserBroadcastPush> {
  if (typeof data === 'string') return parseText(data, vsn, 'fromClient')
  return parseBinary<PhoenixMessage | DecodedUserBroadcastPush>(data, vsn, 'fromClient', decodeClientBinary)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isBinary(value)
}

function stringify(value: unknown, what: string): string {
  try {
    const text = JSON.stringify(value)
    if (text === undefined) throw new TypeError('not serializable')
    return text
  } catch (error) {
    throw new RealtimeError('invalid_argument', `${what} cannot be sent as JSON: ${(error as Error).message}`)
  }
}

function encodeUserBroadcast(message: PhoenixMessage<Record<string, unknown>>): Uint8Array {
  const body = message.payload
  const userPayload = body['payload']
  const meta: Record<string, unknown> = {}
  let hasMeta = false
  for (const key of METADATA_KEYS) {
    if (body[key] !== undefined) {
      meta[key] = body[key]
      hasMeta = true
    }
  }
  const binary = isBinary(userPayload)
  return encodeUserBroadcastPush({
    joinRef: message.joinRef,
    ref: message.ref,
    topic: message.topic,
    userEvent: body['event'] as string,
    metadata: hasMeta ? stringify(meta, 'broadcast metadata') : '',
    encoding: binary ? PayloadEncoding.binary : PayloadEncoding.json,
    payload: binary ? toBytes(userPayload) : encoder.encode(stringify(userPayload ?? {}, 'broadcast payload')),
  })
}

/** A binary payload, reply response or broadcast user payload: vsn 1.0.0 has no way to carry it. */
function refuseBinaryUnderV1(message: PhoenixMessage): void {
  const payload = message.payload
  if (isBinary(payload) || (isRecord(payload) && (isBinary(payload['payload']) || isBinary(payload['response'])))) {
    throw new RealtimeError('invalid_argument', 'binary payloads need vsn 2.0.0', { topic: message.topic, event: message.event })
  }
}

/**
 * A frame the client sends. Under vsn 2.0.0 a broadcast becomes a binary kind-3 frame (as realtime-js
 * sends it), a binary payload a kind-0 push, everything else a JSON array. Throws `RealtimeError`
 * (`name_too_long`, `invalid_argument`) instead of producing a corrupt frame.
 */
export function encodeClientFrame(message: PhoenixMessage, vsn: Vsn): WireFrame {
  if (vsn === VSN_1) {
    refuseBinaryUnderV1(message)
    const frame: Record<string, unknown> = { topic: message.topic, event: message.event, payload: message.payload, ref: message.ref }
    if (message.joinRef !== null) frame['join_ref'] = message.joinRef
    return stringify(frame, 'frame')
  }
  const payload = message.payload
  if (message.event === 'broadcast' && isRecord(payload) && typeof payload['event'] === 'string') {
    return encodeUserBroadcast(message as PhoenixMessage<Record<string, unknown>>)
  }
  if (isBinary(payload)) return encodeClientPush({ ...message, payload: toBytes(payload) })
  return stringify([message.joinRef, message.ref, message.topic, message.event, payload], 'frame')
}

/**
 * A frame the server sends. vsn 1.0.0 objects carry only event/payload/ref/topic, in the sorted key
 * order the real server's JSON encoder produces. Binary payloads become kind 0 (push) or kind 1
 * (reply) under vsn 2.0.0; user broadcasts have their own encoder in binary.ts. Binary under vsn 1.0.0
 * throws `invalid_argument` (the real server converts JSON user broadcasts or drops them, never `{}`).
 */
export function encodeServerFrame(message: PhoenixMessage, vsn: Vsn): WireFrame {
  if (vsn === VSN_1) {
    refuseBinaryUnderV1(message)
    return stringify({ event: message.event, payload: message.payload, ref: message.ref, topic: message.topic }, 'frame')
  }
  const payload = message.payload
  if (message.event === 'phx_reply' && isRecord(payload) && isBinary(payload['response'])) {
    return encodeServerReply({ ...message, status: String(payload['status']), response: toBytes(payload['response']) })
  }
  if (isBinary(payload)) return encodeServerPush({ ...message, payload: toBytes(payload) })
  return stringify([message.joinRef, message.ref, message.topic, message.event, payload], 'frame')
}
