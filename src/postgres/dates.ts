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

// The common case, already in UTC (the server's session time zone): only the spelling changes.
const UTC_STAMP = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(?:Z|\+00(?::?00)?)$/

/** `timestamptz` → `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` (UTC) or a `Date`; `undefined` when not one. */
export function normaliseTimestamptz(text: string, asDate: boolean): string | Date | undefined {
  if (!asDate) {
    const utc = UTC_STAMP.exec(text)
    // Year 0000 has no ISO form here; the full path below refuses it.
    if (utc && !utc[1]!.startsWith('0000')) return `${utc[1]}T${utc[2]}Z`
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
