/**
 * The WebSocket handshake (protocol.md §1.1–1.2): path, vsn negotiation, the apikey JWT, and the
 * HTTP errors with `{"error": …}` bodies the server answers when it refuses.
 */
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { VSN_1, VSN_2, type Vsn } from '../protocol/index.js'
import { checkToken, handshakeMessage, handshakeToken, type VerifiedToken } from './auth.js'
import type { ServerContext } from './context.js'
import { refuseUpgrade } from './http-util.js'

export const WEBSOCKET_PATHS = new Set(['/realtime/v1/websocket', '/socket/websocket'])

/** `~> 1.0.0` and `~> 2.0.0`, as the server's serializer requirements; absent means 1.0.0. */
export function negotiateVsn(requested: string | null): Vsn | null {
  if (requested === null) return VSN_1
  if (/^1\.0\.\d+$/.test(requested)) return VSN_1
  if (/^2\.0\.\d+$/.test(requested)) return VSN_2
  return null
}

export type HandshakeResult =
  | { readonly ok: true; readonly vsn: Vsn; readonly token: VerifiedToken }
  | { readonly ok: false; readonly status: number; readonly body: { error: string } }

export function checkHandshake(ctx: ServerContext, request: IncomingMessage, url: URL): HandshakeResult {
  if (!WEBSOCKET_PATHS.has(url.pathname)) return { ok: false, status: 404, body: { error: 'Not found' } }
  const refusal = ctx.faults.takeUpgradeRefusal()
  if (refusal) return { ok: false, status: refusal.status, body: { error: refusal.error } }
  const vsn = negotiateVsn(url.searchParams.get('vsn'))
  if (!vsn) return { ok: false, status: 403, body: { error: `Unsupported serializer version: ${url.searchParams.get('vsn')}` } }
  const raw = handshakeToken(request, url)
  if (!raw) return { ok: false, status: 401, body: { error: 'API key is missing' } }
  const checked = checkToken(raw, ctx.options.jwtSecret)
  if (!checked.ok) return { ok: false, status: 401, body: { error: handshakeMessage(checked.failure) } }
  return { ok: true, vsn, token: checked.token }
}

/** Refuses after the configured backoff; the socket may have gone meanwhile. */
export async function refuseAfterBackoff(ctx: ServerContext, socket: Duplex, status: number, body: { error: string }): Promise<void> {
  ctx.log('info', `handshake refused (${status}): ${body.error}`)
  await ctx.sleep(ctx.options.connectErrorBackoffMs)
  refuseUpgrade(socket, status, body)
}
