/** Connects a joined channel's postgres_changes bindings to the configured `ChangeSource`, if any. */
import { encodeServerFrame, VSN_1, type Vsn, type WireFrame } from '../protocol/index.js'
import { stringifyLossless } from '../postgres/lossless-json.js'
import type { JoinedChannel } from './channel.js'
import type { ChangeSubscriber, ChangeSubscription } from './change-source.js'
import type { SocketSession } from './session.js'

function systemPush(channel: JoinedChannel, status: 'ok' | 'error', message: string): void {
  channel.push('system', { channel: channel.subtopic, extension: 'postgres_changes', message, status })
}

// Stands in for the payload while the codec writes the frame: the payload is then written by
// `stringifyLossless`, so int8 / numeric digits reach the wire as the database gave them.
const PLACEHOLDER = '\u0000realtime-xstate-change\u0000'
const PLACEHOLDER_JSON = JSON.stringify(PLACEHOLDER)

/** `[null, null, topic, "postgres_changes", payload]` (or the vsn 1.0.0 object) with exact numbers. */
export function encodeChange(topic: string, payload: unknown, vsn: Vsn): WireFrame {
  const frame = encodeServerFrame({ joinRef: null, ref: null, topic, event: 'postgres_changes', payload: PLACEHOLDER }, vsn)
  if (typeof frame !== 'string') return frame
  // vsn 1.0.0 writes the payload before the topic, vsn 2.0.0 after it.
  const at = vsn === VSN_1 ? frame.indexOf(PLACEHOLDER_JSON) : frame.lastIndexOf(PLACEHOLDER_JSON)
  return `${frame.slice(0, at)}${stringifyLossless(payload)}${frame.slice(at + PLACEHOLDER_JSON.length)}`
}

/** Subscribes without holding up the socket: the real server subscribes after the join reply too. */
export function subscribeChanges(session: SocketSession, channel: JoinedChannel): void {
  const source = session.ctx.options.changeSource
  if (!source || channel.config.postgresChanges.length === 0) return
  const subscriber: ChangeSubscriber = {
    topic: channel.topic,
    claims: channel.token.claims,
    bindings: channel.config.postgresChanges,
    deliver: (ids, data) => channel.deliver(encodeChange(channel.topic, { ids: [...ids], data }, channel.vsn)),
  }
  const succeed = (subscription: ChangeSubscription): void => {
    channel.holdChanges(subscription)
    systemPush(channel, 'ok', 'Subscribed to PostgreSQL')
  }
  const fail = (error: unknown): void => {
    session.ctx.log('warn', `change source refused ${channel.topic}: ${String(error)}`)
    systemPush(channel, 'error', error instanceof Error ? error.message : String(error))
  }
  try {
    Promise.resolve(source.subscribe(subscriber)).then(succeed, fail)
  } catch (error) {
    fail(error)
  }
}
