/**
 * A captured row change in the shape the real server builds (`realtime.apply_rls`, protocol.md §7.3),
 * from either capture path (PGlite triggers or wal2json). Each path hands over the change as JSON
 * text with `to_jsonb` values; parsing it losslessly keeps int8 / numeric digits for the wire.
 */
import { parseLossless, stringifyLossless } from '../../postgres/lossless-json.js'
import { ExactNumberText } from '../../postgres/numbers.js'

export type ChangeType = 'INSERT' | 'UPDATE' | 'DELETE'
export type ChangeRecord = Readonly<Record<string, unknown>>

export interface CapturedChange {
  readonly schema: string
  readonly table: string
  readonly type: ChangeType
  readonly commit_timestamp: string
  readonly columns: readonly { readonly name: string; readonly type: string }[]
  readonly record: ChangeRecord | null
  /** The replica-identity columns of the old row (all of them with `REPLICA IDENTITY FULL`). */
  readonly old_record: ChangeRecord | null
  readonly has_pk: boolean
}

const TYPES: ReadonlySet<string> = new Set<ChangeType>(['INSERT', 'UPDATE', 'DELETE'])

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Reads one change from the capture query's JSON text; `null` when it is not one. */
export function readChange(text: string): CapturedChange | null {
  const value = parseLossless(text)
  if (!isRecord(value) || typeof value['type'] !== 'string' || !TYPES.has(value['type'])) return null
  const columns = Array.isArray(value['columns']) ? value['columns'].filter(isRecord).map((c) => ({ name: String(c['name']), type: String(c['type']) })) : []
  return {
    schema: String(value['schema']),
    table: String(value['table']),
    type: value['type'] as ChangeType,
    commit_timestamp: String(value['commit_timestamp']),
    columns,
    record: isRecord(value['record']) ? value['record'] : null,
    old_record: isRecord(value['old_record']) ? value['old_record'] : null,
    has_pk: value['has_pk'] === true,
  }
}

/** The frame's `data`: the real server's error-only shape for a table without a primary key. */
export function changeData(change: CapturedChange): Record<string, unknown> {
  const { schema, table, type } = change
  if (!change.has_pk && type !== 'DELETE') return { schema, table, type, errors: ['Error 400: Bad Request, no primary key'] }
  return {
    schema,
    table,
    type,
    commit_timestamp: change.commit_timestamp,
    columns: change.columns,
    errors: null,
    ...(type !== 'DELETE' ? { record: change.record ?? {} } : {}),
    ...(type !== 'INSERT' ? { old_record: change.old_record ?? {} } : {}),
  }
}

/** The text Postgres gives for a `to_jsonb` value (`value #>> '{}'`): what filters compare. */
export function valueText(value: unknown): string | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'string') return value
  if (value instanceof ExactNumberText) return value.text
  return stringifyLossless(value)
}
