/**
 * The one error type of realtime-xstate. Every failure a user can observe — a rejected promise, an
 * `error` event, a thrown call — is a `RealtimeError` with a machine-readable `code`.
 */
export type RealtimeErrorCode =
  | 'timeout'
  | 'join_failed'
  | 'unauthorized'
  | 'token_expired'
  | 'buffer_overflow'
  | 'invalid_frame'
  | 'invalid_argument'
  | 'connection_closed'
  | 'not_joined'
  | 'channel_error'
  | 'channel_closed'
  | 'push_failed'
  | 'http_error'
  | 'missing_apikey'
  | 'unsupported_vsn'
  | 'no_transport'
  | 'name_too_long'
  /** The WebSocket reported an error (network error, a failed upgrade without a known status) or could not be created. */
  | 'transport_error'
  /** The server answered the WebSocket upgrade with an HTTP error other than 401/403 (`metadata.status`, `metadata.serverError`). */
  | 'connection_failed'
  /** The access-token function threw, returned no token or did not settle in time; a fallback was used. */
  | 'token_fetch_failed'
  /** A function the client calls for inbound data (e.g. the connection's `deliver`) threw. */
  | 'listener_error'

export type RealtimeErrorMetadata = Readonly<Record<string, unknown>>

/** The error shape shared by the Supabase client libraries. */
export interface SupabaseError {
  code: RealtimeErrorCode
  message: string
  service: 'realtime'
  metadata: RealtimeErrorMetadata
}

export class RealtimeError extends Error {
  override readonly name = 'RealtimeError'
  readonly code: RealtimeErrorCode
  readonly metadata: RealtimeErrorMetadata

  constructor(code: RealtimeErrorCode, message: string, metadata: RealtimeErrorMetadata = {}) {
    super(redactSecrets(message))
    this.code = code
    this.metadata = redactMetadata(metadata)
  }

  /** Mirrors the Elixir client's `RealtimeError.new/3`. */
  static new(code: RealtimeErrorCode, message: string, metadata: RealtimeErrorMetadata = {}): RealtimeError {
    return new RealtimeError(code, message, metadata)
  }

  toJSON(): SupabaseError {
    return toSupabaseError(this)
  }
}

export function toSupabaseError(error: RealtimeError): SupabaseError {
  return { code: error.code, message: error.message, service: 'realtime', metadata: error.metadata }
}

export function isRealtimeError(value: unknown): value is RealtimeError {
  return value instanceof RealtimeError
}

// A JWT (or a piece of one: header and payload are base64url JSON, so they start with `eyJ`) or an
// `apikey=`/`access_token=` query value must never reach a log line, an error message or the
// visualizer: all of them end up in bug reports and telemetry. The one list of what is secret.
const JWT_PATTERN = /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*)?/g
const SECRET_QUERY_PATTERN = /\b(apikey|access_token|token)=([^&\s"']+)/gi
/** Keys whose values are secrets whatever they look like (compared lower-case, without `_` and `-`). */
const SECRET_KEYS = new Set(['apikey', 'accesstoken', 'token', 'authorization', 'password', 'secret', 'jwt', 'refreshtoken', 'manualtoken', 'usertoken'])
/** What a redacted JWT reads as: `eyJ…` stays so a reader still sees that a JWT was there. */
export const REDACTED_JWT = 'eyJ…[redacted]'
export const REDACTED = '[redacted]'

export function isSecretKey(key: string): boolean {
  const normal = key.toLowerCase().replace(/[_-]/g, '')
  return SECRET_KEYS.has(normal) || normal.endsWith('token')
}

export function redactSecrets(text: string): string {
  return text.replace(JWT_PATTERN, REDACTED_JWT).replace(SECRET_QUERY_PATTERN, `$1=${REDACTED}`)
}

/** A copy of `value` in which secrets are replaced; depth-limited so cyclic data cannot hang it. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactSecrets(value)
  if (value === null || typeof value !== 'object' || depth > 6) return value
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1))
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return value
  const out: Record<string, unknown> = {}
  for (const [key, item] of Object.entries(value)) {
    const safe = isSecretKey(key) && item != null ? REDACTED : redact(item, depth + 1)
    Object.defineProperty(out, key, { value: safe, enumerable: true, writable: true, configurable: true })
  }
  return out
}

function redactMetadata(metadata: RealtimeErrorMetadata): RealtimeErrorMetadata {
  return redact(metadata) as RealtimeErrorMetadata
}
