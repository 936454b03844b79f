/**
 * Turns anything an actor holds (events, context) into small JSON for the visualizer: secrets
 * replaced, long strings cut, deep or wide values summarised, live objects (actors, functions,
 * maps) named instead of copied. The bridge runs it on every forwarded value, so it must never
 * throw and never walk more than its limits.
 */
import { isSecretKey, REDACTED, REDACTED_JWT, redactSecrets } from '../errors.js'
import type { Json } from './stately-export.js'

export interface RedactLimits {
  /** Levels of nesting kept; deeper values become '…'. */
  depth: number
  /** Characters kept of a string. */
  maxString: number
  /** Keys kept of an object, items of an array or map. */
  maxItems: number
}

export const EVENT_LIMITS: RedactLimits = { depth: 4, maxString: 160, maxItems: 16 }
export const CONTEXT_LIMITS: RedactLimits = { depth: 2, maxString: 80, maxItems: 24 }

// What is secret is decided in one place, for errors, logs and the visualizer alike.
export { REDACTED, REDACTED_JWT }

/** `value` as redacted, bounded JSON. */
export function redact(value: unknown, limits: RedactLimits = EVENT_LIMITS): Json {
  try {
    return walk(value, limits, 0)
  } catch {
    // A getter that throws, a revoked proxy: the visualizer shows that instead of breaking the client.
    return '[unreadable]'
  }
}

/** A string with every JWT in it replaced, then cut to `max` characters. */
export function redactString(text: string, max: number): string {
  const clean = redactSecrets(text)
  return clean.length > max ? `${clean.slice(0, max)}…(${clean.length} chars)` : clean
}

function walk(value: unknown, limits: RedactLimits, depth: number): Json {
  switch (typeof value) {
    case 'string':
      return redactString(value, limits.maxString)
    case 'number':
      return Number.isFinite(value) ? value : String(value)
    case 'boolean':
      return value
    case 'bigint':
      return `${value}n`
    case 'undefined':
      return null
    case 'symbol':
      return value.toString()
    case 'function':
      return `ƒ ${value.name || 'anonymous'}`
  }
  if (value === null) return null
  const object = value as object
  if (isActorRef(object)) return `[actor ${String((object as { id?: unknown }).id ?? '?')}]`
  if (object instanceof ArrayBuffer) return `<${object.byteLength} bytes>`
  if (ArrayBuffer.isView(object)) return `<${object.byteLength} bytes>`
  if (object instanceof Date) return object.toISOString()
  if (depth >= limits.depth) return Array.isArray(object) ? `[${object.length} items]` : '…'
  if (object instanceof Error) return errorJson(object, limits, depth)
  if (Array.isArray(object)) return listJson(object, object.length, limits, depth)
  if (object instanceof Map) return { [`Map(${object.size})`]: entriesJson(object.entries(), object.size, limits, depth) }
  if (object instanceof Set) return { [`Set(${object.size})`]: listJson(object.values(), object.size, limits, depth) }
  return entriesJson(Object.entries(object), Object.keys(object).length, limits, depth)
}

function isActorRef(object: object): boolean {
  const candidate = object as { sessionId?: unknown; send?: unknown; getSnapshot?: unknown }
  return typeof candidate.sessionId === 'string' && typeof candidate.send === 'function' && typeof candidate.getSnapshot === 'function'
}

function errorJson(error: Error, limits: RedactLimits, depth: number): Json {
  const json: { [key: string]: Json } = { name: error.name, message: redactString(error.message, limits.maxString) }
  for (const [key, value] of Object.entries(error)) json[key] = isSecretKey(key) ? secret(value) : walk(value, limits, depth + 1)
  return json
}

function listJson(items: Iterable<unknown>, size: number, limits: RedactLimits, depth: number): Json[] {
  const out: Json[] = []
  for (const item of items) {
    if (out.length >= limits.maxItems) {
      out.push(`…(+${size - limits.maxItems})`)
      break
    }
    out.push(walk(item, limits, depth + 1))
  }
  return out
}

function entriesJson(entries: Iterable<[unknown, unknown]>, size: number, limits: RedactLimits, depth: number): { [key: string]: Json } {
  const out: { [key: string]: Json } = {}
  let count = 0
  for (const [rawKey, item] of entries) {
    if (count >= limits.maxItems) {
      out['…'] = `+${size - limits.maxItems} more`
      break
    }
    const key = redactString(String(rawKey), limits.maxString)
    out[key] = isSecretKey(key) ? secret(item) : walk(item, limits, depth + 1)
    count += 1
  }
  return out
}

/** A secret's value: its absence or type stays visible (useful when debugging auth), never the value. */
function secret(value: unknown): Json {
  if (value === null || value === undefined || value === '') return value === '' ? '' : null
  if (typeof value === 'string' && value.startsWith('eyJ')) return REDACTED_JWT
  return REDACTED
}
