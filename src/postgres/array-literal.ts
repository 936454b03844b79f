/**
 * Postgres array text (`array_out`): `{1,2}`, `{a,"b c"}`, `{{1,2},{3,4}}`, `{NULL,"NULL"}`, with an
 * optional dimension prefix `[0:1]={…}`. Quoted elements use `\` escapes; an unquoted `NULL` (any
 * case) is SQL null; whitespace around unquoted elements is not part of them.
 */

/** An element is its text, `null` for SQL NULL, or a nested array. */
export type ArrayLiteralNode = string | null | ArrayLiteralNode[]

const DIMENSIONS = /^\s*(\[[+-]?\d+:[+-]?\d+\])+\s*=\s*/

/** The parsed literal, or `undefined` when `text` is not a well-formed array literal. */
export function parseArrayLiteral(text: string, delimiter = ','): ArrayLiteralNode[] | undefined {
  const body = text.replace(DIMENSIONS, '')
  const state = { text: body, at: 0 }
  skipSpace(state)
  const result = parseArray(state, delimiter)
  if (result === undefined) return undefined
  skipSpace(state)
  return state.at === body.length ? result : undefined
}

interface Cursor {
  readonly text: string
  at: number
}

function skipSpace(cursor: Cursor): void {
  while (cursor.at < cursor.text.length && /\s/.test(cursor.text[cursor.at]!)) cursor.at += 1
}

function parseArray(cursor: Cursor, delimiter: string): ArrayLiteralNode[] | undefined {
  if (cursor.text[cursor.at] !== '{') return undefined
  cursor.at += 1
  const items: ArrayLiteralNode[] = []
  skipSpace(cursor)
  if (cursor.text[cursor.at] === '}') {
    cursor.at += 1
    return items
  }
  for (;;) {
    skipSpace(cursor)
    const item = parseElement(cursor, delimiter)
    if (item === undefined) return undefined
    items.push(item)
    skipSpace(cursor)
    const next = cursor.text[cursor.at]
    cursor.at += 1
    if (next === '}') return items
    if (next !== delimiter) return undefined
  }
}

function parseElement(cursor: Cursor, delimiter: string): ArrayLiteralNode | undefined {
  const first = cursor.text[cursor.at]
  if (first === '{') return parseArray(cursor, delimiter)
  if (first === '"') return parseQuoted(cursor)
  const start = cursor.at
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]!
    if (char === delimiter || char === '}') break
    if (char === '{' || char === '"') return undefined
    cursor.at += 1
  }
  const raw = cursor.text.slice(start, cursor.at).trim()
  if (raw === '') return undefined
  return raw.toUpperCase() === 'NULL' ? null : raw.replace(/\\(.)/g, '$1')
}

function parseQuoted(cursor: Cursor): string | undefined {
  let out = ''
  cursor.at += 1
  while (cursor.at < cursor.text.length) {
    const char = cursor.text[cursor.at]!
    cursor.at += 1
    if (char === '"') return out
    if (char === '\\') {
      if (cursor.at >= cursor.text.length) return undefined
      out += cursor.text[cursor.at]
      cursor.at += 1
    } else {
      out += char
    }
  }
  return undefined
}
