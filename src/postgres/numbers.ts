/**
 * Exact numbers. A double holds every integer up to 2^53 and the shortest decimal that prints back
 * the same; anything else (a long int8, a numeric with 20 digits) must stay text or become a bigint.
 */

/** Digits of a JSON number that `JSON.parse` would have rounded, kept as they were on the wire. */
export class ExactNumberText {
  constructor(readonly text: string) {}
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

/** Whether `Number(text)` is exactly the decimal `text` spells (no digit lost or invented). */
export function isExactDouble(text: string): boolean {
  const value = Number(text)
  if (!Number.isFinite(value)) return false
  if (INTEGER.test(text)) return Number.isSafeInteger(value)
  return canonicalDecimal(text) === canonicalDecimal(String(value))
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
