/**
 * Exact digits of a change's suspect int8 / numeric fields, read where their keys are written in the
 * frame text (`indexOf`), without walking the frame: the common case, a few µs cheaper than parsing
 * the frame a second time. It answers only when it can prove each occurrence of a key belongs to
 * `record` or `old_record`; otherwise `undefined`, and the caller parses the frame.
 */
import type { ExactRecord, ExactRecords } from './exact-json.js'
import { canSpellKeysOnlyLiterally, isPlainKey, keyValueStarts, numberShapeAt, numberTokenAt } from './key-values.js'
import { parseLosslessAt } from './lossless-json.js'
import { ExactNumberText, RoundedDigits, isExactDouble } from './numbers.js'

type Fields = Readonly<Record<string, unknown>>

/**
 * The number written at `at`, which `JSON.parse` read as `parsed`: `parsed` when that double
 * spells it exactly, else its digits as `RoundedDigits`; `undefined` when no number starts there.
 */
function exactNumberAt(text: string, at: number, parsed: number): unknown {
  const shape = numberShapeAt(text, at)
  if (shape.end === at) return undefined
  // Up to 15 digits without an exponent, a double is always exact: no string is made.
  if (shape.digits <= 15 && !shape.exponent) return parsed
  // An integer is exact while its double is a safe integer: rounding is monotonic and 2^53 is a
  // double, so digits beyond ±(2^53 − 1) always read as a double beyond it.
  if (!shape.fraction && !shape.exponent) return Number.isSafeInteger(parsed) ? parsed : new RoundedDigits(text.slice(at, shape.end), true)
  const token = text.slice(at, shape.end)
  return isExactDouble(token) ? parsed : new RoundedDigits(token, false)
}

/**
 * The value at `at` as `parseLossless` gives it: a number token's digits as `ExactNumberText` when
 * the double would round them, else the number; arrays parsed losslessly. `undefined` when the
 * text there is not a number (or array) or, when `check`, does not spell `parsed` (then the
 * occurrence is not the one `JSON.parse` kept).
 */
function exactValueAt(text: string, at: number, parsed: unknown, check: boolean): unknown {
  if (Array.isArray(parsed)) return text.charCodeAt(at) === 0x5b ? parseLosslessAt(text, at).value : undefined
  if (typeof parsed !== 'number') return undefined
  if (check && Number(numberTokenAt(text, at)) !== parsed) return undefined
  return exactNumberAt(text, at, parsed)
}

/** Which occurrence is whose, when both records hold the key: told apart by their parsed values. */
function assignPair(text: string, starts: readonly number[], inRecord: unknown, inOld: unknown): [unknown, unknown] | undefined {
  const first = starts[0]!
  const second = starts[1]!
  const firstAsRecord = exactValueAt(text, first, inRecord, true)
  const secondAsOld = exactValueAt(text, second, inOld, true)
  const straight = firstAsRecord !== undefined && secondAsOld !== undefined
  const firstAsOld = exactValueAt(text, first, inOld, true)
  const secondAsRecord = exactValueAt(text, second, inRecord, true)
  const crossed = firstAsOld !== undefined && secondAsRecord !== undefined
  if (straight && !crossed) return [firstAsRecord, secondAsOld]
  if (crossed && !straight) return [secondAsRecord, firstAsOld]
  // Both readings fit: the same digits either way, or no way to tell.
  if (straight && numberTokenAt(text, first) === numberTokenAt(text, second)) return [firstAsRecord, secondAsOld]
  return undefined
}

function holdsExactText(value: unknown): boolean {
  return value instanceof ExactNumberText || (Array.isArray(value) && value.some(holdsExactText))
}

function put(target: Record<string, unknown> | null, name: string, value: unknown): Record<string, unknown> | null {
  // Only values that differ from what JSON.parse gave are worth carrying.
  if (!holdsExactText(value)) return target
  const out = target ?? {}
  // Column names come from the wire: `__proto__` must stay an ordinary key, not the prototype.
  if (name === '__proto__') Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true })
  else out[name] = value
  return out
}

/**
 * The exact values of the fields `names` of `record` / `old_record` (both parsed from `text`):
 * `null` when none was rounded, `undefined` when the text cannot be read by key: it has a
 * `\u` or `\/` escape (a key may be spelled with them), a name is not plain, or a key is written more
 * often than the records hold it (a nested jsonb with the same key, a duplicate key).
 */
export function exactByKey(text: string, record: Fields | null, old: Fields | null, names: readonly string[]): ExactRecords | null | undefined {
  if (!canSpellKeysOnlyLiterally(text)) return undefined
  let exactRecord: Record<string, unknown> | null = null
  let exactOld: Record<string, unknown> | null = null
  for (const name of names) {
    if (!isPlainKey(name)) return undefined
    const inRecord = record !== null && Object.hasOwn(record, name)
    const inOld = old !== null && Object.hasOwn(old, name)
    const starts = keyValueStarts(text, name)
    if (starts.length !== Number(inRecord) + Number(inOld)) return undefined
    if (inRecord && inOld) {
      // Two arrays cannot be told apart by a token: parse the frame.
      if (Array.isArray(record[name]) || Array.isArray(old[name])) return undefined
      const pair = assignPair(text, starts, record[name], old[name])
      if (pair === undefined) return undefined
      exactRecord = put(exactRecord, name, pair[0])
      exactOld = put(exactOld, name, pair[1])
    } else if (inRecord || inOld) {
      const parsed = inRecord ? record![name] : old![name]
      // The one occurrence is the record's (the count proves it): no need to compare values.
      const value = exactValueAt(text, starts[0]!, parsed, false)
      if (value === undefined) return undefined
      if (inRecord) exactRecord = put(exactRecord, name, value)
      else exactOld = put(exactOld, name, value)
    }
  }
  if (exactRecord === null && exactOld === null) return null
  return { record: exactRecord as ExactRecord | null, old_record: exactOld as ExactRecord | null }
}
