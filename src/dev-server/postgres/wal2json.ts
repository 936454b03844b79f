/**
 * A real PostgreSQL behind the dev server, read as the real service reads it: a logical replication
 * slot with the `wal2json` plugin (format 2), polled with `pg_logical_slot_get_changes`, each column
 * value cast with `to_jsonb(value::type)` as `realtime.cast` does. The slot is temporary (it goes
 * with the session if the process dies) and is dropped on close. `pg` is an optional peer.
 */
import { randomBytes } from 'node:crypto'
import type { ChangeFeed } from './feed.js'
import type { SqlClient } from './sql-client.js'

interface PgClient extends SqlClient {
  connect(): Promise<unknown>
  end(): Promise<void>
  on(event: 'error', listener: (error: Error) => void): unknown
}

interface PgModule {
  Client: new (config: { connectionString: string }) => PgClient
}

export const MISSING_PG = 'databaseUrl needs the optional peer dependency pg: npm install --save-dev pg'

async function loadPg(): Promise<PgModule> {
  try {
    const name = 'pg'
    const loaded = (await import(name)) as PgModule & { default?: PgModule }
    return loaded.default ?? loaded
  } catch (error) {
    throw new Error(`${MISSING_PG} (${error instanceof Error ? error.message : String(error)})`)
  }
}

/** How often the slot is read. The real server polls every 100 ms; a dev server can be quicker. */
const POLL_MS = 20

// A session-local function, gone when the session ends: the database keeps nothing of ours.
// It casts to wal2json's own type text (`character(3)`, `integer[]`), which keeps the type modifier
// that a cast through the type oid would lose (a `char(3)` read as `character` keeps one letter).
const CAST_SQL = `create or replace function pg_temp.realtime_xstate_cast(val text, type_ text) returns jsonb language plpgsql as $$
declare res jsonb;
begin
  execute format('select to_jsonb(%L::' || type_ || ')', val) into res;
  return res;
end $$`

const POLL_SQL = `with wal as (
  select data::jsonb as w from pg_logical_slot_get_changes($1, null, null,
    'include-pk', 'true', 'include-transaction', 'false', 'include-timestamp', 'true',
    'include-type-oids', 'true', 'format-version', '2', 'actions', 'insert,update,delete')
)
select jsonb_build_object(
  'schema', w->>'schema',
  'table', w->>'table',
  'type', case w->>'action' when 'I' then 'INSERT' when 'U' then 'UPDATE' else 'DELETE' end,
  'commit_timestamp', to_char((w->>'timestamp')::timestamptz at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'columns', (select jsonb_agg(jsonb_build_object('name', a.attname, 'type', t.typname) order by a.attnum)
                from pg_attribute a join pg_type t on t.oid = a.atttypid
                where a.attrelid = to_regclass(format('%I.%I', w->>'schema', w->>'table')) and a.attnum > 0 and not a.attisdropped),
  'record', (select jsonb_object_agg(c->>'name', pg_temp.realtime_xstate_cast(c->>'value', c->>'type'))
               from jsonb_array_elements(w->'columns') c),
  'old_record', coalesce((select jsonb_object_agg(c->>'name', pg_temp.realtime_xstate_cast(c->>'value', c->>'type'))
               from jsonb_array_elements(w->'identity') c), '{}'::jsonb),
  'has_pk', jsonb_array_length(coalesce(w->'pk', '[]'::jsonb)) > 0
)::text as change
from wal where w->>'action' in ('I', 'U', 'D')`

/** The URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password) parsed.password = '***'
    return parsed.toString()
  } catch {
    return 'the database'
  }
}

export async function startWal2json(databaseUrl: string, onError: (error: Error) => void): Promise<ChangeFeed> {
  const { Client } = await loadPg()
  const user = new Client({ connectionString: databaseUrl })
  const feed = new Client({ connectionString: databaseUrl })
  for (const client of [user, feed]) client.on('error', onError)
  const slot = `realtime_xstate_${process.pid}_${randomBytes(4).toString('hex')}`
  // A temporary slot is dropped by any error in its session; the poll then makes a new one.
  const createSlot = async (): Promise<void> => {
    await feed.query(`select pg_create_logical_replication_slot($1, 'wal2json', true)`, [slot])
  }
  try {
    await Promise.all([user.connect(), feed.connect()])
    await createSlot()
    await feed.query(CAST_SQL)
  } catch (error) {
    await Promise.all([user.end().catch(() => {}), feed.end().catch(() => {})])
    // Postgres's hint says what to change (wal_level, output_plugin_libraries); keep it.
    const hint = typeof error === 'object' && error !== null && 'hint' in error && typeof error.hint === 'string' ? ` (${error.hint})` : ''
    throw new Error(`cannot read changes with wal2json from ${redactUrl(databaseUrl)}: ${error instanceof Error ? error.message : String(error)}${hint}`)
  }

  let handler: (texts: string[]) => void = () => {}
  let closed = false
  let timer: NodeJS.Timeout | null = null
  let polling: Promise<void> = Promise.resolve()
  const poll = async (): Promise<void> => {
    try {
      const { rows } = await feed.query(POLL_SQL, [slot])
      if (rows.length > 0) handler(rows.map((row) => String(row['change'])))
    } catch (error) {
      if (!closed) onError(error instanceof Error ? error : new Error(String(error)))
      if (!closed) await createSlot().catch(() => {})
    }
    if (!closed) timer = setTimeout(() => (polling = poll()), POLL_MS)
  }
  polling = poll()

  return {
    kind: 'postgres',
    // Checks and filter comparisons may fail; on the slot's session a failure would drop the slot.
    sql: user,
    query: (sql, params) => user.query(sql, params ? [...params] : undefined),
    exec: async (sql) => void (await user.query(sql)),
    onChanges(next) {
      handler = next
    },
    async close() {
      closed = true
      if (timer) clearTimeout(timer)
      await polling
      await feed.query('select pg_drop_replication_slot($1)', [slot]).catch(() => {})
      await Promise.all([user.end().catch(() => {}), feed.end().catch(() => {})])
    },
  }
}
