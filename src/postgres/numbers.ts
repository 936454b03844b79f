/**
 * Exact numbers. A double holds every integer up to 2^53 and the shortest decimal that prints back
 * the same; anything else (a long int8, a numeric with 20 digits) must stay text or become a bigint.
 */

/** Digits of a JSON number that `JSON.parse` would have rounded, kept as they were on the wire. */
export class ExactNumberText {
  constructor(readonly text: string) {}
}

/**
 * `ExactNumberText` made by this library's own readers, which have already checked that a double
 * rounds the digits and whether they spell an integer: the converters take them without checking
 * again. (Any `ExactNumberText` a caller makes is checked as before.)
 */
export class RoundedDigits extends ExactNumberText {
  constructor(
    text: string,
    /** Digits after an optional `-`, nothing else. */
    readonly integer: boolean,
  ) {
    super(text)
  }
}

const INTEGER = /^[+-]?\d+$/
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** `-0012.3400e1` → `-1234e-1`: sign, significant digits and exponent, so two spellings compare. */
function canonicalDecimal(text: string): string {
  const match = /^([+-]?)(\d*)\.?(\d*)(?:[eE]([+-]?\d+))?$/.exec(text)
  if (!match) return text
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match
  let digits = (whole + fraction).replace(/^0+/, '')
  let power = Number(exponent) - fraction.length
  const trimmed = digits.replace(/0+$/, '')
  power += digits.length - trimmed.length
  digits = trimmed
  if (digits === '') return '0'
  return `${sign === '-' ? '-' : ''}${digits}e${power}`
}

/**
 * How many significant digits the decimal `text` has before its exponent (leading and trailing
 * zeros do not count): `-0012.3400e1` → 4.
 */
function significantDigits(text: string): number {
  // Positions counted in digits only, so a dot between them does not count.
  let digits = 0
  let first = -1
  let last = -1
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if (code === 0x65 || code === 0x45) break
    if (code < 0x30 || code > 0x39) continue
    if (code !== 0x30) {
      if (first < 0) first = digits
      last = digits
    }
    digits += 1
  }
  return first < 0 ? 0 : last - first + 1
}

// The shortest decimal that reads back as a given double has at most 17 significant digits.
const MAX_DOUBLE_DIGITS = 17

/** Whether `Number(text)` is exactly the decimal `text` spells (no digit lost or invented). */
export function isExactDouble(text: string): boolean {
  // More significant digits than any double prints: never exact (the 30-digit numeric, cheaply).
  if (significantDigits(text) > MAX_DOUBLE_DIGITS) return false
  const value = Number(text)
  if (!Number.isFinite(value)) return false
  if (INTEGER.test(text)) return Number.isSafeInteger(value)
  return canonicalDecimal(text) === canonicalDecimal(String(value))
}

const MAX_SAFE_DIGITS = String(Number.MAX_SAFE_INTEGER)

/**
 * Whether the integer `text` (digits after an optional `-`, no leading zero) is beyond
 * ±(2^53 − 1), told from its length and digits without converting it: `Number()` of a long string
 * costs more than the rest of an int8's conversion. `undefined` for any other spelling.
 */
export function isBeyondSafeIntegerText(text: string): boolean | undefined {
  const from = text.charCodeAt(0) === 0x2d ? 1 : 0
  const digits = text.length - from
  if (digits === 0 || (text.charCodeAt(from) === 0x30 && digits > 1)) return undefined
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if (code < 0x30 || code > 0x39) return undefined
  }
  if (digits !== MAX_SAFE_DIGITS.length) return digits > MAX_SAFE_DIGITS.length
  // Digit strings of one length compare as their numbers do.
  return (from === 0 ? text : text.slice(from)) > MAX_SAFE_DIGITS
}

export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text)
}

export function isIntegerText(text: string): boolean {
  return INTEGER.test(text)
}

/** The wire text of a number-ish cell value, or null when it is not one. */
export function numberText(value: unknown): string | null {
  if (value instanceof ExactNumberText) return value.text
  if (typeof value === 'string') return isDecimalText(value) ? value : null
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  return null
}
