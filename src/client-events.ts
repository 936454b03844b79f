/**
 * `client.send(event)` takes what a user may ask of the root (`ClientEvent`), checked here: a
 * malformed event, or one of the notifications the root's children send it, is an
 * `invalid_argument` error and changes nothing — it never reaches the machine.
 */
import type { ClientEvent } from '../machines/client/contract.js'
import { RealtimeError } from './errors.js'

type Fields = Record<string, unknown>

const PLAIN_TYPES: ReadonlySet<string> = new Set(['connect', 'online', 'offline', 'visible', 'hidden', 'resume', 'suspend'])

function fail(event: unknown, why: string): never {
  const type = typeof event === 'object' && event !== null ? (event as Fields)['type'] : undefined
  throw new RealtimeError('invalid_argument', `client.send(event): ${why}`, { type: typeof type === 'string' ? type : String(type) })
}

function optional(event: Fields, key: string, kind: 'number' | 'string', raw: unknown): void {
  if (event[key] !== undefined && typeof event[key] !== kind) fail(raw, `\`${key}\` must be a ${kind}`)
}

function isToken(value: unknown): boolean {
  return value === null || (typeof value === 'string' && value.length > 0)
}

/** The event as a `ClientEvent`, or a thrown `invalid_argument` RealtimeError. */
export function checkClientEvent(raw: unknown): ClientEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(raw, 'the event must be an object with a `type`')
  const event = raw as Fields
  const type = event['type']
  if (typeof type !== 'string') fail(raw, 'the event needs a string `type`')
  if (PLAIN_TYPES.has(type)) return raw as ClientEvent
  switch (type) {
    case 'disconnect':
      optional(event, 'code', 'number', raw)
      optional(event, 'reason', 'string', raw)
      return raw as ClientEvent
    case 'setAuth':
      if (!isToken(event['token'])) fail(raw, '`token` must be a non-empty string or null')
      return raw as ClientEvent
    case 'channel.add':
    case 'channel.subscribe':
    case 'channel.unsubscribe':
    case 'channel.remove':
    case 'channel.push':
    case 'channel.track':
    case 'channel.untrack':
    case 'channel.configure':
    case 'channel.setAuth':
      return checkChannelEvent(type, event, raw)
    default:
      return fail(raw, `'${type}' is not an event a user may send (see ClientEvent)`)
  }
}

function checkChannelEvent(type: string, event: Fields, raw: unknown): ClientEvent {
  if (typeof event['topic'] !== 'string' || event['topic'].length === 0) fail(raw, '`topic` must be a non-empty string')
  optional(event, 'timeoutMs', 'number', raw)
  const needsRef = type === 'channel.push' || type === 'channel.track' || type === 'channel.untrack'
  if (needsRef && (typeof event['ref'] !== 'string' || event['ref'].length === 0)) fail(raw, '`ref` must be a non-empty string')
  if (type === 'channel.push') {
    if (typeof event['event'] !== 'string' || event['event'].length === 0) fail(raw, '`event` must be a non-empty string')
    if (typeof event['expectReply'] !== 'boolean') fail(raw, '`expectReply` must be a boolean')
  }
  if (type === 'channel.track' && (typeof event['payload'] !== 'object' || event['payload'] === null || Array.isArray(event['payload']))) {
    fail(raw, '`payload` must be an object')
  }
  if ((type === 'channel.configure' || (type === 'channel.add' && event['config'] !== undefined)) && (typeof event['config'] !== 'object' || event['config'] === null)) {
    fail(raw, '`config` must be an object')
  }
  if (type === 'channel.setAuth' && !isToken(event['token'])) fail(raw, '`token` must be a non-empty string or null')
  return raw as ClientEvent
}
