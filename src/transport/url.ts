/**
 * Where the client connects (protocol.md §1.1) and where it POSTs REST broadcasts (§5.4).
 * One place turns the user's project URL into both, so the socket and REST never disagree.
 */
import { RealtimeError } from '../errors.js'
import type { Vsn } from '../protocol/types.js'

/** The `log_level` the server is asked for (not the client's own `LogLevel`); anything else is treated as `error` server side (§1.1). */
export type ServerLogLevel = 'info' | 'warning' | 'error'

export interface SocketUrlOptions {
  /** `https://<project>.supabase.co`, `…/realtime/v1`, `ws://127.0.0.1:4000/socket`, or a full `…/websocket` URL. */
  url: string
  apikey: string
  vsn: Vsn
  logLevel?: ServerLogLevel
}

const WEBSOCKET_SUFFIX = '/websocket'
const HOSTED_PATH = '/realtime/v1'
// Query keys the client owns: a value the user left in `url` for one of them would be sent twice.
const OWNED_KEYS = new Set(['apikey', 'log_level', 'vsn'])

/**
 * `ws(s)://…/websocket?apikey=…[&log_level=…]&vsn=…`, keeping any other query parameter the user
 * put in `url` (after `apikey`, like realtime-js's `params`). `vsn` is last, as Phoenix appends it.
 * @throws RealtimeError `missing_apikey` without an apikey, `invalid_argument` for a URL that is
 *   not http(s)/ws(s).
 */
export function buildSocketUrl({ url, apikey, vsn, logLevel }: SocketUrlOptions): string {
  if (!apikey) throw new RealtimeError('missing_apikey', 'API key is required to connect to Realtime')
  const parsed = parseEndpoint(url)
  parsed.protocol = parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 'wss:' : 'ws:'
  const path = trimSlashes(parsed.pathname)
  if (!path.endsWith(WEBSOCKET_SUFFIX)) {
    // A bare host is a Supabase project; any other path is a Phoenix socket mount (`/socket`).
    parsed.pathname = (path === '' ? HOSTED_PATH : path) + WEBSOCKET_SUFFIX
  } else {
    parsed.pathname = path
  }
  const query: Array<[string, string]> = [['apikey', apikey]]
  for (const [key, value] of parsed.searchParams) if (!OWNED_KEYS.has(key)) query.push([key, value])
  if (logLevel) query.push(['log_level', logLevel])
  query.push(['vsn', vsn])
  // encodeURIComponent, not URLSearchParams: realtime-js encodes a space as %20, not `+`.
  const search = query.map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`).join('&')
  return `${parsed.protocol}//${parsed.host}${parsed.pathname}?${search}`
}

/**
 * The REST base of the Realtime service, without query or trailing slash:
 * `https://x.supabase.co` → `https://x.supabase.co/realtime/v1`; `ws://127.0.0.1:4000/socket` →
 * `http://127.0.0.1:4000` (the Phoenix socket mount is not part of the REST path).
 */
export function httpBaseOf(url: string): string {
  const parsed = parseEndpoint(url)
  const protocol = parsed.protocol === 'wss:' || parsed.protocol === 'https:' ? 'https:' : 'http:'
  let path = trimSlashes(parsed.pathname)
  if (path.endsWith(WEBSOCKET_SUFFIX)) path = path.slice(0, -WEBSOCKET_SUFFIX.length)
  if (path === '') path = HOSTED_PATH
  else if (path.endsWith('/socket')) path = path.slice(0, -'/socket'.length)
  return `${protocol}//${parsed.host}${path}`
}

/**
 * The batch REST broadcast endpoint (`POST …/api/broadcast`, protocol.md §5.4), like realtime-js's
 * `httpEndpointURL`: `https://x.supabase.co` → `https://x.supabase.co/realtime/v1/api/broadcast`.
 */
export function httpEndpointOf(url: string): string {
  return `${httpBaseOf(url)}/api/broadcast`
}

function parseEndpoint(url: string): URL {
  let parsed: URL
  try {
    // A path-only endpoint (`/socket`) is relative to the page, as in Phoenix's `endPointURL`.
    parsed = url.startsWith('/') && typeof location !== 'undefined' ? new URL(url, location.href) : new URL(url)
  } catch {
    throw new RealtimeError('invalid_argument', `not a valid Realtime URL: ${url}`, { url })
  }
  if (!['http:', 'https:', 'ws:', 'wss:'].includes(parsed.protocol)) {
    throw new RealtimeError('invalid_argument', `Realtime URL must be http(s) or ws(s), got ${parsed.protocol}`, { url })
  }
  return parsed
}

function trimSlashes(path: string): string {
  return path.replace(/\/+$/, '')
}
