/**
 * `PostgresTypes`: column values of a postgres change → JavaScript values, as a pure table keyed by
 * the column's catalog type name (`int4`, `_text`, `timestamptz` …). Values arrive JSON-typed from
 * the real server (`to_jsonb` forms: numbers, booleans, JSON arrays, nested JSON) or as Postgres
 * text (`t`, `{1,2}`, `[1,10)`); both convert. Nothing here throws: a value a converter does not
 * recognise is returned unchanged, and `null` stays `null`.
 */
import { parseArrayLiteral, type ArrayLiteralNode } from './array-literal.js'
import { normaliseDate, normaliseTimestamp, normaliseTimestamptz } from './dates.js'
import { exactRecords, mayHaveRoundedNumbers, type ExactRecord, type ExactRecords } from './exact-json.js'
import { parseLossless } from './lossless-json.js'
import { ExactNumberText, RoundedDigits, isBeyondSafeIntegerText, isDecimalText, isExactDouble, isIntegerText, numberText } from './numbers.js'
import { parseMultirangeLiteral, parseRangeLiteral, type RangeLiteral } from './range-literal.js'

export { ExactNumberText } from './numbers.js'
export type { ChangeNumbers, ExactRecord, ExactRecords } from './exact-json.js'

export interface PostgresConvertOptions {
  /**
   * How int8 and numeric values that a double cannot hold exactly come back.
   * `'string'`: int8 is a number while it is a safe integer, else its digits as a string; numeric
   * is a number when the double is exact, else a string. `'bigint'`: every int8 is a `bigint`;
   * an integral numeric too big for a double is a `bigint`, a fractional one a string.
   * @default 'string'
   */
  readonly exact?: 'string' | 'bigint'
  /**
   * `date`, `timestamp` and `timestamptz` as normalised ISO strings (microseconds kept) or as
   * `Date` objects (milliseconds; `timestamp` and `date` read as UTC).
   * @default 'string'
   */
  readonly dates?: 'string' | 'date'
}

/** A range column (`int4range`, `tstzrange` …): bounds converted by the range's element type. */
export interface PostgresRange<T = unknown> {
  readonly empty: boolean
  /** `null` when unbounded (or empty). */
  readonly lower: T | null
  readonly upper: T | null
  readonly lowerInclusive: boolean
  readonly upperInclusive: boolean
}

/** One entry of a change's `columns`. */
export interface PostgresColumn {
  readonly name: string
  readonly type: string
}

interface Resolved {
  readonly bigint: boolean
  readonly asDate: boolean
}

/** `fromText`: the value is Postgres text output (an array element, a string form), not `to_jsonb`. */
type Converter = (value: unknown, options: Resolved, fromText: boolean) => unknown

const BOOLEAN_TEXT: Readonly<Record<string, boolean>> = { t: true, true: true, f: false, false: false }

const toBoolean: Converter = (value) => {
  if (typeof value !== 'string') return value
  const known = BOOLEAN_TEXT[value.toLowerCase()]
  return known ?? value
}

/** int2, int4, oid, xid …: always within a double. */
const toSmallInteger: Converter = (value) => {
  if (typeof value === 'string' && isIntegerText(value.trim())) return Number(value)
  return value instanceof ExactNumberText ? value.text : value
}

/** float4 / float8: `NaN` and `±Infinity` arrive as strings even from `to_jsonb`. */
const toFloat: Converter = (value) => {
  if (value instanceof ExactNumberText) return Number(value.text)
  if (typeof value !== 'string') return value
  const text = value.trim()
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return Number(text)
  const number = numberText(text)
  return number === null ? value : Number(number)
}

const toInt8: Converter = (value, options) => {
  // A JSON number was rounded (or not) before it got here; only `bigint` mode changes its type.
  if (typeof value === 'number') return options.bigint && Number.isInteger(value) ? BigInt(value) : value
  // The common exact case: an integer beyond 2^53 read from the frame, already checked.
  if (value instanceof RoundedDigits && value.integer) return options.bigint ? BigInt(value.text) : value.text
  if (value instanceof ExactNumberText && isBeyondSafeIntegerText(value.text) === true) return options.bigint ? BigInt(value.text) : value.text
  const text = typeof value === 'string' ? value.trim() : numberText(value)
  if (text === null || !isIntegerText(text)) return value
  if (options.bigint) return BigInt(text)
  return isExactDouble(text) ? Number(text) : text.replace(/^\+/, '')
}

const toNumeric: Converter = (value, options) => {
  if (typeof value === 'number') return value
  // The common exact case: digits a double cannot hold, read from the frame.
  if (value instanceof RoundedDigits) return options.bigint && value.integer ? BigInt(value.text) : value.text
  if (value instanceof ExactNumberText && isDecimalText(value.text) && !isExactDouble(value.text)) return options.bigint && isIntegerText(value.text) ? BigInt(value.text) : value.text
  const text = typeof value === 'string' ? value.trim() : numberText(value)
  if (text === null) return value
  if (text === 'NaN' || text === 'Infinity' || text === '-Infinity') return Number(text)
  if (numberText(text) === null) return value
  if (isExactDouble(text)) return Number(text)
  return options.bigint && isIntegerText(text) ? BigInt(text) : text
}

/**
 * json / jsonb from the server are already decoded JSON, so a string is a JSON string and stays one
 * (realtime-js would decode `"123"` a second time). Inside array text, elements are JSON text.
 * Numbers inside follow JSON semantics (doubles): exact digits are only read for int8 / numeric.
 */
const toJson: Converter = (value, _options, fromText) => {
  if (value instanceof ExactNumberText) return Number(value.text)
  if (!fromText || typeof value !== 'string') return value
  try {
    return JSON.parse(value) as unknown
  } catch {
    return value
  }
}

function dates(normalise: (text: string, asDate: boolean) => string | Date | undefined): Converter {
  return (value, options) => (typeof value === 'string' ? (normalise(value.trim(), options.asDate) ?? value) : value)
}

const unchanged: Converter = (value) => (value instanceof ExactNumberText ? value.text : value)

function range(element: Converter): Converter {
  return (value, options) => {
    if (typeof value !== 'string') return value
    const parsed = parseRangeLiteral(value)
    return parsed ? convertRange(parsed, element, options) : value
  }
}

function multirange(element: Converter): Converter {
  return (value, options) => {
    if (typeof value !== 'string') return value
    const parsed = parseMultirangeLiteral(value)
    return parsed ? parsed.map((item) => convertRange(item, element, options)) : value
  }
}

function convertRange(parsed: RangeLiteral, element: Converter, options: Resolved): PostgresRange {
  const bound = (text: string | null): unknown => (text === null ? null : element(text, options, true))
  return { ...parsed, lower: bound(parsed.lower), upper: bound(parsed.upper) }
}

const timestamptz = dates(normaliseTimestamptz)
const timestamp = dates(normaliseTimestamp)
const date = dates(normaliseDate)

/**
 * The conversion table. Types not listed (text, varchar, bpchar, uuid, time, interval, bytea,
 * money, enums, composites, unknown names) keep their value.
 */
const TABLE: Readonly<Record<string, Converter>> = {
  bool: toBoolean,
  int2: toSmallInteger,
  int4: toSmallInteger,
  oid: toSmallInteger,
  xid: toSmallInteger,
  cid: toSmallInteger,
  int8: toInt8,
  float4: toFloat,
  float8: toFloat,
  numeric: toNumeric,
  json: toJson,
  jsonb: toJson,
  date,
  timestamp,
  timestamptz,
  int4range: range(toSmallInteger),
  int8range: range(toInt8),
  numrange: range(toNumeric),
  daterange: range(date),
  tsrange: range(timestamp),
  tstzrange: range(timestamptz),
  int4multirange: multirange(toSmallInteger),
  int8multirange: multirange(toInt8),
  nummultirange: multirange(toNumeric),
  datemultirange: multirange(date),
  tsmultirange: multirange(timestamp),
  tstzmultirange: multirange(timestamptz),
}

const CONVERTERS: ReadonlyMap<string, Converter> = new Map(Object.entries(TABLE))

function converterFor(type: string): Converter {
  return CONVERTERS.get(type) ?? unchanged
}

/** Array types are the element type prefixed with `_` (`_int4`, `_text`, `_mood`). */
function arrayConverter(elementType: string): ColumnConverter {
  const element = converterFor(elementType)
  // `box` is the one built-in type whose array delimiter is `;`.
  const delimiter = elementType === 'box' ? ';' : ','
  return (value, options) => {
    if (Array.isArray(value)) return convertJsonArray(value, element, options)
    if (typeof value !== 'string') return value
    const parsed = parseArrayLiteral(value, delimiter)
    return parsed === undefined ? value : convertLiteral(parsed, element, options)
  }
}

/** A column's value (not null) → JavaScript value, by the column's type name. */
type ColumnConverter = (value: unknown, options: Resolved) => unknown

function columnConverterOf(type: string): ColumnConverter {
  if (type.charCodeAt(0) === 0x5f /* _ */) return arrayConverter(type.slice(1))
  const convert = converterFor(type)
  return (value, options) => convert(value, options, false)
}

// Type names are few (the catalog's, the schema's enums); the bound keeps garbage names from growing it.
const COLUMN_CONVERTERS = new Map<string, ColumnConverter>()
const MAX_COLUMN_CONVERTERS = 1024

/** The converter of a column type, built once per type name: a change converts without string work. */
function columnConverter(type: string): ColumnConverter {
  let convert = COLUMN_CONVERTERS.get(type)
  if (convert === undefined) {
    convert = columnConverterOf(type)
    if (COLUMN_CONVERTERS.size < MAX_COLUMN_CONVERTERS) COLUMN_CONVERTERS.set(type, convert)
  }
  return convert
}

/** Elements converted; the array itself is returned when no element changes (the usual case). */
function convertJsonArray(items: readonly unknown[], element: Converter, options: Resolved): unknown[] {
  let out: unknown[] | null = null
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i]
    const converted = item === null ? null : Array.isArray(item) ? convertJsonArray(item, element, options) : element(item, options, false)
    if (out === null && converted !== item) out = items.slice(0, i)
    out?.push(converted)
  }
  return out ?? (items as unknown[])
}

function convertLiteral(nodes: readonly ArrayLiteralNode[], element: Converter, options: Resolved): unknown[] {
  return nodes.map((node) => (node === null ? null : Array.isArray(node) ? convertLiteral(node, element, options) : element(node, options, true)))
}

const RESOLVED: readonly Resolved[] = [
  { bigint: false, asDate: false },
  { bigint: true, asDate: false },
  { bigint: false, asDate: true },
  { bigint: true, asDate: true },
]

function resolve(options: PostgresConvertOptions | undefined): Resolved {
  if (!options) return RESOLVED[0]!
  return RESOLVED[(options.exact === 'bigint' ? 1 : 0) + (options.dates === 'date' ? 2 : 0)]!
}

function convertResolved(type: string, value: unknown, resolved: Resolved): unknown {
  if (value === null || value === undefined) return value
  if (typeof type !== 'string') return unchanged(value, resolved, false)
  return columnConverter(type)(value, resolved)
}

/** Converts one value of a column whose catalog type name is `type`. */
function convertColumn(type: string, value: unknown, options?: PostgresConvertOptions): unknown {
  return convertResolved(type, value, resolve(options))
}

/** Column types whose JSON numbers `JSON.parse` may round; `exactRecords` supplies their digits. */
const EXACT_TYPES: ReadonlySet<string> = new Set(['int8', 'numeric', '_int8', '_numeric'])

const NO_COLUMNS: readonly PostgresColumn[] = []

// The converter last used at each column position (the first MAX_POSITIONS): a table's changes come
// with the same types in the same places, so comparing the type with the one before (mostly the same
// interned string) finds the converter without a Map lookup. Any other type is looked up as usual.
const MAX_POSITIONS = 256
const lastTypes: string[] = []
const lastConverters: ColumnConverter[] = []

function columnConverterAt(position: number, type: string): ColumnConverter {
  if (lastTypes[position] === type) return lastConverters[position]!
  const convert = columnConverter(type)
  if (position < MAX_POSITIONS) {
    lastTypes[position] = type
    lastConverters[position] = convert
  }
  return convert
}

function convertAt(position: number, type: unknown, value: unknown, resolved: Resolved): unknown {
  if (value === null || value === undefined) return value
  if (typeof type !== 'string') return unchanged(value, resolved, false)
  return columnConverterAt(position, type)(value, resolved)
}

/**
 * Converts every field of `record` by the type of the column of the same name (fields without a
 * column are copied unchanged). `exact`, from `exactRecords`, replaces int8 / numeric fields whose
 * digits `JSON.parse` rounded. A missing or non-object record gives `{}`, as realtime-js. The
 * result's keys come in the columns' order, then any others in the record's order.
 */
function convertRecord(
  columns: readonly PostgresColumn[] | null | undefined,
  record: unknown,
  options?: PostgresConvertOptions,
  exact?: ExactRecord | null,
): Record<string, unknown> {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return {}
  const resolved = resolve(options)
  const fields = record as Record<string, unknown>
  const typed = Array.isArray(columns) ? columns : NO_COLUMNS
  const names = Object.keys(fields)
  if (isInColumnOrder(typed, names)) return convertCopy(typed, fields, names, resolved, exact)
  const plan = keyOrderPlan(typed, names)
  return plan === null ? convertInColumnOrder(typed, fields, names, resolved, exact) : convertByPlan(plan, fields, resolved, exact)
}

/**
 * How a record whose keys come in another order than the columns (jsonb's: by length, then bytes)
 * is converted: the same for every change of a table, so worked out once and checked per change.
 * `template` has the output's keys in the output's order (columns first, then the others), so a
 * change clones it and replaces values, instead of adding keys one by one (each a new shape).
 */
interface KeyOrderPlan {
  /** The record's keys, in the record's order, and the columns' names and types: what is checked. */
  readonly keys: readonly string[]
  readonly columnNames: readonly string[]
  readonly columnTypes: readonly string[]
  readonly template: Readonly<Record<string, null>>
  /** Per output key, in `template`'s order: its name, index in the record, type (or null: copied unchanged). */
  readonly outNames: readonly string[]
  readonly outIndex: readonly number[]
  readonly outTypes: readonly (string | null)[]
  readonly outConverters: readonly (ColumnConverter | null)[]
}

// A client hears few tables; the bound keeps odd traffic (keys changing per change) from growing it.
const MAX_PLANS = 16
const plans: KeyOrderPlan[] = []
let nextPlan = 0

function keyOrderPlan(columns: readonly PostgresColumn[], keys: readonly string[]): KeyOrderPlan | null {
  for (const plan of plans) if (planFits(plan, columns, keys)) return plan
  const plan = makePlan(columns, keys)
  if (plan === null) return null
  // Replaced in turn once full: a table that stops sending stops holding a slot.
  plans[nextPlan] = plan
  nextPlan = (nextPlan + 1) % MAX_PLANS
  return plan
}

function planFits(plan: KeyOrderPlan, columns: readonly PostgresColumn[], keys: readonly string[]): boolean {
  if (plan.keys.length !== keys.length || plan.columnNames.length !== columns.length) return false
  for (let i = 0; i < keys.length; i += 1) if (plan.keys[i] !== keys[i]) return false
  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i]
    if (column?.name !== plan.columnNames[i] || column?.type !== plan.columnTypes[i]) return false
  }
  return true
}

/**
 * The plan for these columns and keys, or null where `convertInColumnOrder` must decide: a column
 * without a string name or type, two columns of one name (the later's type wins there), or a key
 * `__proto__` (a template cannot be cloned with it as a plain store target).
 */
function makePlan(columns: readonly PostgresColumn[], keys: readonly string[]): KeyOrderPlan | null {
  const index = new Map<string, number>()
  for (let i = 0; i < keys.length; i += 1) index.set(keys[i]!, i)
  if (index.has('__proto__')) return null
  const columnNames: string[] = []
  const columnTypes: string[] = []
  const outNames: string[] = []
  const outIndex: number[] = []
  const outTypes: (string | null)[] = []
  const seen = new Set<string>()
  for (const column of columns) {
    const name = column?.name
    const type = column?.type
    if (typeof name !== 'string' || typeof type !== 'string' || seen.has(name)) return null
    seen.add(name)
    columnNames.push(name)
    columnTypes.push(type)
    const at = index.get(name)
    if (at === undefined) continue
    outNames.push(name)
    outIndex.push(at)
    outTypes.push(type)
  }
  for (let i = 0; i < keys.length; i += 1) {
    if (seen.has(keys[i]!)) continue
    outNames.push(keys[i]!)
    outIndex.push(i)
    outTypes.push(null)
  }
  const template: Record<string, null> = {}
  for (const name of outNames) template[name] = null
  const outConverters = outTypes.map((type) => (type === null ? null : columnConverter(type)))
  return { keys: [...keys], columnNames, columnTypes, template, outNames, outIndex, outTypes, outConverters }
}

function convertByPlan(plan: KeyOrderPlan, fields: Record<string, unknown>, resolved: Resolved, exact: ExactRecord | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...plan.template }
  const values = Object.values(fields)
  const { outNames, outIndex, outTypes, outConverters } = plan
  for (let j = 0; j < outNames.length; j += 1) {
    const name = outNames[j]!
    const value = values[outIndex[j]!]
    const type = outTypes[j]!
    const convert = outConverters[j]!
    if (convert === null || value === null || value === undefined) out[name] = unchanged(value, resolved, false)
    else out[name] = convert(exactOrValue(exact, type, name, value), resolved)
  }
  return out
}

/** Whether the record's keys are the columns' names, in the columns' order. */
function isInColumnOrder(columns: readonly PostgresColumn[], names: readonly string[]): boolean {
  if (columns.length !== names.length) return false
  for (let i = 0; i < names.length; i += 1) if (columns[i]?.name !== names[i]) return false
  return true
}

function exactOrValue(exact: ExactRecord | null | undefined, type: string, name: string, value: unknown): unknown {
  // `exact` holds only the fields whose digits were rounded: most names are not in it.
  return exact && Object.hasOwn(exact, name) && EXACT_TYPES.has(type) ? exact[name] : value
}

/**
 * A record whose keys are the columns in order: the result starts as a copy of it (one fast clone
 * of the parsed object, the order kept) and only the values a converter changes are stored again.
 * Most values are already what they should be, and a store that adds a key costs more than one
 * that replaces. Keys and values are read with one call each, not a keyed load per field.
 */
function convertCopy(columns: readonly PostgresColumn[], fields: Record<string, unknown>, names: readonly string[], resolved: Resolved, exact: ExactRecord | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...fields }
  const values = Object.values(fields)
  for (let i = 0; i < names.length; i += 1) {
    const name = names[i]!
    const value = values[i]
    const type = columns[i]!.type
    const converted = convertAt(i, type, exactOrValue(exact, type, name, value), resolved)
    if (converted !== value) setField(out, name, converted)
  }
  return out
}

/** Any other record (keys in jsonb's order, missing or extra keys): built key by key, columns first. */
function convertInColumnOrder(columns: readonly PostgresColumn[], fields: Record<string, unknown>, names: readonly string[], resolved: Resolved, exact: ExactRecord | null | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  let typed = 0
  for (let i = 0; i < columns.length; i += 1) {
    const column = columns[i]
    const name = column?.name
    if (typeof name !== 'string' || !Object.hasOwn(fields, name)) continue
    typed += 1
    setField(out, name, convertAt(i, column!.type, exactOrValue(exact, column!.type, name, fields[name]), resolved))
  }
  // Fields without a column, copied as they are (realtime-js does the same).
  if (typed !== names.length) for (const name of names) if (!Object.hasOwn(out, name)) setField(out, name, unchanged(fields[name], resolved, false))
  return out
}

function setField(target: Record<string, unknown>, key: string, value: unknown): void {
  // Column names come from the wire: `__proto__` must stay an ordinary key, not the prototype.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A change's `data` as the server sends it (protocol.md §7.3). */
export interface PostgresChangeData {
  readonly type?: string
  readonly columns?: readonly PostgresColumn[] | null
  readonly record?: unknown
  readonly old_record?: unknown
}

/** `INSERT`, `UPDATE`, `DELETE` in any case; the server's upper case without a new string. */
export function changeType(type: unknown): string {
  if (type === 'INSERT' || type === 'UPDATE' || type === 'DELETE') return type
  return typeof type === 'string' ? type.toUpperCase() : ''
}

/** `new` and `old` as realtime-js shapes them: `{}` when the change type has no such record. */
function convertChange(data: PostgresChangeData, options?: PostgresConvertOptions, exact?: ExactRecords | null): { new: Record<string, unknown>; old: Record<string, unknown> } {
  const type = changeType(data.type)
  return {
    new: type === 'INSERT' || type === 'UPDATE' ? convertRecord(data.columns, data.record, options, exact?.record) : {},
    old: type === 'UPDATE' || type === 'DELETE' ? convertRecord(data.columns, data.old_record, options, exact?.old_record) : {},
  }
}

/** The type names the table converts; everything else is returned unchanged. */
const CONVERTED_TYPES: readonly string[] = Object.freeze(Object.keys(TABLE))

export const PostgresTypes = Object.freeze({
  convertColumn,
  convertRecord,
  convertChange,
  exactRecords,
  mayHaveRoundedNumbers,
  parseLossless,
  CONVERTED_TYPES,
})
