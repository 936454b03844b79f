/**
 * Postgres range text (`range_out`): `empty`, `[1,10)`, `(,5]`, `["2026-01-01 00:00:00+00",)`.
 * A missing bound is unbounded; quoted bounds escape `"` and `\` by doubling or with `\`.
 * Multiranges are `{[1,3),[5,7)}`.
 */

export interface RangeLiteral {
  readonly empty: boolean
  readonly lower: string | null
  readonly upper: string | null
  readonly lowerInclusive: boolean
  readonly upperInclusive: boolean
}

const EMPTY: RangeLiteral = { empty: true, lower: null, upper: null, lowerInclusive: false, upperInclusive: false }

interface Cursor {
  readonly text: string
  at: number
}

/** The parsed range, or `undefined` when `text` is not one. */
export function parseRangeLiteral(text: string): RangeLiteral | undefined {
  const trimmed = text.trim()
  if (trimmed.toLowerCase() === 'empty') return EMPTY
  const cursor = { text: trimmed, at: 0 }
  const range = parseRange(cursor)
  return range && cursor.at === trimmed.length ? range : undefined
}

/** The parsed multirange, or `undefined` when `text` is not one. */
export function parseMultirangeLiteral(text: string): RangeLiteral[] | undefined {
  const trimmed = text.trim()
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) return undefined
  const cursor = { text: trimmed.slice(0, -1), at: 1 }
  const ranges: RangeLiteral[] = []
  skipSpace(cursor)
  while (cursor.at < cursor.text.length) {
    const range = parseRange(cursor)
    if (!range) return undefined
    ranges.push(range)
    skipSpace(cursor)
    if (cursor.at >= cursor.text.length) break
    if (cursor.text[cursor.at] !== ',') return undefined
    cursor.at += 1
    skipSpace(cursor)
  }
  return ranges
}

function skipSpace(cursor: Cursor): void {
  while (cursor.at < cursor.text.length && /\s/.test(cursor.text[cursor.at]!)) cursor.at += 1
}

function parseRange(cursor: Cursor): RangeLiteral | undefined {
  const open = cursor.text[cursor.at]
  if (open !== '[' && open !== '(') return undefined
  cursor.at += 1
  const lower = parseBound(cursor, ',')
  if (lower === undefined || cursor.text[cursor.at] !== ',') return undefined
  cursor.at += 1
  const upper = parseBound(cursor, ')]')
  const close = cursor.text[cursor.at]
  if (upper === undefined || (close !== ']' && close !== ')')) return undefined
  cursor.at += 1
  return { empty: false, lower, upper, lowerInclusive: open === '[' && lower !== null, upperInclusive: close === ']' && upper !== null }
}

/** A bound's text, `null` when absent (unbounded), `undefined` when malformed. */
function parseBound(cursor: Cursor, stops: string): string | null | undefined {
  let out = ''
  let any = false
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]!
    if (stops.includes(char)) break
    any = true
    cursor.at += 1
    if (char === '\\') {
      if (cursor.at >= cursor.text.length) return undefined
      out += cursor.text[cursor.at]
      cursor.at += 1
    } else if (char === '"') {
      const quoted = parseQuoted(cursor)
      if (quoted === undefined) return undefined
      out += quoted
    } else {
      out += char
    }
  }
  return any ? out : null
}

function parseQuoted(cursor: Cursor): string | undefined {
  let out = ''
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]!
    cursor.at += 1
    if (char === '"') {
      // `""` inside quotes is one quote.
      if (cursor.text[cursor.at] !== '"') return out
      cursor.at += 1
      out += '"'
    } else if (char === '\\') {
      if (cursor.at >= cursor.text.length) return undefined
      out += cursor.text[cursor.at]
      cursor.at += 1
    } else {
      out += char
    }
  }
  return undefined
}
