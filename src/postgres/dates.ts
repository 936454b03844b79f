/**
 * Dates and timestamps. The server sends `to_jsonb` forms (`2026-01-02T03:04:05.678+00:00`); the
 * text forms (`2026-01-02 03:04:05.678+00`) mean the same. Both normalise to one ISO spelling:
 * `timestamptz` in UTC with `Z`, `timestamp` with `T` and no zone, fractions kept to the microsecond
 * (a `Date` keeps milliseconds only, so strings are the default). `infinity`, BC dates and years past
 * 9999 have no ISO form here and stay as they are.
 */

const STAMP = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?$/
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/

interface Stamp {
  /** Milliseconds since the epoch of the whole seconds, in UTC. */
  readonly ms: number
  /** `.678901` or '' */
  readonly fraction: string
}

function utcMs(year: number, month: number, day: number, hours: number, minutes: number, seconds: number): number {
  const date = new Date(0)
  // setUTCFullYear, unlike Date.UTC, does not move years 0–99 into the 1900s.
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hours, minutes, seconds, 0)
  return date.getTime()
}

/** Seconds east of UTC for `+05:30`, `-03`, `+05:53:28`, `Z` or none. */
function offsetSeconds(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0
  const sign = zone[0] === '-' ? -1 : 1
  const digits = zone.slice(1).replace(/:/g, '')
  const hours = Number(digits.slice(0, 2))
  const minutes = Number(digits.slice(2, 4) || '0')
  const seconds = Number(digits.slice(4, 6) || '0')
  return sign * (hours * 3600 + minutes * 60 + seconds)
}

function parseStamp(text: string, withZone: boolean): Stamp | undefined {
  const match = STAMP.exec(text)
  if (!match) return undefined
  const [, year, month, day, hours, minutes, seconds, fraction = '', zone] = match
  if (!withZone && zone !== undefined) return undefined
  const ms = utcMs(Number(year), Number(month), Number(day), Number(hours), Number(minutes), Number(seconds)) - offsetSeconds(zone) * 1000
  if (Number.isNaN(ms)) return undefined
  const utcYear = new Date(ms).getUTCFullYear()
  if (utcYear < 1 || utcYear > 9999) return undefined
  return { ms, fraction }
}

function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19)
}

function toDate(stamp: Stamp): Date {
  return new Date(stamp.ms + Math.floor(Number(`0${stamp.fraction || '.0'}`) * 1000))
}

function isDigit(text: string, at: number): boolean {
  const code = text.charCodeAt(at)
  return code >= 0x30 && code <= 0x39
}

// Where `YYYY-MM-DD?HH:MM:SS` has digits; the rest of its first 19 characters are `-`, `T`/` ` and `:`.
const STAMP_DIGITS: readonly number[] = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]

/**
 * The common case, already in UTC (the server's session time zone), where only the spelling
 * changes: `YYYY-MM-DD[T ]HH:MM:SS[.f…](Z|+00|+0000|+00:00)` → `YYYY-MM-DDTHH:MM:SS[.f…]Z`.
 * Read character by character (a regex and its captures cost more than the rest of the row).
 * `undefined` for any other text, and for year 0000, which has no ISO form here.
 */
export function utcIsoSpelling(text: string): string | undefined {
  if (text.length < 20) return undefined
  const separator = text.charCodeAt(10)
  if (text.charCodeAt(4) !== 0x2d || text.charCodeAt(7) !== 0x2d || (separator !== 0x54 && separator !== 0x20) || text.charCodeAt(13) !== 0x3a || text.charCodeAt(16) !== 0x3a) return undefined
  for (let i = 0; i < STAMP_DIGITS.length; i += 1) if (!isDigit(text, STAMP_DIGITS[i]!)) return undefined
  if (text.startsWith('0000')) return undefined
  let end = 19
  if (text.charCodeAt(end) === 0x2e) {
    end += 1
    if (!isDigit(text, end)) return undefined
    while (isDigit(text, end)) end += 1
  }
  const zone = text.length - end
  const utc = zone === 1 ? text.charCodeAt(end) === 0x5a : (zone === 3 || zone === 5 || zone === 6) && isUtcOffset(text, end, zone)
  if (!utc) return undefined
  return separator === 0x54 ? `${text.slice(0, end)}Z` : `${text.slice(0, 10)}T${text.slice(11, end)}Z`
}

/** `+00`, `+0000` or `+00:00` at `at`. */
function isUtcOffset(text: string, at: number, length: number): boolean {
  if (text.charCodeAt(at) !== 0x2b || !text.startsWith('00', at + 1)) return false
  if (length === 3) return true
  if (length === 5) return text.startsWith('00', at + 3)
  return text.charCodeAt(at + 3) === 0x3a && text.startsWith('00', at + 4)
}

/** `timestamptz` → `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (UTC) or a `Date`; `undefined` when not one. */
export function normaliseTimestamptz(text: string, asDate: boolean): string | Date | undefined {
  if (!asDate) {
    const utc = utcIsoSpelling(text)
    if (utc !== undefined) return utc
  }
  const stamp = parseStamp(text, true)
  if (!stamp) return undefined
  return asDate ? toDate(stamp) : `${isoSeconds(stamp.ms)}${stamp.fraction}Z`
}

/** `timestamp` → `YYYY-MM-DDTHH:MM:SS[.ffffff]`, or a `Date` read as UTC; `undefined` when not one. */
export function normaliseTimestamp(text: string, asDate: boolean): string | Date | undefined {
  const stamp = parseStamp(text, false)
  if (!stamp) return undefined
  return asDate ? toDate(stamp) : `${isoSeconds(stamp.ms)}${stamp.fraction}`
}

/** `date` → `YYYY-MM-DD`, or a `Date` at UTC midnight; `undefined` when not one. */
export function normaliseDate(text: string, asDate: boolean): string | Date | undefined {
  const match = DAY.exec(text)
  if (!match) return undefined
  const ms = utcMs(Number(match[1]), Number(match[2]), Number(match[3]), 0, 0, 0)
  const date = new Date(ms)
  if (Number.isNaN(ms) || date.getUTCFullYear() < 1 || date.toISOString().slice(0, 10) !== text) return undefined
  return asDate ? date : text
}
