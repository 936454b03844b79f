/**
 * Exact int8 / numeric digits from a frame's raw JSON text. The real server sends them as bare JSON
 * numbers (protocol.md §7.3), and `JSON.parse` rounds any with more than ~15 significant digits.
 * With the parsed `data`, only the int8 / numeric fields that may have been rounded are looked at,
 * where their keys are written (`exactByKey`); when that cannot be proven right, or without `data`,
 * frames whose text holds a run of 16+ digits are parsed a second time by the small lossless parser.
 * Every other frame costs one string compare.
 */
import { RealtimeError } from '../errors.js'
import { exactByKey } from './exact-by-key.js'
import { parseLossless, type Selection } from './lossless-json.js'

export type ExactRecord = Readonly<Record<string, unknown>>

/**
 * `record` / `old_record` as parsed losslessly: numbers a double cannot hold are `ExactNumberText`.
 * Read by key (the parsed data given), they hold only the fields whose digits a double lost.
 */
export interface ExactRecords {
  readonly record: ExactRecord | null
  readonly old_record: ExactRecord | null
}

// 16 digits (dots allowed between them) is the shortest number a double may not hold exactly.
const LONG_RUN = 16

function isDigitOrDot(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || code === 0x2e
}

/**
 * Whether `text` has a run of 16 or more digits and dots. Such a run covers one of every 16
 * positions, so only those are looked at (and their neighbours when they are digits): a frame
 * without long numbers costs a sixteenth of a walk over its characters.
 */
export function hasLongNumber(text: string): boolean {
  for (let i = LONG_RUN - 1; i < text.length; i += LONG_RUN) {
    if (!isDigitOrDot(text.charCodeAt(i))) continue
    let start = i
    while (start > 0 && isDigitOrDot(text.charCodeAt(start - 1))) start -= 1
    let end = i + 1
    while (end < text.length && isDigitOrDot(text.charCodeAt(end))) end += 1
    // A shorter run holds no other of the positions looked at: go on to the next one.
    if (end - start >= LONG_RUN) return true
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

interface SuspectColumns {
  readonly names: readonly string[]
}

function objectOrNull(value: unknown): Readonly<Record<string, unknown>> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null
}

/** An int8 / numeric column (or an array of them): the only ones whose JSON numbers matter here. */
interface NumberColumn {
  readonly name: string
  readonly base: 'int8' | 'numeric'
}

// The last frozen column list seen (a socket's frames share one per table, see columns-reuse.ts):
// its number columns are worked out once, not per change.
let lastColumns: readonly unknown[] | null = null
let lastNumberColumns: readonly NumberColumn[] = []

function numberColumnsOf(columns: readonly unknown[]): readonly NumberColumn[] {
  if (columns === lastColumns) return lastNumberColumns
  const found: NumberColumn[] = []
  for (const column of columns as readonly ({ readonly name?: unknown; readonly type?: unknown } | null)[]) {
    const type = column?.type
    const base = type === 'int8' || type === '_int8' ? 'int8' : type === 'numeric' || type === '_numeric' ? 'numeric' : null
    if (base !== null && typeof column?.name === 'string') found.push({ name: column.name, base })
  }
  // Only a list nobody can change may be remembered by identity.
  if (Object.isFrozen(columns) && columns.every((column) => Object.isFrozen(column))) {
    lastColumns = columns
    lastNumberColumns = found
  }
  return found
}

/**
 * Names of the int8 / numeric columns of `data` (already parsed) whose value `JSON.parse` may have
 * rounded: an int8 beyond 2^53, or any numeric number; `null` when that cannot be told (no columns).
 */
function suspectColumns(data: ChangeNumbers): SuspectColumns | null {
  if (!Array.isArray(data.columns)) return null
  const names: string[] = []
  const record = objectOrNull(data.record)
  const old = objectOrNull(data.old_record)
  for (const { name, base } of numberColumnsOf(data.columns)) {
    if ((record && mayBeRounded(base, record[name])) || (old && mayBeRounded(base, old[name]))) names.push(name)
  }
  return { names }
}

/** Whether `data` (already parsed) has an int8 or numeric value `JSON.parse` may have rounded. */
export function mayHaveRoundedNumbers(data: ChangeNumbers): boolean {
  const suspects = suspectColumns(data)
  return suspects === null || suspects.names.length > 0
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
  // Without a run of 16 digits anywhere, no number of the frame can have been rounded: the common case ends here.
  if (event !== 'postgres_changes' || !hasLongNumber(frameText)) return null
  const suspects = data === undefined ? null : suspectColumns(data)
  if (suspects !== null && suspects.names.length > 0 && data !== undefined) {
    const byKey = exactByKey(frameText, objectOrNull(data.record), objectOrNull(data.old_record), suspects.names)
    if (byKey !== undefined) return byKey
  }
  // The parsed data tells there is nothing to correct (the long digits are elsewhere, in a string say).
  if (suspects !== null && suspects.names.length === 0) return null
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
