/**
 * `filter` strings of postgres_changes bindings, parsed as the real server does (protocol.md §7.2):
 * `column=op.value` conditions joined by `,` (AND), operators `eq, neq, lt, lte, gt, gte, in`,
 * `in.(a,b)` becoming the array literal `{a,b}`. Errors carry the server's own sentences.
 */

export type FilterOperator = 'eq' | 'neq' | 'lt' | 'lte' | 'gt' | 'gte' | 'in'

export interface FilterCondition {
  readonly column: string
  readonly op: FilterOperator
  /** The value as the server compares it: text, or an array literal for `in`. */
  readonly value: string
}

export type FilterParse = { readonly ok: true; readonly conditions: readonly FilterCondition[] } | { readonly ok: false; readonly error: string }

const OPERATORS: ReadonlySet<string> = new Set<FilterOperator>(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'in'])

/** SQL for each operator, as `realtime.check_equality_op` writes it. */
export const OPERATOR_SQL: Readonly<Record<FilterOperator, string>> = { eq: '=', neq: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=', in: '= any' }

/** Elixir's `inspect` of a list of strings: `["foo", "hey"]`. */
function inspectList(parts: readonly string[]): string {
  return `[${parts.map((part) => JSON.stringify(part)).join(', ')}]`
}

/** Splits on commas outside parentheses and double quotes, so `in.(1,2)` and `eq."a,b"` stay whole. */
function splitTopLevel(text: string): string[] {
  const segments: string[] = []
  let depth = 0
  let quoted = false
  let start = 0
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i]
    if (char === '\\' && quoted) i += 1
    else if (char === '"') quoted = !quoted
    else if (!quoted && char === '(') depth += 1
    else if (!quoted && char === ')') depth = Math.max(0, depth - 1)
    else if (!quoted && depth === 0 && char === ',') {
      segments.push(text.slice(start, i))
      start = i + 1
    }
  }
  segments.push(text.slice(start))
  return segments
}

/** PostgREST-style quoting: `"a,b"` → `a,b`, with `\` escapes. Anything else is taken as is. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value
  let out = ''
  for (let i = 1; i < value.length - 1; i += 1) {
    const char = value[i]!
    if (char === '\\' && i + 1 < value.length - 1) {
      i += 1
      out += value[i]
    } else if (char === '"') {
      return value
    } else {
      out += char
    }
  }
  return out
}

function parseSegment(segment: string): FilterCondition | string {
  const trimmed = segment.trim()
  if (trimmed === '') return 'filter must not contain empty segments (check for extra commas)'
  const eq = trimmed.indexOf('=')
  if (eq < 0) return inspectList([trimmed])
  const column = trimmed.slice(0, eq)
  const rest = trimmed.slice(eq + 1)
  const dot = rest.indexOf('.')
  if (dot < 0) return inspectList([rest])
  const op = rest.slice(0, dot)
  const value = rest.slice(dot + 1)
  if (!OPERATORS.has(op)) return inspectList([op, value])
  if (op === 'in') {
    if (value.length < 2 || !value.startsWith('(') || !value.endsWith(')')) return '`in` filter value must be wrapped by parentheses'
    return { column, op, value: `{${value.slice(1, -1)}}` }
  }
  return { column, op: op as FilterOperator, value: unquote(value) }
}

/** Parses a binding's `filter`; an absent or blank filter has no conditions. */
export function parseFilter(filter: string | undefined): FilterParse {
  if (filter === undefined || filter.trim() === '') return { ok: true, conditions: [] }
  const conditions: FilterCondition[] = []
  for (const segment of splitTopLevel(filter.trim())) {
    const parsed = parseSegment(segment)
    if (typeof parsed === 'string') return { ok: false, error: `Error parsing \`filter\` params: ${parsed}` }
    conditions.push(parsed)
  }
  return { ok: true, conditions }
}

/** How the server names a subscription in its "Unable to subscribe" error. */
export function describeSubscription(event: string, schema: string, table: string, conditions: readonly FilterCondition[]): string {
  const filters = conditions.map((c) => `{${JSON.stringify(c.column)}, ${JSON.stringify(c.op)}, ${JSON.stringify(c.value)}}`).join(', ')
  return `event: ${event}, schema: ${schema}, table: ${table}, filters: [${filters}], select: nil`
}
