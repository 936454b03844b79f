/**
 * `postgres_changes` bindings as a user writes them, checked before any join: the event (realtime-js's
 * spellings and the seed's lower-case ones), a schema, an optional table and an optional
 * `column=op.value` filter with the operators every Realtime server understands (protocol.md §7.2).
 * A small builder writes filters that pass the check.
 */
import type { PostgresChangesFilter } from '../../machines/channel/contract.js'
import { RealtimeError } from '../errors.js'

export type PostgresChangeEvent = 'INSERT' | 'UPDATE' | 'DELETE' | '*'
/** What `on('postgres_changes', { event })` accepts. */
export type PostgresChangeEventInput = PostgresChangeEvent | 'insert' | 'update' | 'delete' | 'all'

export interface PostgresChangesBinding {
  event: PostgresChangeEventInput
  schema: string
  table?: string
  filter?: string
}

const EVENTS: Readonly<Record<string, PostgresChangeEvent>> = { INSERT: 'INSERT', UPDATE: 'UPDATE', DELETE: 'DELETE', '*': '*', ALL: '*' }
/** The operators of every server version (newer servers take more; these are the portable ones). */
const OPERATORS = ['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'] as const
export type PostgresFilterOperator = (typeof OPERATORS)[number]

const FILTER = /^([^=,\s]+)=(eq|neq|lt|lte|gt|gte|in)\.(.*)$/s

function invalid(message: string, binding: unknown): never {
  throw new RealtimeError('invalid_argument', `postgres_changes: ${message}`, { binding })
}

/** The filter as the server wants it, or a thrown `invalid_argument` error saying what is wrong. */
export function checkFilter(filter: string): string {
  const match = FILTER.exec(filter)
  if (!match) invalid(`filter '${filter}' is not column=op.value with op one of ${OPERATORS.join(', ')}`, { filter })
  const value = match[3]!
  if (match[2] === 'in' && !/^\(.+\)$/s.test(value)) invalid(`the in filter '${filter}' needs its values in parentheses: ${match[1]}=in.(a,b)`, { filter })
  if (value.length === 0) invalid(`filter '${filter}' has no value`, { filter })
  return filter
}

/** The binding as it goes into the join config, or a thrown `invalid_argument` error. */
export function normalizeBinding(binding: unknown): PostgresChangesFilter {
  if (typeof binding !== 'object' || binding === null) invalid('the binding must be { event, schema, table?, filter? }', binding)
  const { event, schema, table, filter } = binding as Partial<Record<'event' | 'schema' | 'table' | 'filter', unknown>>
  const normalEvent = typeof event === 'string' ? EVENTS[event.toUpperCase()] : undefined
  if (normalEvent === undefined) invalid(`event must be INSERT, UPDATE, DELETE or * (or insert, update, delete, all), got ${String(event)}`, binding)
  if (typeof schema !== 'string' || schema.length === 0) invalid('schema must be a non-empty string', binding)
  if (table !== undefined && (typeof table !== 'string' || table.length === 0)) invalid('table must be a non-empty string when given', binding)
  if (filter !== undefined && typeof filter !== 'string') invalid('filter must be a string when given', binding)
  const normal: PostgresChangesFilter = { event: normalEvent, schema }
  if (table !== undefined) normal.table = table
  if (filter !== undefined && filter.trim() !== '') normal.filter = checkFilter(filter)
  return normal
}

function literal(value: string | number | boolean): string {
  const text = String(value)
  // PostgREST quoting for values a filter would otherwise split or misread.
  return /[,()"\\]|^\s|\s$/.test(text) ? `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"` : text
}

/** `PostgresFilter.eq('id', 1)` → `'id=eq.1'`; `PostgresFilter.in('status', ['a', 'b'])` → `'status=in.(a,b)'`. */
export const PostgresFilter = Object.freeze({
  eq: (column: string, value: string | number | boolean) => `${column}=eq.${literal(value)}`,
  neq: (column: string, value: string | number | boolean) => `${column}=neq.${literal(value)}`,
  lt: (column: string, value: string | number) => `${column}=lt.${literal(value)}`,
  lte: (column: string, value: string | number) => `${column}=lte.${literal(value)}`,
  gt: (column: string, value: string | number) => `${column}=gt.${literal(value)}`,
  gte: (column: string, value: string | number) => `${column}=gte.${literal(value)}`,
  in: (column: string, values: ReadonlyArray<string | number>) => {
    if (values.length === 0) throw new RealtimeError('invalid_argument', 'PostgresFilter.in needs at least one value', { column })
    return `${column}=in.(${[...new Set(values.map(literal))].join(',')})`
  },
})
