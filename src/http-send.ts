/**
 * `channel.httpSend`: one broadcast through the REST endpoint
 * `POST …/api/broadcast/:subtopic/events/:event` (protocol.md §5.5), explicitly — never as a silent
 * fallback of the socket. JSON payloads go as application/json, bytes as application/octet-stream.
 */
import { RealtimeError } from './errors.js'
import { isBinary, toBytes } from './protocol/binary.js'
import { httpEndpointOf } from './transport/url.js'

export interface HttpSendRequest {
  /** The client's `url` option. */
  url: string
  apikey: string
  /** Sent as `Authorization: Bearer …` when present. */
  token: string | null
  /** Topic without `realtime:`. */
  subTopic: string
  event: string
  payload: unknown
  private: boolean
  timeoutMs: number
  fetch: typeof fetch
}

export interface HttpSendResult {
  success: true
  status: number
}

export function httpSendUrl(url: string, subTopic: string, event: string, isPrivate: boolean): string {
  const base = `${httpEndpointOf(url)}/${encodeURIComponent(subTopic)}/events/${encodeURIComponent(event)}`
  return isPrivate ? `${base}?private=true` : base
}

/**
 * @returns `{ success: true, status }` for a 2xx answer.
 * @throws RealtimeError `invalid_argument` (no payload), `timeout` (no answer in time), `http_error`
 *   (any other status, with the server's message and the status in metadata).
 */
export async function httpSend(request: HttpSendRequest): Promise<HttpSendResult> {
  if (request.payload === null || request.payload === undefined) {
    throw new RealtimeError('invalid_argument', 'httpSend(): a payload is required')
  }
  if (typeof request.event !== 'string' || request.event.length === 0) {
    throw new RealtimeError('invalid_argument', 'httpSend(): the event must be a non-empty string')
  }
  const binary = isBinary(request.payload)
  let body: string | Uint8Array
  try {
    body = binary ? toBytes(request.payload as ArrayBuffer | ArrayBufferView) : JSON.stringify(request.payload)
  } catch (error) {
    throw new RealtimeError('invalid_argument', `httpSend(): the payload cannot be sent as JSON: ${(error as Error).message}`)
  }
  const headers: Record<string, string> = {
    apikey: request.apikey,
    'Content-Type': binary ? 'application/octet-stream' : 'application/json',
  }
  if (request.token) headers['Authorization'] = `Bearer ${request.token}`
  const url = httpSendUrl(request.url, request.subTopic, request.event, request.private)
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), request.timeoutMs)
  let response: Response
  try {
    response = await request.fetch(url, { method: 'POST', headers, body: body as BodyInit, signal: controller.signal })
  } catch (error) {
    if (controller.signal.aborted) {
      throw new RealtimeError('timeout', `httpSend(): no answer within ${request.timeoutMs} ms`, { timeoutMs: request.timeoutMs })
    }
    throw new RealtimeError('http_error', `httpSend(): request failed: ${(error as Error).message}`, { url })
  } finally {
    clearTimeout(timer)
  }
  if (response.ok) {
    await response.body?.cancel().catch(() => {})
    return { success: true, status: response.status }
  }
  const text = await response.text().catch(() => '')
  throw new RealtimeError('http_error', `httpSend(): ${response.status} ${errorMessageOf(text, response)}`, { status: response.status, body: text.slice(0, 500) })
}

function errorMessageOf(text: string, response: Response): string {
  if (response.status === 404) return 'the endpoint does not exist (httpSend() requires Realtime server v2.97.0 or newer)'
  try {
    const parsed = JSON.parse(text) as { error?: unknown; message?: unknown }
    if (typeof parsed.error === 'string') return parsed.error
    if (typeof parsed.message === 'string') return parsed.message
  } catch {
    // not JSON: fall through to the status text
  }
  return response.statusText || text || 'error'
}
