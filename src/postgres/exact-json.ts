/**
 * Exact int8 / numeric digits from a frame's raw JSON text. The real server sends them as bare JSON
 * numbers (protocol.md §7.3), and `JSON.parse` rounds any with more than ~15 significant digits. Only
 * `postgres_changes` frames whose text holds a run of 16+ digits are parsed a second time, by the small
 * lossless parser below; every other frame costs one string compare.
 */
import { RealtimeError } from '../errors.js'
import { parseLossless, type Selection } from './lossless-json.js'

export type ExactRecord = Readonly<Record<string, unknown>>

/** `record` / `old_record` as parsed losslessly: numbers a double cannot hold are `ExactNumberText`. */
export interface ExactRecords {
  readonly record: ExactRecord | null
  readonly old_record: ExactRecord | null
}

// 16 digits (dots allowed between them) is the shortest number a double may not hold exactly.
const LONG_RUN = 16

/** Whether `text` from `from` on has a run of 16 or more digits and dots (stopping at the first other character when `once`). */
function hasLongNumber(text: string, from = 0, once = false): boolean {
  let run = 0
  for (let i = from; i < text.length; i += 1) {
    const code = text.charCodeAt(i)
    if ((code >= 0x30 && code <= 0x39) || code === 0x2e) {
      run += 1
      if (run >= LONG_RUN) return true
    } else if (once && code !== 0x2d) {
      return false
    } else {
      run = 0
    }
  }
  return false
}

/** The part of a change's `data` that tells whether its numbers may have been rounded. */
export interface ChangeNumbers {
  readonly columns?: readonly { readonly name: string; readonly type: string }[] | null
  readonly record?: unknown
  readonly old_record?: unknown
}

function mayBeRounded(type: string, value: unknown): boolean {
  if (value === null || value === undefined) return false
  if (Array.isArray(value)) return value.some((item) => mayBeRounded(type, item))
  // A double holds every integer up to 2^53 exactly; a numeric's digits cannot be judged from it.
  return typeof value === 'number' && (type === 'numeric' || !Number.isSafeInteger(value))
}

/**
 * Names of the int8 / numeric columns of `data` (already parsed) whose value `JSON.parse` may have
 * rounded: an int8 beyond 2^53, or any numeric number; `null` when that cannot be told (no columns).
 */
function suspectColumns(data: ChangeNumbers): { names: string[]; arrays: boolean } | null {
  if (!Array.isArray(data.columns)) return null
  const names: string[] = []
  let arrays = false
  const record = typeof data.record === 'object' && data.record !== null ? (data.record as Record<string, unknown>) : null
  const old = typeof data.old_record === 'object' && data.old_record !== null ? (data.old_record as Record<string, unknown>) : null
  for (const column of data.columns) {
    const type = column?.type
    const array = type === '_int8' || type === '_numeric'
    if (type !== 'int8' && type !== 'numeric' && !array) continue
    const base = array ? type.slice(1) : type
    if ((record && mayBeRounded(base, record[column.name])) || (old && mayBeRounded(base, old[column.name]))) {
      names.push(column.name)
      arrays ||= array
    }
  }
  return { names, arrays }
}

/** Whether `data` (already parsed) has an int8 or numeric value `JSON.parse` may have rounded. */
export function mayHaveRoundedNumbers(data: ChangeNumbers): boolean {
  const suspects = suspectColumns(data)
  return suspects === null || suspects.names.length > 0
}

/**
 * Whether any value written under the key `name` in `text` is a number of 16+ digits. Looking at
 * each `"name":` costs a native `indexOf` instead of a walk over every character of the frame.
 */
function hasLongValue(text: string, name: string): boolean {
  const key = `"${name}":`
  for (let at = text.indexOf(key); at >= 0; at = text.indexOf(key, at + key.length)) {
    let i = at + key.length
    while (text.charCodeAt(i) === 0x20) i += 1
    if (hasLongNumber(text, i, true)) return true
  }
  return false
}

/** Whether the frame text holds a number `JSON.parse` may have rounded, helped by the parsed data. */
function textMayHoldRounded(text: string, data: ChangeNumbers | undefined): boolean {
  const suspects = data === undefined ? null : suspectColumns(data)
  if (suspects === null || suspects.arrays) return hasLongNumber(text)
  for (const name of suspects.names) {
    // A name that JSON escapes cannot be looked up as written: read the whole text.
    if (/["\\\u0000-\u001f]/.test(name)) return hasLongNumber(text)
    if (hasLongValue(text, name)) return true
  }
  return false
}

const RECORDS: Selection = { record: true, old_record: true }
const PAYLOAD_RECORDS: Selection = { data: RECORDS, ...RECORDS }
/** vsn 2.0.0 frames are arrays `[join_ref, ref, topic, event, payload]`, vsn 1.0.0 objects. */
const FRAME_RECORDS: Selection = { 4: PAYLOAD_RECORDS, payload: PAYLOAD_RECORDS }

/**
 * The frame's records with exact numbers, or `null` when there is nothing to correct: the event is
 * not `postgres_changes`, `data` (the frame's parsed `data`, when given) has no int8 / numeric value
 * that may have been rounded, or no number in the text is long enough to have been rounded.
 * A frame that is not JSON gives an `invalid_frame` error.
 */
export function exactRecords(frameText: string, event: string, data?: ChangeNumbers): ExactRecords | null | RealtimeError {
  if (event !== 'postgres_changes' || !textMayHoldRounded(frameText, data)) return null
  let frame: unknown
  try {
    frame = parseLossless(frameText, FRAME_RECORDS)
  } catch (error) {
    return new RealtimeError('invalid_frame', `postgres_changes frame is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  // vsn 2.0.0 frames are arrays `[join_ref, ref, topic, event, payload]`, vsn 1.0.0 objects.
  const payload = Array.isArray(frame) ? frame[4] : field(frame, 'payload')
  const change = field(payload, 'data') ?? payload
  return { record: recordField(change, 'record'), old_record: recordField(change, 'old_record') }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}

function recordField(data: unknown, key: string): ExactRecord | null {
  const value = field(data, key)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ExactRecord) : null
}
