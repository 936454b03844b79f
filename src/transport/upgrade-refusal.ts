/**
 * What a refused WebSocket upgrade means (protocol.md §1.1): the server answers with a plain HTTP
 * status and a `{"error": "<message>"}` body, which only `ws` lets a client read (browsers see 1006).
 * A 401/403 is the key or the token, not the network: the app must act, so it gets its own code.
 */
import { RealtimeError } from '../errors.js'

/** The error of an upgrade refused with `status` and the response body `body` (JSON or not). */
export function upgradeRefusalError(status: number, body: string): RealtimeError {
  const serverError = serverErrorOf(body)
  const code = status === 401 && serverError !== null && serverError.startsWith('Token has expired') ? 'token_expired' : status === 401 || status === 403 ? 'unauthorized' : 'connection_failed'
  const detail = serverError === null ? '' : `: ${serverError}`
  return new RealtimeError(code, `the server refused the WebSocket upgrade with HTTP ${status}${detail}`, { status, serverError })
}

function serverErrorOf(body: string): string | null {
  try {
    const parsed = JSON.parse(body) as unknown
    if (typeof parsed === 'object' && parsed !== null) {
      const { error, message } = parsed as { error?: unknown; message?: unknown }
      if (typeof error === 'string') return error
      if (typeof message === 'string') return message
    }
  } catch {
    // Not JSON (a proxy's HTML page): the status alone says enough.
  }
  return null
}
