/**
 * Which join errors are worth retrying. Realtime answers a failed join with `{reason: "<Code>: <text>"}`
 * (or a bare text) after sleeping 5 s (protocol.md §4.4). realtime-js retries every reason forever; we
 * stop on the ones that cannot change without the user acting (a new token, another config), so a
 * misconfigured app does not hammer the server every 10 s. A final error still yields to `setAuth` and
 * to an explicit `subscribe()`.
 */

/** Server reason codes after which a rejoin with the same token and config cannot succeed. */
const FINAL_CODES: ReadonlySet<string> = new Set([
  // The topic is `realtime:` alone: the same topic will never have a name.
  'TopicNameRequired',
  // No read policy for this topic and token: only another token (setAuth) can change that.
  'Unauthorized',
  // The project refuses public channels: only `private: true` helps.
  'PrivateOnly',
  // Expired, malformed or badly signed token: retrying sends the same token again.
  'InvalidJWTToken',
  'MalformedJWT',
  'JwtSignatureError',
  // The server cannot verify any token (secret/JWKS misconfigured): an operator must act.
  'JwtSignerError',
  // The tenant does not exist or has Realtime switched off.
  'TenantNotFound',
  'RealtimeDisabledForTenant',
  'RealtimeDisabledForConfiguration',
  // Replay parameters were rejected: the same join payload is rejected again.
  'UnableToReplayMessages',
])

/** Bare reasons (no `Code:` prefix) that are final. */
const FINAL_TEXTS: ReadonlySet<string> = new Set([
  // Phoenix's answer for a topic no channel route matches (not `realtime:*`).
  'unmatched topic',
])

export interface JoinFailure {
  /** The server's reason as sent, e.g. `Unauthorized: You do not have permissions …`. */
  reason: string
  /** The `Code` prefix when there is one. */
  code: string | null
  /** True when a rejoin cannot succeed without the user changing something. */
  final: boolean
}

/** Reads a join error reply's `response` (a `{reason}` map, or a bare string). */
export function classifyJoinError(response: unknown): JoinFailure {
  const reason = reasonOf(response)
  const match = /^([A-Za-z]+):/.exec(reason)
  const code = match?.[1] ?? null
  const final = code !== null ? FINAL_CODES.has(code) : FINAL_TEXTS.has(reason)
  return { reason, code, final }
}

function reasonOf(response: unknown): string {
  if (typeof response === 'string') return response
  if (typeof response === 'object' && response !== null && 'reason' in response && typeof response.reason === 'string') {
    return response.reason
  }
  try {
    return JSON.stringify(response) ?? 'error'
  } catch {
    return 'error'
  }
}
