/**
 * JSON with exact numbers, both ways: `parseLossless` keeps the digits a double would round as
 * `ExactNumberText`, and `stringifyLossless` writes them back verbatim. The dev server uses the pair
 * to pass int8 / numeric values from the database to the wire without losing digits.
 */
import { ExactNumberText, isExactDouble } from './numbers.js'

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

/** JSON.stringify for plain JSON values, writing `ExactNumberText` as its digits. */
export function stringifyLossless(value: unknown): string {
  if (value instanceof ExactNumberText) return value.text
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stringifyLossless(item))).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const fields: string[] = []
    for (const [key, item] of Object.entries(value)) if (item !== undefined) fields.push(`${JSON.stringify(key)}:${stringifyLossless(item)}`)
    return `{${fields.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
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

const WORDS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const

function parseValue(cursor: Cursor): unknown {
  skipSpace(cursor)
  const char = cursor.text[cursor.at]
  if (char === '{') return parseObject(cursor)
  if (char === '[') return parseArray(cursor)
  if (char === '"') return parseString(cursor)
  for (const [word, value] of WORDS) {
    if (cursor.text.startsWith(word, cursor.at)) {
      cursor.at += word.length
      return value
    }
  }
  return parseNumber(cursor)
}

/** Runs `item` for each comma-separated entry until `close`. */
function parseList(cursor: Cursor, close: string, item: () => void): void {
  cursor.at += 1
  skipSpace(cursor)
  if (cursor.text[cursor.at] === close) {
    cursor.at += 1
    return
  }
  for (;;) {
    item()
    skipSpace(cursor)
    const next = cursor.text[cursor.at]
    cursor.at += 1
    if (next === close) return
    if (next !== ',') fail(cursor)
  }
}

function parseObject(cursor: Cursor): Record<string, unknown> {
  // Keys come from the wire: a null-prototype map keeps `__proto__` an ordinary key.
  const out: Record<string, unknown> = Object.create(null)
  parseList(cursor, '}', () => {
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== '"') fail(cursor)
    const key = parseString(cursor)
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== ':') fail(cursor)
    cursor.at += 1
    out[key] = parseValue(cursor)
  })
  return out
}

function parseArray(cursor: Cursor): unknown[] {
  const out: unknown[] = []
  parseList(cursor, ']', () => out.push(parseValue(cursor)))
  return out
}

function parseString(cursor: Cursor): string {
  const start = cursor.at + 1
  const end = cursor.text.indexOf('"', start)
  if (end < 0) fail(cursor)
  // Most strings have no escape: a slice. The others go to the built-in parser, one token at a time.
  let escaped = false
  for (let i = start; i < end && !escaped; i += 1) escaped = cursor.text.charCodeAt(i) === 0x5c
  if (!escaped) {
    cursor.at = end + 1
    return cursor.text.slice(start, end)
  }
  cursor.at = start
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]
    if (char === '\\') cursor.at += 2
    else if (char === '"') {
      cursor.at += 1
      return JSON.parse(cursor.text.slice(start - 1, cursor.at)) as string
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
