/**
 * `phx_join` (protocol.md §4.1–4.4): topic checks, token choice and verification, private-channel
 * authorization, then the ok reply with binding ids, `presence_state`, the token re-check timer and
 * the change-source subscription. Join errors wait `channelErrorBackoffMs` first, like the server.
 */
import type { PhoenixMessage } from '../protocol/index.js'
import { checkToken, evaluatePolicies, joinReason, PUBLIC_POLICIES, type VerifiedToken } from './auth.js'
import { JoinedChannel } from './channel.js'
import { scheduleTokenCheck } from './token-check.js'
import { uuidV1 } from './ids.js'
import { bindingsReply, parseJoinPayload } from './join-config.js'
import type { SocketSession } from './session.js'
import { subscribeChanges } from './changes.js'

const TOPIC_PREFIX = 'realtime:'

function chooseToken(session: SocketSession, given: string | null): string {
  // `sb_…` keys are not JWTs; the server substitutes the connection's token for them.
  if (given === null || given.startsWith('sb_')) return session.connectToken.raw
  return given
}

async function refuse(session: SocketSession, message: PhoenixMessage, reason: string): Promise<void> {
  session.ctx.log('info', `join ${message.topic} refused: ${reason}`)
  await session.ctx.sleep(session.ctx.options.channelErrorBackoffMs)
  session.reply(message, 'error', { reason })
}

export async function handleJoin(session: SocketSession, message: PhoenixMessage): Promise<void> {
  const { topic } = message
  if (!topic.startsWith(TOPIC_PREFIX)) return session.reply({ ...message, joinRef: null }, 'error', { reason: 'unmatched topic' })

  // A second join of a topic replaces the first: its channel closes, then the new join runs.
  const previous = session.channels.get(topic)
  if (previous) session.endChannel(previous, 'close')

  if (topic === TOPIC_PREFIX) return refuse(session, message, 'TopicNameRequired: You must provide a topic name')

  const request = parseJoinPayload(message.payload)
  const checked = checkToken(chooseToken(session, request.token), session.ctx.options.jwtSecret)
  if (!checked.ok) return refuse(session, message, joinReason(checked.failure))
  const token: VerifiedToken = checked.token

  const subtopic = topic.slice(TOPIC_PREFIX.length)
  const { config } = request
  const policies = config.private ? await evaluatePolicies(session.ctx.options.authorize, subtopic, token.claims) : PUBLIC_POLICIES
  if (!policies.broadcastRead && !policies.presenceRead) {
    return refuse(session, message, `Unauthorized: You do not have permissions to read from this Channel topic: ${subtopic}`)
  }
  if (!session.isOpen) return

  const presenceKey = config.presence.key ?? uuidV1()
  const room = session.ctx.rooms.open(topic, config.private)
  const channel = new JoinedChannel(session, topic, message.joinRef, config, presenceKey, token, policies, room)
  room.members.add(channel)
  session.channels.set(topic, channel)

  session.reply(message, 'ok', { postgres_changes: bindingsReply(config.postgresChanges) })
  session.ctx.log('info', `joined ${topic}${config.private ? ' (private)' : ''}${config.presence.enabled ? ', presence' : ''}${config.postgresChanges.length > 0 ? `, ${config.postgresChanges.length} postgres_changes binding(s)` : ''}`)
  if (channel.presenceEnabled && channel.canRead('presence')) channel.push('presence_state', room.presence.state())
  scheduleTokenCheck(session, channel)
  subscribeChanges(session, channel)
}
