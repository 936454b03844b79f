/**
 * Exact int8 / numeric digits from a frame's raw JSON text. The real server sends them as bare JSON
 * numbers (protocol.md §7.3), and `JSON.parse` rounds any with more than ~15 significant digits. Only
 * `postgres_changes` frames whose text holds a run of 16+ digits are parsed a second time, by the small
 * lossless parser below; every other frame costs one string compare.
 */
import { RealtimeError } from '../errors.js'
import { parseLossless } from './lossless-json.js'

export type ExactRecord = Readonly<Record<string, unknown>>

/** `record` / `old_record` as parsed losslessly: numbers a double cannot hold are `ExactNumberText`. */
export interface ExactRecords {
  readonly record: ExactRecord | null
  readonly old_record: ExactRecord | null
}

// 16 digits (dots allowed between them) is the shortest number a double may not hold exactly.
const LONG_NUMBER = /[\d.]{16,}/

/**
 * The frame's records with exact numbers, or `null` when there is nothing to correct: the event is
 * not `postgres_changes`, or no number in the text is long enough to have been rounded.
 * A frame that is not JSON gives an `invalid_frame` error.
 */
export function exactRecords(frameText: string, event: string): ExactRecords | null | RealtimeError {
  if (event !== 'postgres_changes' || !LONG_NUMBER.test(frameText)) return null
  let frame: unknown
  try {
    frame = parseLossless(frameText)
  } catch (error) {
    return new RealtimeError('invalid_frame', `postgres_changes frame is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  // vsn 2.0.0 frames are arrays `[join_ref, ref, topic, event, payload]`, vsn 1.0.0 objects.
  const payload = Array.isArray(frame) ? frame[4] : field(frame, 'payload')
  const data = field(payload, 'data') ?? payload
  return { record: recordField(data, 'record'), old_record: recordField(data, 'old_record') }
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined
}

function recordField(data: unknown, key: string): ExactRecord | null {
  const value = field(data, key)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as ExactRecord) : null
}
