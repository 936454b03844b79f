/**
 * What the server fans out to a room, and how each subscriber's vsn turns it into a frame
 * (protocol.md §1.2–1.3, §5.3): Phoenix broadcasts are text `[null,null,topic,event,payload]`;
 * user broadcasts (kind-3 pushes, single-message REST) are binary kind 4 for vsn 2.0.0, a JSON
 * `broadcast` for vsn 1.0.0 when the payload is JSON, and dropped for vsn 1.0.0 when it is raw bytes.
 */
import { encodeServerFrame, encodeUserBroadcast, PayloadEncoding, VSN_1, type Vsn, type WireFrame } from '../protocol/index.js'

export type PayloadEncodingByte = (typeof PayloadEncoding)[keyof typeof PayloadEncoding]

export type Fanout =
  | {
      readonly kind: 'message'
      readonly event: string
      readonly payload: unknown
      /** Which read permission a private-channel subscriber needs to receive it. */
      readonly extension: 'broadcast' | 'presence'
    }
  | {
      readonly kind: 'user_broadcast'
      readonly userEvent: string
      readonly encoding: PayloadEncodingByte
      readonly payload: Uint8Array
      readonly metadata: string
    }

export function fanoutExtension(fanout: Fanout): 'broadcast' | 'presence' {
  return fanout.kind === 'message' ? fanout.extension : 'broadcast'
}

const decoder = new TextDecoder()

function userBroadcastAsJson(fanout: Extract<Fanout, { kind: 'user_broadcast' }>, topic: string): WireFrame | null {
  if (fanout.encoding === PayloadEncoding.binary) return null
  let payload: unknown
  try {
    payload = fanout.payload.length === 0 ? {} : JSON.parse(decoder.decode(fanout.payload))
  } catch {
    return null
  }
  return encodeServerFrame({ joinRef: null, ref: null, topic, event: 'broadcast', payload: { event: fanout.userEvent, payload, type: 'broadcast' } }, VSN_1)
}

/** The frame for one vsn, or `null` when that vsn cannot receive it. */
export function encodeFanout(fanout: Fanout, topic: string, vsn: Vsn): WireFrame | null {
  switch (fanout.kind) {
    case 'message':
      return encodeServerFrame({ joinRef: null, ref: null, topic, event: fanout.event, payload: fanout.payload }, vsn)
    case 'user_broadcast':
      if (vsn === VSN_1) return userBroadcastAsJson(fanout, topic)
      return encodeUserBroadcast({ topic, userEvent: fanout.userEvent, metadata: fanout.metadata, payload: fanout.payload, encoding: fanout.encoding })
    default:
      return assertNever(fanout)
  }
}

function assertNever(value: never): never {
  throw new Error(`unhandled fanout ${JSON.stringify(value)}`)
}
