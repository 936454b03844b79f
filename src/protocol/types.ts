/**
 * The wire vocabulary shared by the client and the dev server (protocol.md §1–§8).
 * One decoded frame is a `PhoenixMessage`, whatever the vsn and whether it came as text or binary.
 */
export type Vsn = '1.0.0' | '2.0.0'
export const VSN_1 = '1.0.0' satisfies Vsn
export const VSN_2 = '2.0.0' satisfies Vsn
export const DEFAULT_VSN: Vsn = VSN_2

export type Ref = string | null

/** A JSON value as it comes out of `JSON.parse`. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** A binary payload. Decoders hand out ArrayBuffers; encoders also take typed arrays and DataViews. */
export type BinaryPayload = ArrayBuffer | ArrayBufferView

export interface PhoenixMessage<P = unknown> {
  joinRef: Ref
  ref: Ref
  topic: string
  event: string
  payload: P
}

/**
 * The payload of a `broadcast` event, in realtime-js's shape. `payload` is JSON or, for binary user
 * broadcasts (kinds 3 and 4), an ArrayBuffer. `meta` is the kind-3/4 metadata when present.
 */
export interface BroadcastPayload {
  type: 'broadcast'
  event: string
  payload: unknown
  meta?: Record<string, unknown>
}

/** A reply as it arrives in `phx_reply`. Binary replies (kind 1) carry an ArrayBuffer response. */
export interface ReplyPayload {
  status: 'ok' | 'error' | (string & {})
  response: unknown
}

/** Binary frame kinds of vsn 2.0.0 (protocol.md §1.3). */
export const BinaryKind = {
  push: 0,
  reply: 1,
  broadcast: 2,
  userBroadcastPush: 3,
  userBroadcast: 4,
} as const
export type BinaryKind = (typeof BinaryKind)[keyof typeof BinaryKind]

/** `payload_encoding` byte of kinds 3 and 4. */
export const PayloadEncoding = { binary: 0, json: 1 } as const

export const PHOENIX_TOPIC = 'phoenix'
export const TOPIC_PREFIX = 'realtime:'

/** The event names Phoenix and Realtime use on the wire. */
export const WireEvent = {
  join: 'phx_join',
  reply: 'phx_reply',
  leave: 'phx_leave',
  close: 'phx_close',
  error: 'phx_error',
  heartbeat: 'heartbeat',
  accessToken: 'access_token',
  broadcast: 'broadcast',
  presence: 'presence',
  presenceState: 'presence_state',
  presenceDiff: 'presence_diff',
  postgresChanges: 'postgres_changes',
  system: 'system',
} as const

/** What one encoded frame is: a text frame or a binary frame. */
export type WireFrame = string | Uint8Array
