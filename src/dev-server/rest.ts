/**
 * REST broadcast (protocol.md §5.4–5.5): the batch endpoint fans out text broadcasts, the single
 * endpoint user broadcasts (kind 4 for vsn 2.0.0), both answering 202 with the server's errors:
 * 401 `{"message":"Unauthorized"}`, 403 for a private message without write permission (single),
 * 415 for other content types (single), 422 `{"errors": …}` for invalid messages.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { checkToken, evaluatePolicies, restToken, type VerifiedToken } from './auth.js'
import type { ServerContext } from './context.js'
import { contentType, readBody, sendEmpty, sendJson } from './http-util.js'
import { flexibleBoolean } from './join-config.js'

export const BATCH_PATH = /^\/(?:realtime\/v1\/)?api\/broadcast\/?$/
export const SINGLE_PATH = /^\/(?:realtime\/v1\/)?api\/broadcast\/([^/]+)\/events\/([^/]+)\/?$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const encoder = new TextEncoder()

type Errors = Record<string, unknown>

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function authenticate(ctx: ServerContext, request: IncomingMessage, response: ServerResponse): VerifiedToken | null {
  const raw = restToken(request)
  const checked = raw ? checkToken(raw, ctx.options.jwtSecret) : null
  if (checked?.ok) return checked.token
  sendJson(response, 401, { message: 'Unauthorized' })
  return null
}

function bodyLimit(ctx: ServerContext): number {
  // Room for the envelope around payloads at the size limit.
  return ctx.options.maxPayloadBytes * 2 + 1_000_000
}

function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false } {
  if (body.length === 0) return { ok: true, value: {} }
  try {
    return { ok: true, value: JSON.parse(body.toString('utf8')) }
  } catch {
    return { ok: false }
  }
}

interface BatchMessage {
  readonly topic: string
  readonly event: string
  readonly payload: Record<string, unknown>
  readonly private: boolean
  readonly id?: string
}

function validateMessage(ctx: ServerContext, entry: unknown): { message: BatchMessage | null; errors: Errors } {
  const errors: Errors = Object.create(null)
  if (!isRecord(entry)) return { message: null, errors: { message: ['is invalid'] } }
  const topic = entry['topic']
  const event = entry['event']
  const payload = entry['payload']
  const id = entry['id']
  if (topic === undefined || topic === null || topic === '') errors['topic'] = ["can't be blank"]
  else if (typeof topic !== 'string') errors['topic'] = ['is invalid']
  if (event === undefined || event === null || event === '') errors['event'] = ["can't be blank"]
  else if (typeof event !== 'string') errors['event'] = ['is invalid']
  if (payload === undefined || payload === null) errors['payload'] = ["can't be blank"]
  else if (!isRecord(payload)) errors['payload'] = ['is invalid']
  else if (Buffer.byteLength(JSON.stringify(payload)) > ctx.options.maxPayloadBytes) errors['payload'] = ['Payload size exceeds tenant limit']
  if (id !== undefined && id !== null && (typeof id !== 'string' || !UUID.test(id))) errors['id'] = ['is invalid']
  const isPrivate = entry['private']
  if (isPrivate !== undefined && isPrivate !== null && typeof isPrivate !== 'boolean' && !/^(true|false)$/i.test(String(isPrivate))) errors['private'] = ['is invalid']
  if (Object.keys(errors).length > 0) return { message: null, errors }
  return {
    message: {
      topic: topic as string,
      event: event as string,
      payload: payload as Record<string, unknown>,
      private: flexibleBoolean(isPrivate),
      ...(typeof id === 'string' ? { id } : {}),
    },
    errors,
  }
}

export async function handleBatchBroadcast(ctx: ServerContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const token = authenticate(ctx, request, response)
  if (!token) return
  const parsed = parseJson(await readBody(request, bodyLimit(ctx)))
  if (!parsed.ok) return sendJson(response, 400, { error: 'Invalid JSON body' })
  const list = isRecord(parsed.value) ? parsed.value['messages'] : undefined
  if (list === undefined || list === null) return sendJson(response, 422, { errors: { messages: ["can't be blank"] } })
  if (!Array.isArray(list)) return sendJson(response, 422, { errors: { messages: ['is invalid'] } })
  const results = list.map((entry) => validateMessage(ctx, entry))
  if (results.some((result) => result.message === null)) {
    return sendJson(response, 422, { errors: { messages: results.map((result) => result.errors) } })
  }
  const allowed = new Map<string, boolean>()
  for (const { message } of results) {
    const m = message!
    if (m.private) {
      // Private messages need write permission per topic; without it they vanish (still 202).
      if (!allowed.has(m.topic)) allowed.set(m.topic, (await evaluatePolicies(ctx.options.authorize, m.topic, token.claims)).broadcastWrite)
      if (!allowed.get(m.topic)) continue
    }
    const payload: Record<string, unknown> = { event: m.event, payload: m.payload, type: 'broadcast' }
    if (m.id !== undefined) payload['meta'] = { id: m.id }
    ctx.rooms.get(`realtime:${m.topic}`, m.private)?.fanout({ kind: 'message', event: 'broadcast', payload, extension: 'broadcast' })
  }
  sendEmpty(response, 202)
}

export async function handleSingleBroadcast(
  ctx: ServerContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  match: RegExpExecArray,
): Promise<void> {
  const token = authenticate(ctx, request, response)
  if (!token) return
  const type = contentType(request)
  if (type !== 'application/json' && type !== 'application/octet-stream') {
    return sendJson(response, 415, { error: 'Unsupported Media Type. Use application/json or application/octet-stream' })
  }
  let topic: string
  let event: string
  try {
    topic = decodeURIComponent(match[1]!)
    event = decodeURIComponent(match[2]!)
  } catch {
    return sendJson(response, 400, { error: 'Invalid path' })
  }
  const isPrivate = flexibleBoolean(url.searchParams.get('private'))
  const body = await readBody(request, bodyLimit(ctx))
  const errors: Errors = Object.create(null)
  let bytes: Uint8Array = body
  if (type === 'application/json') {
    const parsed = parseJson(body)
    if (!parsed.ok) return sendJson(response, 400, { error: 'Invalid JSON body' })
    if (parsed.value === null) errors['payload'] = ["can't be blank"]
    else bytes = encoder.encode(JSON.stringify(parsed.value))
  }
  if (!errors['payload'] && bytes.byteLength > ctx.options.maxPayloadBytes) errors['payload'] = ['Payload size exceeds tenant limit']
  if ((url.searchParams.has('persist') || url.searchParams.has('persist[ttl]')) && !isPrivate) errors['persist'] = ['can only be used on private channels']
  if (Object.keys(errors).length > 0) return sendJson(response, 422, { errors })
  if (isPrivate && !(await evaluatePolicies(ctx.options.authorize, topic, token.claims)).broadcastWrite) {
    return sendJson(response, 403, { message: 'Unauthorized' })
  }
  ctx.rooms.get(`realtime:${topic}`, isPrivate)?.fanout({
    kind: 'user_broadcast',
    userEvent: event,
    encoding: type === 'application/json' ? 1 : 0,
    payload: bytes,
    metadata: '',
  })
  sendEmpty(response, 202)
}
