/**
 * Messages on a joined channel (protocol.md §5.1–5.2, §6.1, §8.3): `broadcast`, `presence` and
 * `access_token`. Anything else is logged and ignored, as the server does.
 */
import type { DecodedUserBroadcastPush, PhoenixMessage } from '../protocol/index.js'
import type { JoinedChannel } from './channel.js'
import type { Fanout } from './fanout.js'
import { NO_LOG } from './log.js'
import type { SocketSession } from './session.js'
import { refreshToken } from './token-check.js'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value)
}

function isUserBroadcastPush(message: PhoenixMessage): message is DecodedUserBroadcastPush {
  return 'raw' in message && typeof message.raw === 'object' && message.raw !== null
}

function jsonSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '')
}

export async function handleChannelMessage(session: SocketSession, channel: JoinedChannel, message: PhoenixMessage): Promise<void> {
  switch (message.event) {
    case 'broadcast':
      return handleBroadcast(session, channel, message)
    case 'presence':
      return handlePresence(session, channel, message)
    case 'access_token':
      return refreshToken(session, channel, message.payload)
    default:
      session.ctx.log('debug', `unexpected message of type \`${message.event}\` on ${message.topic}`)
  }
}

function handleBroadcast(session: SocketSession, channel: JoinedChannel, message: PhoenixMessage): void {
  let fanout: Fanout
  let size: number
  if (isUserBroadcastPush(message)) {
    const { raw } = message
    fanout = { kind: 'user_broadcast', userEvent: raw.userEvent, encoding: raw.encoding === 0 ? 0 : 1, payload: raw.payload, metadata: '' }
    size = raw.payload.byteLength
  } else if (isRecord(message.payload)) {
    fanout = { kind: 'message', event: 'broadcast', payload: message.payload, extension: 'broadcast' }
    size = jsonSize(message.payload)
  } else {
    return session.ctx.log('debug', `broadcast on ${message.topic} without a map payload`)
  }
  // Without write permission the server drops the message and does not answer, even with ack.
  if (!channel.policies.broadcastWrite) return
  if (size > session.ctx.options.maxPayloadBytes) return session.reply(message, 'error', 'payload_size_exceeded')
  const delivered = channel.room.fanout(fanout, channel.config.broadcast.self ? null : channel)
  if (session.ctx.log !== NO_LOG) {
    const event = fanout.kind === 'user_broadcast' ? fanout.userEvent : String((fanout.payload as Record<string, unknown>)['event'])
    session.ctx.log('info', `broadcast ${event} on ${message.topic} (${size} bytes) to ${delivered} subscriber(s)`)
  }
  if (channel.config.broadcast.ack && !session.ctx.faults.acksSwallowed) session.reply(message, 'ok', {})
}

function handlePresence(session: SocketSession, channel: JoinedChannel, message: PhoenixMessage): void {
  const payload = isRecord(message.payload) ? message.payload : {}
  const event = typeof payload['event'] === 'string' ? payload['event'].toLowerCase() : ''
  const { room } = channel
  switch (event) {
    case 'track': {
      if (!channel.policies.presenceWrite) return session.reply(message, 'error', {})
      const body = Object.hasOwn(payload, 'payload') ? payload['payload'] : {}
      if (!isRecord(body)) return session.reply(message, 'error', { reason: 'Presence track payload must be a map' })
      if (jsonSize(body) > session.ctx.options.maxPayloadBytes) return session.shutdownChannel(channel, 'Track message size exceeded')
      const diff = room.presence.track(channel, channel.presenceKey, body)
      session.reply(message, 'ok', {})
      room.presenceDiff(diff)
      // Tracking turns presence on; a channel that joined without it never got the state.
      if (!channel.presenceEnabled) {
        channel.presenceEnabled = true
        if (channel.canRead('presence')) channel.push('presence_state', room.presence.state())
      }
      return
    }
    case 'untrack': {
      const diff = room.presence.untrack(channel)
      session.reply(message, 'ok', {})
      return room.presenceDiff(diff)
    }
    default:
      return session.reply(message, 'error', {})
  }
}
