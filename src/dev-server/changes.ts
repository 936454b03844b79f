/** Connects a joined channel's postgres_changes bindings to the configured `ChangeSource`, if any. */
import { encodeServerFrame } from '../protocol/index.js'
import type { JoinedChannel } from './channel.js'
import type { ChangeSubscriber, ChangeSubscription } from './change-source.js'
import type { SocketSession } from './session.js'

function systemPush(channel: JoinedChannel, status: 'ok' | 'error', message: string): void {
  channel.push('system', { channel: channel.subtopic, extension: 'postgres_changes', message, status })
}

/** Subscribes without holding up the socket: the real server subscribes after the join reply too. */
export function subscribeChanges(session: SocketSession, channel: JoinedChannel): void {
  const source = session.ctx.options.changeSource
  if (!source || channel.config.postgresChanges.length === 0) return
  const subscriber: ChangeSubscriber = {
    topic: channel.topic,
    claims: channel.token.claims,
    bindings: channel.config.postgresChanges,
    deliver: (ids, data) => {
      const payload = { ids: [...ids], data }
      channel.deliver(encodeServerFrame({ joinRef: null, ref: null, topic: channel.topic, event: 'postgres_changes', payload }, channel.vsn))
    },
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
