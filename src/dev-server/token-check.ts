/**
 * A joined channel's token over time (protocol.md §8.2–8.3): re-checked when it expires (or after
 * `tokenRecheckMaxMs`), and replaced by `access_token` pushes, which are never answered. A token that
 * fails either way ends the channel with the shutdown pattern.
 */
import { checkToken, evaluatePolicies, systemMessage } from './auth.js'
import type { JoinedChannel } from './channel.js'
import type { SocketSession } from './session.js'

// setTimeout keeps at most a signed 32-bit delay; longer ones would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1

export function scheduleTokenCheck(session: SocketSession, channel: JoinedChannel): void {
  // +1 ms: `exp` is in whole seconds and counts as expired only once reached.
  const untilExpiry = channel.token.claims.exp * 1000 - Date.now() + 1
  const delay = Math.min(Math.max(0, Math.min(untilExpiry, session.ctx.options.tokenRecheckMaxMs)), MAX_TIMER_MS)
  channel.setRecheck(
    setTimeout(() => {
      if (channel.disposed) return
      const checked = checkToken(channel.token.raw, session.ctx.options.jwtSecret)
      if (!checked.ok) return session.shutdownChannel(channel, systemMessage(checked.failure))
      scheduleTokenCheck(session, channel)
    }, delay),
  )
}

export async function refreshToken(session: SocketSession, channel: JoinedChannel, payload: unknown): Promise<void> {
  const raw = typeof payload === 'object' && payload !== null && Object.hasOwn(payload, 'access_token') ? (payload as Record<string, unknown>)['access_token'] : undefined
  // Ignored as by the server: no token, an API key, or the token already in use.
  if (typeof raw !== 'string' || raw.startsWith('sb_') || raw === channel.token.raw) return
  const checked = checkToken(raw, session.ctx.options.jwtSecret)
  if (!checked.ok) return session.shutdownChannel(channel, systemMessage(checked.failure))
  channel.token = checked.token
  if (channel.config.private) {
    const policies = await evaluatePolicies(session.ctx.options.authorize, channel.subtopic, checked.token.claims)
    if (channel.disposed) return
    channel.policies = policies
    if (!policies.broadcastRead && !policies.presenceRead) {
      return session.shutdownChannel(channel, `You do not have permissions to read from this Channel topic: ${channel.subtopic}`)
    }
  }
  scheduleTokenCheck(session, channel)
}
