/**
 * Exact int8 / numeric digits from a frame's raw JSON text. The real server sends them as bare JSON
 * numbers (protocol.md §7.3), and `JSON.parse` rounds any with more than ~15 significant digits. Only
 * `postgres_changes` frames whose text holds a run of 16+ digits are parsed a second time, by the small
 * lossless parser below; every other frame costs one string compare.
 */
import { RealtimeError } from '../errors.js'
import { ExactNumberText, isExactDouble } from './numbers.js'

export type ExactRecord = Readonly<Record<string, unknown>>

/** `record` / `old_record` as parsed losslessly: numbers a double cannot hold are `ExactNumberText`. */
export interface ExactRecords {
  readonly record: ExactRecord | null
  readonly old_record: ExactRecord | null
}

// 16 digits (dots allowed between them) is the shortest number a double may not hold exactly.
const LONG_NUMBER = /[\d.]{16,}/

/**
 * The frame's records with exact numbers, or `null` when there is nothing to correct: the event is
 * not `postgres_changes`, or no number in the text is long enough to have been rounded.
 * A frame that is not JSON gives an `invalid_frame` error.
 */
export function exactRecords(frameText: string, event: string): ExactRecords | null | RealtimeError {
  if (event !== 'postgres_changes' || !LONG_NUMBER.test(frameText)) return null
  let frame: unknown
  try {
    frame = parseLossless(frameText)
  } catch (error) {
    return new RealtimeError('invalid_frame', `postgres_changes frame is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  // vsn 2.0.0 frames are arrays `[join_ref, ref, topic, event, payload]`, vsn 1.0.0 objects.
  const payload = Array.isArray(frame) ? frame[4] : field(frame, 'payload')
  const data = field(payload, 'data') ?? payload
  return { record: recordField(data, 'record'), old_record: recordField(data, 'old_record') }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}

function recordField(data: unknown, key: string): ExactRecord | null {
  const value = field(data, key)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ExactRecord) : null
}

interface Cursor {
  readonly text: string
  at: number
}

/** JSON.parse, except that numbers a double would round come back as `ExactNumberText`. Throws on bad JSON. */
export function parseLossless(text: string): unknown {
  const cursor: Cursor = { text, at: 0 }
  const value = parseValue(cursor)
  skipSpace(cursor)
  if (cursor.at !== text.length) fail(cursor)
  return value
}

function fail(cursor: Cursor): never {
  throw new SyntaxError(`unexpected input at position ${cursor.at}`)
}

function skipSpace(cursor: Cursor): void {
  while (cursor.at < cursor.text.length) {
    const code = cursor.text.charCodeAt(cursor.at)
    if (code !== 0x20 && code !== 0x0a && code !== 0x0d && code !== 0x09) return
    cursor.at += 1
  }
}

function parseValue(cursor: Cursor): unknown {
  skipSpace(cursor)
  const char = cursor.text[cursor.at]
  if (char === '{') return parseObject(cursor)
  if (char === '[') return parseArray(cursor)
  if (char === '"') return parseString(cursor)
  for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
    if (cursor.text.startsWith(word, cursor.at)) {
      cursor.at += word.length
      return value
    }
  }
  return parseNumber(cursor)
}

function parseObject(cursor: Cursor): Record<string, unknown> {
  // Keys come from the wire: a null-prototype map keeps `__proto__` an ordinary key.
  const out: Record<string, unknown> = Object.create(null)
  cursor.at += 1
  skipSpace(cursor)
  if (cursor.text[cursor.at] === '}') {
    cursor.at += 1
    return out
  }
  for (;;) {
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== '"') fail(cursor)
    const key = parseString(cursor)
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== ':') fail(cursor)
    cursor.at += 1
    out[key] = parseValue(cursor)
    skipSpace(cursor)
    const next = cursor.text[cursor.at]
    cursor.at += 1
    if (next === '}') return out
    if (next !== ',') fail(cursor)
  }
}

function parseArray(cursor: Cursor): unknown[] {
  const out: unknown[] = []
  cursor.at += 1
  skipSpace(cursor)
  if (cursor.text[cursor.at] === ']') {
    cursor.at += 1
    return out
  }
  for (;;) {
    out.push(parseValue(cursor))
    skipSpace(cursor)
    const next = cursor.text[cursor.at]
    cursor.at += 1
    if (next === ']') return out
    if (next !== ',') fail(cursor)
  }
}

function parseString(cursor: Cursor): string {
  const start = cursor.at
  cursor.at += 1
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]
    if (char === '\\') cursor.at += 2
    else if (char === '"') {
      cursor.at += 1
      // The built-in parser knows every escape; it sees only this one token.
      return JSON.parse(cursor.text.slice(start, cursor.at)) as string
    } else cursor.at += 1
  }
  return fail(cursor)
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y

function parseNumber(cursor: Cursor): number | ExactNumberText {
  NUMBER.lastIndex = cursor.at
  const match = NUMBER.exec(cursor.text)
  if (!match || match[0] === '') fail(cursor)
  cursor.at += match[0].length
  return isExactDouble(match[0]) ? Number(match[0]) : new ExactNumberText(match[0])
}
