/**
 * Where the values of a key start in a JSON text, found with `indexOf` instead of a walk over the
 * whole text. Sound for a text that `JSON.parse` accepts, a *plain* key name (see `isPlainKey`),
 * and a text that `canSpellKeysOnlyLiterally` accepts: then the name can only be written as itself,
 * a `"` is a string's delimiter unless an odd run of backslashes escapes it, and an unescaped
 * `"name"` followed by `:` is that key in some object and nothing else. Whose object it is, this
 * does not tell: the caller compares the count with the objects it knows hold the key.
 */

/**
 * Whether every key made of plain characters is written as itself in `text`: JSON spells a plain
 * character otherwise only as `\uXXXX` or, for `/`, `\/`. (A `\\u` that is an escaped backslash
 * before a `u` also says no: a little caution, no error.)
 */
export function canSpellKeysOnlyLiterally(text: string): boolean {
  return text.indexOf('\\u') < 0 && text.indexOf('\\/') < 0
}

/** What may follow a closing quote in JSON: a key name starting with one of these could be the tail of another token. */
function isJsonDelimiter(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x2c || code === 0x3a || code === 0x5d || code === 0x7d
}

/**
 * Whether an unescaped `"name"` in a JSON text can only be the string `name`: the name has no
 * character JSON must escape, and does not start with a character that may follow a closing quote
 * (else `"a",":"` would hold `",":` for the name `,`).
 */
export function isPlainKey(name: string): boolean {
  if (name.length === 0 || isJsonDelimiter(name.charCodeAt(0))) return false
  for (let i = 0; i < name.length; i += 1) {
    const code = name.charCodeAt(i)
    if (code < 0x20 || code === 0x22 || code === 0x5c) return false
  }
  return true
}

/** Whether the character at `at` follows an odd run of backslashes. */
function isEscaped(text: string, at: number): boolean {
  let slashes = 0
  while (text.charCodeAt(at - 1 - slashes) === 0x5c) slashes += 1
  return slashes % 2 === 1
}

function skipSpace(text: string, at: number): number {
  let i = at
  for (let code = text.charCodeAt(i); code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d; code = text.charCodeAt(i)) i += 1
  return i
}

/**
 * The positions where the values of every `"name":` in `text` start (spaces skipped), in text
 * order. The search is for `name` itself, not `"name"`: a quote is every few characters of JSON,
 * the name's first letter much rarer, and no quoted copy of the name is built per call.
 */
export function keyValueStarts(text: string, name: string): number[] {
  const starts: number[] = []
  for (let at = text.indexOf(name, 1); at >= 0; at = text.indexOf(name, at + 1)) {
    const close = at + name.length
    // The closing quote follows the name's last character, never a backslash; the opening one may be escaped.
    if (text.charCodeAt(at - 1) !== 0x22 || text.charCodeAt(close) !== 0x22 || isEscaped(text, at - 1)) continue
    const colon = skipSpace(text, close + 1)
    if (text.charCodeAt(colon) === 0x3a) starts.push(skipSpace(text, colon + 1))
  }
  return starts
}

function isNumberChar(code: number): boolean {
  // Digits, `-`, `+`, `.`, `e`, `E`.
  return (code >= 0x30 && code <= 0x39) || code === 0x2d || code === 0x2b || code === 0x2e || code === 0x65 || code === 0x45
}

/** The JSON number written at `at`, or '' when none starts there. */
export function numberTokenAt(text: string, at: number): string {
  let end = at
  while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1
  return text.slice(at, end)
}

/** A JSON number token's shape: where it ends, its digit count, whether it has a fraction or an exponent. */
export interface NumberShape {
  readonly end: number
  readonly digits: number
  readonly fraction: boolean
  readonly exponent: boolean
}

/** The shape of the number token at `at`, read in one pass (`end === at` when none starts there). */
export function numberShapeAt(text: string, at: number): NumberShape {
  let end = at
  let digits = 0
  let fraction = false
  let exponent = false
  for (; end < text.length; end += 1) {
    const code = text.charCodeAt(end)
    if (code >= 0x30 && code <= 0x39) {
      if (!exponent) digits += 1
    } else if (code === 0x2e) fraction = true
    else if (code === 0x65 || code === 0x45) exponent = true
    else if (code !== 0x2d && code !== 0x2b) break
  }
  return { end, digits, fraction, exponent }
}
