/**
 * JSON with exact numbers, both ways: `parseLossless` keeps the digits a double would round as
 * `ExactNumberText`, and `stringifyLossless` writes them back verbatim. The dev server uses the pair
 * to pass int8 / numeric values from the database to the wire without losing digits.
 */
import { ExactNumberText, RoundedDigits, isBeyondSafeIntegerText, isExactDouble } from './numbers.js'

interface Cursor {
  readonly text: string
  at: number
}

/**
 * Which parts of a document to build: `true` builds the whole value; an object builds, of a
 * container, only the keys (or array indexes) it names, with their own selections. The rest is
 * stepped over without building strings or numbers, so a caller wanting one subtree pays little for
 * the others.
 */
export type Selection = true | { readonly [key: string]: Selection }

/**
 * JSON.parse, except that numbers a double would round come back as `ExactNumberText`, and only the
 * `selection` is built (parts left out are absent). Throws on bad JSON in the parts it builds.
 */
export function parseLossless(text: string, selection: Selection = true): unknown {
  const cursor: Cursor = { text, at: 0 }
  const value = parseValue(cursor, selection)
  skipSpace(cursor)
  if (cursor.at !== text.length) fail(cursor)
  return value
}

/**
 * The JSON value written at `at` in `text`, parsed as `parseLossless` does, and the position just
 * after it: for reading one value out of a larger document. Throws on bad JSON in that value.
 */
export function parseLosslessAt(text: string, at: number): { value: unknown; end: number } {
  const cursor: Cursor = { text, at }
  const value = parseValue(cursor)
  return { value, end: cursor.at }
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

const LITERALS: Readonly<Record<string, readonly [string, boolean | null]>> = { t: ['true', true], f: ['false', false], n: ['null', null] }

function parseValue(cursor: Cursor, selection: Selection = true): unknown {
  skipSpace(cursor)
  const char = cursor.text[cursor.at]
  if (char === '{') return parseObject(cursor, selection)
  if (char === '[') return parseArray(cursor, selection)
  if (char === '"') return parseString(cursor)
  const literal = char === undefined ? undefined : LITERALS[char]
  if (literal) {
    if (!cursor.text.startsWith(literal[0], cursor.at)) fail(cursor)
    cursor.at += literal[0].length
    return literal[1]
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

function parseObject(cursor: Cursor, selection: Selection): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  parseList(cursor, '}', () => {
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== '"') fail(cursor)
    const key = parseString(cursor)
    skipSpace(cursor)
    if (cursor.text[cursor.at] !== ':') fail(cursor)
    cursor.at += 1
    const wanted = selection === true ? true : Object.hasOwn(selection, key) ? selection[key] : undefined
    if (wanted === undefined) skipValue(cursor)
    // Keys come from the wire: `__proto__` must stay an ordinary key, not the prototype.
    else if (key === '__proto__') Object.defineProperty(out, key, { value: parseValue(cursor, wanted), enumerable: true, writable: true, configurable: true })
    else out[key] = parseValue(cursor, wanted)
  })
  return out
}

function parseArray(cursor: Cursor, selection: Selection): unknown[] {
  const out: unknown[] = []
  parseList(cursor, ']', () => {
    const index = String(out.length)
    const wanted = selection === true ? true : Object.hasOwn(selection, index) ? selection[index] : undefined
    if (wanted === undefined) {
      skipValue(cursor)
      out.push(undefined)
    } else {
      out.push(parseValue(cursor, wanted))
    }
  })
  return out
}

// What ends a number or literal: whitespace, `,`, `]`, `}`.
const ENDS_SCALAR: ReadonlySet<number> = new Set([0x20, 0x09, 0x0a, 0x0d, 0x2c, 0x5d, 0x7d])

/** Steps over one value: strings by their closing quote, containers by depth, anything else to its end. */
function skipValue(cursor: Cursor): void {
  skipSpace(cursor)
  const { text } = cursor
  let depth = 0
  do {
    const code = text.charCodeAt(cursor.at)
    if (Number.isNaN(code)) fail(cursor)
    if (code === 0x22) {
      skipString(cursor)
      continue
    }
    if (code === 0x7b || code === 0x5b) depth += 1
    else if (code === 0x7d || code === 0x5d) depth -= 1
    else if (depth === 0) {
      // A number or a literal: up to the next delimiter.
      while (cursor.at < text.length && !ENDS_SCALAR.has(text.charCodeAt(cursor.at))) cursor.at += 1
      return
    }
    cursor.at += 1
  } while (depth > 0)
}

function skipString(cursor: Cursor): void {
  const { text } = cursor
  for (let quote = text.indexOf('"', cursor.at + 1); quote >= 0; quote = text.indexOf('"', quote + 1)) {
    // The quote ends the string unless an odd number of backslashes escapes it.
    let slashes = 0
    while (text.charCodeAt(quote - 1 - slashes) === 0x5c) slashes += 1
    if (slashes % 2 === 0) {
      cursor.at = quote + 1
      return
    }
  }
  fail(cursor)
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
  const token = match[0]
  cursor.at += token.length
  // Up to 15 digits without an exponent, a double is always exact: no need to check.
  if (token.length <= 15 && !/[eE]/.test(token)) return Number(token)
  return isExactDouble(token) ? Number(token) : new RoundedDigits(token, isBeyondSafeIntegerText(token) !== undefined)
}
