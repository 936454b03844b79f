/**
 * When to ask the token function for a fresh token (issue 15). The token's `exp` is read, never
 * verified: the server verifies; the client only needs to know when the token runs out, so that a
 * long-lived tab never has its channels closed for an expired token while the function can give a
 * fresh one. Pure: the clock comes in as `nowMs`.
 */

/** realtime-js refreshes no earlier than this before expiry; our floor for the margin. */
export const MIN_TOKEN_REFRESH_MARGIN_MS = 60_000

/** The default margin: the larger of 60 s and two heartbeat intervals (the check runs on heartbeats). */
export function tokenRefreshMarginFor(heartbeatIntervalMs: number): number {
  return Math.max(MIN_TOKEN_REFRESH_MARGIN_MS, 2 * heartbeatIntervalMs)
}

/** The token's `exp` in ms since the epoch, or null when it is not a JWT with a numeric `exp` (an apikey, an opaque token). */
export function tokenExpiresAt(token: string | null | undefined): number | null {
  if (typeof token !== 'string') return null
  const parts = token.split('.')
  if (parts.length !== 3 || parts[1] === undefined) return null
  try {
    const claims = JSON.parse(decodeBase64Url(parts[1])) as unknown
    const exp = typeof claims === 'object' && claims !== null ? (claims as { exp?: unknown }).exp : undefined
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : null
  } catch {
    return null
  }
}

/** True when `token` expires within `marginMs` of `nowMs` (or already has); false for a token without `exp`. */
export function tokenNeedsRefresh(token: string | null | undefined, nowMs: number, marginMs: number): boolean {
  const expiresAt = tokenExpiresAt(token)
  return expiresAt !== null && expiresAt - nowMs < marginMs
}

function decodeBase64Url(text: string): string {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(text.length / 4) * 4, '=')
  // atob exists in browsers and Node ≥ 16; it gives Latin-1 bytes, decoded here as UTF-8.
  const binary = atob(base64)
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0))
  return new TextDecoder().decode(bytes)
}
