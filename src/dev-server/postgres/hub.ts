/**
 * The dev server's `ChangeSource` over a real database: validates bindings when a channel
 * subscribes (the server's error sentences), then matches each captured change against every
 * subscriber's bindings (schema, table, event, filters evaluated by the database with the column's
 * type, as `realtime.check_equality_op` does) and delivers it once per channel with the matching ids.
 * Changes are handled one at a time, in commit order.
 */
import type { ChangeSource, ChangeSubscriber, ChangeSubscription, PostgresChangesBinding } from '../change-source.js'
import type { Log } from '../log.js'
import { changeData, valueText, type CapturedChange, type ChangeRecord } from './change.js'
import { describeSubscription, OPERATOR_SQL, parseFilter, type FilterCondition } from './filters.js'
import { quoteIdent, type SqlClient } from './sql-client.js'

interface CompiledBinding {
  readonly id: number
  /** `INSERT`, `UPDATE`, `DELETE`, or `*` for anything else (the server's `action_filter`). */
  readonly event: string
  readonly schema: string
  /** `*` for every table of the schema. */
  readonly table: string
  readonly conditions: readonly FilterCondition[]
}

interface Subscription {
  readonly subscriber: ChangeSubscriber
  readonly bindings: readonly CompiledBinding[]
}

const EVENTS: ReadonlySet<string> = new Set(['INSERT', 'UPDATE', 'DELETE'])

/** Elixir's `inspect` of a flat map, keys sorted as Elixir orders a small map: `%{"event" => "*"}`. */
function inspectMap(params: Readonly<Record<string, unknown>>): string {
  const entries = Object.keys(params)
    .sort()
    .map((key) => `${JSON.stringify(key)} => ${typeof params[key] === 'string' || typeof params[key] === 'number' || typeof params[key] === 'boolean' ? JSON.stringify(params[key]) : '…'}`)
  return `%{${entries.join(', ')}}`
}

function compile(binding: PostgresChangesBinding): CompiledBinding | string {
  // Neither schema nor table: the server refuses rather than defaulting to `public`.
  if (typeof binding.params['schema'] !== 'string' && typeof binding.params['table'] !== 'string') {
    return `No subscription params provided. Please provide at least a \`schema\` or \`table\` to subscribe to: ${inspectMap(binding.params)}`
  }
  const parsed = parseFilter(binding.filter)
  if (!parsed.ok) return parsed.error
  const event = binding.event === '*' ? '*' : binding.event.toUpperCase()
  return { id: binding.id, event: EVENTS.has(event) ? event : '*', schema: binding.schema, table: binding.table ?? '*', conditions: parsed.conditions }
}

export class ChangeHub implements ChangeSource {
  readonly #subscriptions = new Set<Subscription>()
  #queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly sql: () => Promise<SqlClient>,
    private readonly log: Log,
  ) {}

  async subscribe(subscriber: ChangeSubscriber): Promise<ChangeSubscription> {
    const bindings: CompiledBinding[] = []
    for (const binding of subscriber.bindings) {
      const compiled = compile(binding)
      if (typeof compiled === 'string') throw new Error(compiled)
      bindings.push(compiled)
    }
    const sql = await this.sql()
    for (const binding of bindings) await this.#check(sql, binding)
    const subscription: Subscription = { subscriber, bindings }
    this.#subscriptions.add(subscription)
    this.log('info', `postgres_changes: ${subscriber.topic} subscribed to ${bindings.length} binding(s)`)
    return { close: () => void this.#subscriptions.delete(subscription) }
  }

  /** The checks `realtime.subscription` makes on insert: the table exists, filter columns exist, values cast. */
  async #check(sql: SqlClient, binding: CompiledBinding): Promise<void> {
    if (binding.schema === '*' || binding.table === '*') return
    const refuse = (): never => {
      throw new Error(
        `Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: [${describeSubscription(binding.event, binding.schema, binding.table, binding.conditions)}]`,
      )
    }
    const { rows } = await sql.query(
      `select a.attname::text as name, t.typname::text as type from pg_attribute a join pg_type t on t.oid = a.atttypid
       where a.attrelid = to_regclass(format('%I.%I', $1::text, $2::text)) and a.attnum > 0 and not a.attisdropped`,
      [binding.schema, binding.table],
    )
    if (rows.length === 0) refuse()
    const types = new Map(rows.map((row) => [String(row['name']), String(row['type'])]))
    for (const condition of binding.conditions) {
      const type = types.get(condition.column)
      if (type === undefined) refuse()
      const arrayType = condition.op === 'in' ? '[]' : ''
      try {
        await sql.query(`select $1::text::${quoteIdent(type!)}${arrayType}`, [condition.value])
      } catch {
        refuse()
      }
    }
  }

  /** Queues changes for delivery in the order given. */
  publish(changes: readonly CapturedChange[]): Promise<void> {
    this.#queue = this.#queue.then(async () => {
      for (const change of changes) {
        try {
          await this.#deliver(change)
        } catch (error) {
          this.log('warn', `postgres_changes: delivery failed: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    })
    return this.#queue
  }

  async #deliver(change: CapturedChange): Promise<void> {
    if (this.#subscriptions.size === 0) return
    const data = changeData(change)
    const withErrors = Array.isArray(data['errors'])
    let channels = 0
    // A DELETE carries only the old row; filters see it (`is_visible_through_filters(old_columns)`).
    const row = change.type === 'DELETE' ? change.old_record : change.record
    for (const subscription of [...this.#subscriptions]) {
      const ids: number[] = []
      for (const binding of subscription.bindings) {
        if (ids.includes(binding.id) || !this.#targets(binding, change)) continue
        if (withErrors || (await this.#visible(binding.conditions, change, row))) ids.push(binding.id)
      }
      if (ids.length > 0 && this.#subscriptions.has(subscription)) {
        subscription.subscriber.deliver(ids, data)
        channels += 1
      }
    }
    this.log('info', `postgres_changes: ${change.type} on ${change.schema}.${change.table} to ${channels} channel(s)`)
  }

  #targets(binding: CompiledBinding, change: CapturedChange): boolean {
    return (
      (binding.schema === '*' || binding.schema === change.schema) &&
      (binding.table === '*' || binding.table === change.table) &&
      (binding.event === '*' || binding.event === change.type)
    )
  }

  /** Every condition holds, compared by the database as the column's type; a NULL never matches. */
  async #visible(conditions: readonly FilterCondition[], change: CapturedChange, row: ChangeRecord | null): Promise<boolean> {
    if (conditions.length === 0) return true
    const sql = await this.sql()
    for (const condition of conditions) {
      const column = change.columns.find((c) => c.name === condition.column)
      const value = row && Object.hasOwn(row, condition.column) ? valueText(row[condition.column]) : null
      if (!column || value === null) return false
      const type = quoteIdent(column.type)
      const right = condition.op === 'in' ? `($2::text::${type}[])` : `$2::text::${type}`
      try {
        const { rows } = await sql.query(`select ($1::text::${type} ${OPERATOR_SQL[condition.op]} ${right}) as ok`, [value, condition.value])
        if (rows[0]?.['ok'] !== true) return false
      } catch {
        return false
      }
    }
    return true
  }

  /** Forgets every subscriber; queued changes still drain. */
  close(): Promise<void> {
    this.#subscriptions.clear()
    return this.#queue
  }
}
