/**
 * vsn 2.0.0 binary frames (protocol.md §1.3). Every header field is one unsigned byte and every string
 * is UTF-8 whose *byte* length is in the header, so names are limited to 255 bytes. Decoding reads
 * through views of the one buffer; only a raw binary user payload is copied out, because callers
 * receive it as an ArrayBuffer they may keep.
 */
import { RealtimeError } from '../errors.js'
import { BinaryKind, PayloadEncoding, type PhoenixMessage, type Ref } from './types.js'

const encoder = new TextEncoder()
// fatal: a name that is not valid UTF-8 is a malformed frame, not a string full of U+FFFD.
// ignoreBOM: a name may start with U+FEFF; the default decoder would silently drop it.
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const MAX_FIELD_BYTES = 255

/** A binary frame that cannot be decoded; the codec turns it into an `invalid_frame` error. */
export class MalformedFrameError extends Error {}
/** A header or field that runs past the end of the frame. */
export class TruncatedFrameError extends MalformedFrameError {}

/**
 * The UTF-8 byte length of a binary frame's header field, checked in the same pass: an unpaired UTF-16
 * surrogate has no UTF-8 form (TextEncoder would write U+FFFD instead), and a field has one length
 * byte. Throws `invalid_argument` or `name_too_long`; the channel facade runs it on a broadcast's event
 * name so that the caller gets the error, not the socket.
 */
export function fieldLength(name: string, value: string): number {
  let bytes = 0
  for (let i = 0; i < value.length; i++) {
    const unit = value.charCodeAt(i)
    if (unit < 0x80) bytes += 1
    else if (unit < 0x800) bytes += 2
    else if (unit < 0xd800 || unit > 0xdfff) bytes += 3
    else if (unit <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
      bytes += 4
      i++
    } else {
      throw new RealtimeError('invalid_argument', `${name} contains an unpaired UTF-16 surrogate and cannot be sent as UTF-8`, { field: name })
    }
  }
  if (bytes > MAX_FIELD_BYTES) {
    throw new RealtimeError('name_too_long', `${name} length ${bytes} exceeds maximum of ${MAX_FIELD_BYTES} bytes`, { field: name, bytes })
  }
  return bytes
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff
}

/** A header field: its name (for errors) and its text. */
type Field = readonly [name: string, value: string]

/**
 * One frame: the kind, one length byte per field, the `trailer` bytes, the fields as UTF-8, then the
 * payload. Fields are written straight into the frame (ASCII byte by byte, anything else with
 * `encodeInto`): every outgoing broadcast is one of these, so no array per field (issue 6).
 */
function frame(kind: number, fields: readonly Field[], trailer: readonly number[], payload: Uint8Array): Uint8Array {
  const lengths = fields.map(([name, value]) => fieldLength(name, value))
  let size = 1 + fields.length + trailer.length + payload.length
  for (const length of lengths) size += length
  const out = new Uint8Array(size)
  out[0] = kind
  let offset = 1
  for (const length of lengths) out[offset++] = length
  for (const byte of trailer) out[offset++] = byte
  fields.forEach(([, value], index) => {
    const length = lengths[index]!
    if (length === value.length) for (let i = 0; i < length; i++) out[offset + i] = value.charCodeAt(i)
    else encoder.encodeInto(value, out.subarray(offset, offset + length))
    offset += length
  })
  out.set(payload, offset)
  return out
}

export function toBytes(payload: ArrayBuffer | ArrayBufferView): Uint8Array {
  if (payload instanceof Uint8Array) return payload
  if (ArrayBuffer.isView(payload)) return new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength)
  return new Uint8Array(payload)
}

export function isBinary(value: unknown): value is ArrayBuffer | ArrayBufferView {
  return value instanceof ArrayBuffer || ArrayBuffer.isView(value)
}

/** Kind 3: a user broadcast pushed by a client. */
export interface UserBroadcastPush {
  joinRef: Ref
  ref: Ref
  topic: string
  userEvent: string
  /** Serialized JSON object, or '' for none. */
  metadata: string
  payload: Uint8Array
  encoding: (typeof PayloadEncoding)[keyof typeof PayloadEncoding]
}

export function encodeUserBroadcastPush(push: UserBroadcastPush): Uint8Array {
  const fields: Field[] = [
    ['join_ref', push.joinRef ?? ''],
    ['ref', push.ref ?? ''],
    ['topic', push.topic],
    ['user_event', push.userEvent],
    ['metadata', push.metadata],
  ]
  return frame(BinaryKind.userBroadcastPush, fields, [push.encoding], push.payload)
}

/** Kind 4: a user broadcast fanned out by the server. */
export interface UserBroadcast {
  topic: string
  userEvent: string
  metadata: string
  payload: Uint8Array
  encoding: (typeof PayloadEncoding)[keyof typeof PayloadEncoding]
}

export function encodeUserBroadcast(message: UserBroadcast): Uint8Array {
  const fields: Field[] = [
    ['topic', message.topic],
    ['user_event', message.userEvent],
    ['metadata', message.metadata],
  ]
  return frame(BinaryKind.userBroadcast, fields, [message.encoding], message.payload)
}

/** Kind 0 from a client: a push whose payload is raw bytes. */
export function encodeClientPush(message: PhoenixMessage<Uint8Array>): Uint8Array {
  const fields: Field[] = [
    ['join_ref', message.joinRef ?? ''],
    ['ref', message.ref ?? ''],
    ['topic', message.topic],
    ['event', message.event],
  ]
  return frame(BinaryKind.push, fields, [], message.payload)
}

/** Kind 0 from the server: a push with raw bytes (no ref). */
export function encodeServerPush(message: PhoenixMessage<Uint8Array>): Uint8Array {
  const fields: Field[] = [
    ['join_ref', message.joinRef ?? ''],
    ['topic', message.topic],
    ['event', message.event],
  ]
  return frame(BinaryKind.push, fields, [], message.payload)
}

/** Kind 1: a reply with a raw binary response. */
export function encodeServerReply(message: { joinRef: Ref; ref: Ref; topic: string; status: string; response: Uint8Array }): Uint8Array {
  const fields: Field[] = [
    ['join_ref', message.joinRef ?? ''],
    ['ref', message.ref ?? ''],
    ['topic', message.topic],
    ['status', message.status],
  ]
  return frame(BinaryKind.reply, fields, [], message.response)
}

/** Kind 2: a broadcast with a raw binary payload. */
export function encodeServerBroadcast(message: { topic: string; event: string; payload: Uint8Array }): Uint8Array {
  const fields: Field[] = [
    ['topic', message.topic],
    ['event', message.event],
  ]
  return frame(BinaryKind.broadcast, fields, [], message.payload)
}

/** Reads length-prefixed fields from one frame without copying. */
class Reader {
  offset: number
  constructor(
    readonly bytes: Uint8Array,
    headerSize: number,
  ) {
    if (bytes.length < headerSize) throw new TruncatedFrameError(`binary header needs ${headerSize} bytes, frame has ${bytes.length}`)
    this.offset = headerSize
  }
  string(length: number): string {
    const end = this.offset + length
    if (end > this.bytes.length) throw new TruncatedFrameError(`field runs past the end of the frame (${end} > ${this.bytes.length})`)
    const value = length === 0 ? '' : decoder.decode(this.bytes.subarray(this.offset, end))
    this.offset = end
    return value
  }
  ref(length: number): Ref {
    return length === 0 ? null : this.string(length)
  }
  rest(): Uint8Array {
    return this.bytes.subarray(this.offset)
  }
}

/**
 * The bytes as a fresh ArrayBuffer of exactly their length. (Copying through a new Uint8Array is about
 * twice as fast as `ArrayBuffer.prototype.slice` in V8, and unlike `view.slice()` it also copies when
 * the view is a Node Buffer, whose `slice` shares memory with the whole socket pool.)
 */
function copyOut(view: Uint8Array): ArrayBuffer {
  const copy = new Uint8Array(view.length)
  copy.set(view)
  return copy.buffer
}

function parseJsonBytes(view: Uint8Array): unknown {
  return view.length === 0 ? {} : JSON.parse(decoder.decode(view))
}

function userPayload(view: Uint8Array, encoding: number): unknown {
  return encoding === PayloadEncoding.binary ? copyOut(view) : parseJsonBytes(view)
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function broadcastPayload(userEvent: string, metadataText: string, payload: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = { type: 'broadcast', event: userEvent, payload }
  if (metadataText.length > 0) {
    const meta: unknown = JSON.parse(metadataText)
    if (!isJsonObject(meta)) throw new MalformedFrameError('binary broadcast metadata is not a JSON object')
    out['meta'] = meta
  }
  return out
}

/** Binary frames a client receives: kinds 0, 1, 2 and 4. */
export function decodeServerBinary(bytes: Uint8Array): PhoenixMessage {
  const kind = bytes[0]
  switch (kind) {
    case BinaryKind.push: {
      const r = new Reader(bytes, 4)
      const joinRef = r.ref(bytes[1]!)
      const topic = r.string(bytes[2]!)
      const event = r.string(bytes[3]!)
      return { joinRef, ref: null, topic, event, payload: copyOut(r.rest()) }
    }
    case BinaryKind.reply: {
      const r = new Reader(bytes, 5)
      const joinRef = r.ref(bytes[1]!)
      const ref = r.ref(bytes[2]!)
      const topic = r.string(bytes[3]!)
      const status = r.string(bytes[4]!)
      return { joinRef, ref, topic, event: 'phx_reply', payload: { status, response: copyOut(r.rest()) } }
    }
    case BinaryKind.broadcast: {
      const r = new Reader(bytes, 3)
      const topic = r.string(bytes[1]!)
      const event = r.string(bytes[2]!)
      return { joinRef: null, ref: null, topic, event, payload: copyOut(r.rest()) }
    }
    case BinaryKind.userBroadcast: {
      const r = new Reader(bytes, 5)
      const topic = r.string(bytes[1]!)
      const userEvent = r.string(bytes[2]!)
      const metadata = r.string(bytes[3]!)
      // realtime-js parses only encoding 1 as JSON and hands anything else over as bytes; the server
      // only ever sends 0 or 1, so any other value is a malformed frame rather than a guess.
      const encoding = bytes[4]!
      if (encoding !== PayloadEncoding.binary && encoding !== PayloadEncoding.json) throw new MalformedFrameError(`unknown payload encoding ${encoding}`)
      const payload = userPayload(r.rest(), encoding)
      return { joinRef: null, ref: null, topic, event: 'broadcast', payload: broadcastPayload(userEvent, metadata, payload) }
    }
    default:
      throw new MalformedFrameError(kind === undefined ? 'empty binary frame' : `unknown binary kind ${kind}`)
  }
}

/** A kind-3 push as the dev server sees it: the decoded message plus the raw user payload. */
export interface DecodedUserBroadcastPush extends PhoenixMessage<Record<string, unknown>> {
  raw: { payload: Uint8Array; encoding: number; metadata: string; userEvent: string }
}

/** Binary frames a server receives: kinds 0 and 3. */
export function decodeClientBinary(bytes: Uint8Array): PhoenixMessage | DecodedUserBroadcastPush {
  const kind = bytes[0]
  switch (kind) {
    case BinaryKind.push: {
      const r = new Reader(bytes, 5)
      const joinRef = r.ref(bytes[1]!)
      const ref = r.ref(bytes[2]!)
      const topic = r.string(bytes[3]!)
      const event = r.string(bytes[4]!)
      return { joinRef, ref, topic, event, payload: copyOut(r.rest()) }
    }
    case BinaryKind.userBroadcastPush: {
      const r = new Reader(bytes, 7)
      const joinRef = r.ref(bytes[1]!)
      const ref = r.ref(bytes[2]!)
      const topic = r.string(bytes[3]!)
      const userEvent = r.string(bytes[4]!)
      const metadata = r.string(bytes[5]!)
      // The server treats every non-zero encoding as JSON (protocol.md §1.3).
      const encoding = bytes[6] === 0 ? PayloadEncoding.binary : PayloadEncoding.json
      const rest = r.rest()
      const payload = userPayload(rest, encoding)
      return {
        joinRef,
        ref,
        topic,
        event: 'broadcast',
        payload: broadcastPayload(userEvent, metadata, payload),
        raw: { payload: rest, encoding, metadata, userEvent },
      }
    }
    default:
      throw new MalformedFrameError(kind === undefined ? 'empty binary frame' : `unknown binary kind ${kind}`)
  }
}
