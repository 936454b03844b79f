/**
 * Issue 12: postgres_changes end to end, the same scenarios for every database behind the dev
 * server (embedded PGlite, real PostgreSQL through wal2json): rows written with SQL arrive over a
 * real WebSocket in the real payload shape, filtered by the server, and convert with PostgresTypes.
 */
import { RealtimeClient, type RealtimePostgresChangesPayload } from '@supabase/realtime-js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import WebSocket from 'ws'
import type { DevServer } from '../../src/dev-server/index.js'
import { PostgresTypes, type PostgresChangeData } from '../../src/postgres/types.js'
import { RawClient, replyResponse, type Received } from '../helpers/raw-client.js'
import { disconnect } from '../helpers/realtime-js.js'

export interface Backend {
  readonly server: DevServer
  close(): Promise<void>
}

/** Long enough for a cold database on a loaded CI machine; waits end as soon as the frame is in. */
const WAIT_MS = 15_000

const BIG = '9007199254740993'

/** Column, SQL type, SQL literal, and the value PostgresTypes must give. */
const ROUND_TRIP: readonly (readonly [string, string, string, unknown])[] = [
  ['b', 'bool', 'true', true],
  ['i2', 'int2', '-7', -7],
  ['i4', 'int4', '2147483647', 2147483647],
  ['i8', 'int8', BIG, BIG],
  ['f4', 'float4', '1.5', 1.5],
  ['f8', 'float8', '-0.0025', -0.0025],
  ['n', 'numeric', '12345678901234567890.123456789', '12345678901234567890.123456789'],
  ['ns', 'numeric', '1.25', 1.25],
  ['j', 'json', `'{"a":[1,"x"]}'`, { a: [1, 'x'] }],
  ['jb', 'jsonb', `'"123"'`, '123'],
  ['t', 'text', `'hé "q", {x}'`, 'hé "q", {x}'],
  ['vc', 'varchar(10)', `'v'`, 'v'],
  ['ch', 'char(3)', `'ab'`, 'ab '],
  ['u', 'uuid', `'6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f'`, '6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f'],
  ['d', 'date', `'2026-01-02'`, '2026-01-02'],
  ['ts', 'timestamp', `'2026-01-02 03:04:05.123456'`, '2026-01-02T03:04:05.123456'],
  ['tz', 'timestamptz', `'2026-01-02 03:04:05.5+02'`, '2026-01-02T01:04:05.5Z'],
  ['tm', 'time', `'03:04:05'`, '03:04:05'],
  ['ia', 'int4[]', `'{{1,2},{3,4}}'`, [[1, 2], [3, 4]]],
  ['ta', 'text[]', `'{a,"b c",NULL,"NULL"}'`, ['a', 'b c', null, 'NULL']],
  ['ba', 'bool[]', `'{t,f}'`, [true, false]],
  ['i8a', 'int8[]', `'{1,${BIG}}'`, [1, BIG]],
  ['tza', 'timestamptz[]', `'{"2026-01-02 03:04:05+01"}'`, ['2026-01-02T02:04:05Z']],
  ['ja', 'jsonb[]', `array['{"k":1}'::jsonb]`, [{ k: 1 }]],
  ['r', 'int4range', `'[1,10)'`, { empty: false, lower: 1, upper: 10, lowerInclusive: true, upperInclusive: false }],
  ['tr', 'tstzrange', `'[2026-01-01 00:00:00+02,)'`, { empty: false, lower: '2025-12-31T22:00:00Z', upper: null, lowerInclusive: true, upperInclusive: false }],
  ['m', 'mood', `'happy'`, 'happy'],
  ['nul', 'text', 'null', null],
  // wal2json has no JSON number for NaN: the real server sends null, and so do both databases here.
  ['nan', 'float8', `'NaN'`, null],
]

const SCHEMA_SQL = `
create type mood as enum ('happy', 'sad');
create table round_trip (id int4 primary key, ${ROUND_TRIP.map(([name, type]) => `${name} ${type}`).join(', ')});
create table events (id int4 primary key, v text);
create table events_full (id int4 primary key, v text);
alter table events_full replica identity full;
create table filtered (id int4 primary key, name text);
create table split (id int4 primary key);
create table no_pk (v text);
create table rjs (id int4 primary key, title text);
`

interface Change {
  readonly ids: number[]
  readonly data: PostgresChangeData & Record<string, unknown>
  readonly raw: string
}

function asChange(frame: Received): Change {
  const payload = frame.message.payload as { ids: number[]; data: Change['data'] }
  return { ids: [...payload.ids].sort(), data: payload.data, raw: typeof frame.raw === 'string' ? frame.raw : '' }
}

async function subscribe(client: RawClient, topic: string, bindings: readonly Record<string, unknown>[]): Promise<number[]> {
  const { reply } = await client.join(topic, { postgres_changes: bindings })
  const system = await client.nextEvent('system', topic, WAIT_MS)
  assert.equal(system.message.payload, { channel: topic.slice('realtime:'.length), extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' })
  return (replyResponse(reply) as { postgres_changes: { id: number }[] }).postgres_changes.map((entry) => entry.id)
}

async function nextChange(client: RawClient, topic: string): Promise<Change> {
  return asChange(await client.nextEvent('postgres_changes', topic, WAIT_MS))
}

async function systemError(client: RawClient, topic: string, binding: Record<string, unknown>): Promise<string> {
  await client.join(topic, { postgres_changes: [binding] })
  const system = await client.nextEvent('system', topic, WAIT_MS)
  const payload = system.message.payload as { status: string; message: string; extension: string }
  assert.is(payload.status, 'error')
  assert.is(payload.extension, 'postgres_changes')
  return payload.message
}

export function postgresScenarios(name: string, open: () => Promise<Backend>): void {
  const test = suite<{ backend: Backend; clients: RawClient[] }>(`postgres_changes from ${name}`, { backend: null as never, clients: [] })

  test.before(async (context) => {
    context.backend = await open()
    await context.backend.server.db.exec(SCHEMA_SQL)
  })
  test.after.each(async (context) => {
    await Promise.all(context.clients.map((client) => client.close()))
    context.clients = []
  })
  test.after(async (context) => {
    await context.backend?.close()
  })

  const connect = async (context: { backend: Backend; clients: RawClient[] }, vsn: '1.0.0' | '2.0.0' = '2.0.0'): Promise<RawClient> => {
    const client = await RawClient.connect(context.backend.server.url, { apikey: context.backend.server.apikey, vsn })
    context.clients.push(client)
    return client
  }

  test('every type in the conversion table round-trips from a real column, digits exact', async (context) => {
    for (const vsn of ['2.0.0', '1.0.0'] as const) {
      const client = await connect(context, vsn)
      const topic = `realtime:types-${vsn}`
      const [id] = await subscribe(client, topic, [{ event: 'INSERT', schema: 'public', table: 'round_trip' }])
      const rowId = vsn === '2.0.0' ? 1 : 2
      await context.backend.server.db.query(`insert into round_trip values (${rowId}, ${ROUND_TRIP.map(([, , literal]) => literal).join(', ')})`)
      const change = await nextChange(client, topic)
      assert.equal(change.ids, [id])
      assert.equal(
        change.data.columns?.map((column) => column.type),
        ['int4', 'bool', 'int2', 'int4', 'int8', 'float4', 'float8', 'numeric', 'numeric', 'json', 'jsonb', 'text', 'varchar', 'bpchar', 'uuid', 'date', 'timestamp', 'timestamptz', 'time', '_int4', '_text', '_bool', '_int8', '_timestamptz', '_jsonb', 'int4range', 'tstzrange', 'mood', 'text', 'float8'],
      )
      const exact = PostgresTypes.exactRecords(change.raw, 'postgres_changes')
      assert.ok(exact !== null && !(exact instanceof Error), 'the frame carries long numbers')
      const converted = PostgresTypes.convertChange(change.data, {}, exact).new
      assert.is(converted['id'], rowId)
      for (const [column, , , expected] of ROUND_TRIP) assert.equal(converted[column], expected, `${column}: ${JSON.stringify(converted[column])}`)
      // The wire has the bare number with every digit, as the real server sends it.
      assert.ok(change.raw.includes(`"i8":${BIG}`), change.raw)
    }
  })

  test('INSERT, UPDATE, DELETE and * bindings each get their changes; old_record follows the replica identity', async (context) => {
    const client = await connect(context)
    for (const [table, oldUpdate, oldDelete] of [
      ['events', { id: 1 }, { id: 1 }],
      ['events_full', { id: 1, v: 'a' }, { id: 1, v: 'b' }],
    ] as const) {
      const topic = `realtime:${table}`
      const [insert, update, remove, all] = await subscribe(client, topic, ['INSERT', 'update', 'DELETE', '*'].map((event) => ({ event, schema: 'public', table })))
      const db = context.backend.server.db
      await db.query(`insert into ${table} values (1, 'a')`)
      const inserted = await nextChange(client, topic)
      assert.equal(inserted.ids, [insert!, all!].sort())
      assert.equal(
        { ...inserted.data, commit_timestamp: typeof inserted.data['commit_timestamp'] },
        { schema: 'public', table, type: 'INSERT', commit_timestamp: 'string', columns: [{ name: 'id', type: 'int4' }, { name: 'v', type: 'text' }], errors: null, record: { id: 1, v: 'a' } },
      )
      assert.match(String(inserted.data['commit_timestamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      await db.query(`update ${table} set v = 'b' where id = 1`)
      const updated = await nextChange(client, topic)
      assert.equal(updated.ids, [update!, all!].sort())
      assert.equal([updated.data.type, updated.data.record, updated.data.old_record], ['UPDATE', { id: 1, v: 'b' }, oldUpdate])
      await db.query(`delete from ${table} where id = 1`)
      const deleted = await nextChange(client, topic)
      assert.equal(deleted.ids, [remove!, all!].sort())
      assert.equal([deleted.data.type, 'record' in deleted.data, deleted.data.old_record], ['DELETE', false, oldDelete])
    }
  })

  test('each filter operator is evaluated on the server, with the column type', async (context) => {
    const client = await connect(context)
    const topic = 'realtime:filters'
    const filters = ['name=eq."x,y"', 'id=eq.3', 'id=neq.3', 'id=lt.3', 'id=lte.3', 'id=gt.3', 'id=gte.3', 'id=in.(1,3)', 'name=in.("x,y",z)']
    const ids = await subscribe(client, topic, filters.map((filter) => ({ event: 'INSERT', schema: 'public', table: 'filtered', filter })))
    const expected: Record<number, string[]> = {
      1: ['id=neq.3', 'id=lt.3', 'id=lte.3', 'id=in.(1,3)'],
      3: ['name=eq."x,y"', 'id=eq.3', 'id=lte.3', 'id=gte.3', 'id=in.(1,3)', 'name=in.("x,y",z)'],
      5: ['id=neq.3', 'id=gt.3', 'id=gte.3', 'name=in.("x,y",z)'],
    }
    const names: Record<number, string> = { 1: 'a', 3: 'x,y', 5: 'z' }
    for (const row of [1, 3, 5]) {
      await context.backend.server.db.query('insert into filtered values ($1, $2)', [row, names[row]])
      const change = await nextChange(client, topic)
      assert.equal(change.data.record, { id: row, name: names[row] })
      assert.equal(change.ids, expected[row]!.map((filter) => ids[filters.indexOf(filter)]!).sort(), `row ${row}`)
    }
  })

  test('two channels with different filters on one table each get only their rows', async (context) => {
    const client = await connect(context)
    const other = await connect(context, '1.0.0')
    await subscribe(client, 'realtime:low', [{ event: '*', schema: 'public', table: 'split', filter: 'id=lt.3' }])
    await subscribe(other, 'realtime:high', [{ event: '*', schema: 'public', table: 'split', filter: 'id=gte.3' }])
    for (const id of [1, 2, 3, 4]) await context.backend.server.db.query('insert into split values ($1)', [id])
    const low = [await nextChange(client, 'realtime:low'), await nextChange(client, 'realtime:low')]
    const high = [await nextChange(other, 'realtime:high'), await nextChange(other, 'realtime:high')]
    assert.equal(low.map((c) => c.data.record), [{ id: 1 }, { id: 2 }])
    assert.equal(high.map((c) => c.data.record), [{ id: 3 }, { id: 4 }])
    await Promise.all([client.barrier(), other.barrier()])
    assert.equal([client.queued((f) => f.message.event === 'postgres_changes').length, other.queued((f) => f.message.event === 'postgres_changes').length], [0, 0])
  })

  test('bad bindings get the real server system errors', async (context) => {
    const client = await connect(context)
    assert.is(await systemError(client, 'realtime:bad-op', { event: '*', schema: 'public', table: 'filtered', filter: 'id=foo.1' }), 'Error parsing `filter` params: ["foo", "1"]')
    assert.is(await systemError(client, 'realtime:bad-in', { event: '*', schema: 'public', table: 'filtered', filter: 'id=in.1' }), 'Error parsing `filter` params: `in` filter value must be wrapped by parentheses')
    assert.is(
      await systemError(client, 'realtime:bad-empty', { event: '*', schema: 'public', table: 'filtered', filter: 'id=eq.1,,id=eq.2' }),
      'Error parsing `filter` params: filter must not contain empty segments (check for extra commas)',
    )
    const unable = 'Unable to subscribe to changes with given parameters. Please check Realtime is enabled for the given connect parameters: '
    assert.is(await systemError(client, 'realtime:bad-column', { event: 'INSERT', schema: 'public', table: 'filtered', filter: 'nope=eq.1' }), `${unable}[event: INSERT, schema: public, table: filtered, filters: [{"nope", "eq", "1"}], select: nil]`)
    assert.is(await systemError(client, 'realtime:bad-value', { event: '*', schema: 'public', table: 'filtered', filter: 'id=eq.abc' }), `${unable}[event: *, schema: public, table: filtered, filters: [{"id", "eq", "abc"}], select: nil]`)
    assert.is(await systemError(client, 'realtime:bad-table', { event: '*', schema: 'public', table: 'missing' }), `${unable}[event: *, schema: public, table: missing, filters: [], select: nil]`)
    assert.is(
      await systemError(client, 'realtime:no-params', { event: 'INSERT', filter: 'id=eq.1' }),
      'No subscription params provided. Please provide at least a `schema` or `table` to subscribe to: %{"event" => "INSERT", "filter" => "id=eq.1"}',
    )
  })

  test('a table without a primary key gets the real server error payload', async (context) => {
    const client = await connect(context)
    const [id] = await subscribe(client, 'realtime:no-pk', [{ event: '*', schema: 'public', table: 'no_pk' }])
    await context.backend.server.db.query(`insert into no_pk values ('x')`)
    const change = await nextChange(client, 'realtime:no-pk')
    assert.equal(change, { ids: [id!], data: { schema: 'public', table: 'no_pk', type: 'INSERT', errors: ['Error 400: Bad Request, no primary key'] }, raw: change.raw })
  })

  test('@supabase/realtime-js receives the changes unchanged, vsn 1.0.0 and 2.0.0', async (context) => {
    for (const [index, vsn] of (['1.0.0', '2.0.0'] as const).entries()) {
      const server = context.backend.server
      const realtime = new RealtimeClient(`${server.url.replace(/^http/, 'ws')}/realtime/v1`, { params: { apikey: server.apikey }, transport: WebSocket as never, vsn, timeout: 5000 })
      try {
        const received = new Promise<RealtimePostgresChangesPayload<Record<string, unknown>>>((resolve) => {
          const channel = realtime.channel(`rjs-${vsn}`)
          channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'rjs' }, resolve)
          const subscribed = new Promise<void>((ready) => channel.on('system', {}, (payload: { message?: string }) => payload.message === 'Subscribed to PostgreSQL' && ready()))
          channel.subscribe()
          void subscribed.then(() => server.db.query('insert into rjs values ($1, $2)', [index + 1, `hi ${vsn}`]))
        })
        const payload = await withDeadline(received, WAIT_MS, `realtime-js ${vsn} change`)
        assert.equal({ ...payload, commit_timestamp: typeof payload.commit_timestamp }, {
          schema: 'public',
          table: 'rjs',
          commit_timestamp: 'string',
          eventType: 'INSERT',
          new: { id: index + 1, title: `hi ${vsn}` },
          old: {},
          errors: null,
        })
      } finally {
        await disconnect(realtime)
      }
    }
  })

  test.run()
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms)))
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}
