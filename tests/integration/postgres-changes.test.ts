/**
 * Issue 12, the client side: `on('postgres_changes')` and bindings given as channel options, against
 * the dev server's embedded PGlite database (one server for the file: PGlite takes seconds to start).
 * Rows written with SQL arrive converted, routed by binding id and event, exact beyond 2^53, and in
 * the same shape as realtime-js's.
 */
import { RealtimeClient as TheirClient, type RealtimePostgresChangesPayload } from '@supabase/realtime-js'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import WebSocket from 'ws'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, PostgresFilter, type PostgresChangePayload, type RealtimeClient, type RealtimeEvent } from '../../src/index.js'
import { disconnect } from '../helpers/realtime-js.js'
import { EventLog, FAST, throwsInvalid, within } from './client-harness.js'

interface Ctx {
  server: DevServer
  clients: RealtimeClient[]
}

const test = suite<Ctx>('postgres changes in the client', { server: undefined as unknown as DevServer, clients: [] })
const WAIT = 15_000
const BIG = '9007199254740993'

test.before(async (ctx) => {
  ctx.server = await startDevServer()
  await ctx.server.db.exec(`
    create table todos (id int4 primary key, title text, big int8, done bool, tags text[], at timestamptz);
    alter table todos replica identity full;
    create table notes (id int4 primary key, body text);
  `)
})
test.after.each(async (ctx) => {
  await Promise.all(ctx.clients.map((client) => client.close()))
  ctx.clients = []
})
test.after(async (ctx) => {
  await ctx.server.close()
})

function makeClient(ctx: Ctx, options: Partial<Parameters<typeof createRealtimeClient>[0]> = {}) {
  const events = new EventLog<RealtimeEvent>()
  const client = createRealtimeClient({ url: ctx.server.url, apikey: ctx.server.apikey, ...FAST, handleEvent: (event) => events.push(event), ...options })
  ctx.clients.push(client)
  return { client, events }
}

/** Changes flow once the server said `Subscribed to PostgreSQL` (as the real server). */
const subscribedToPostgres = (topic: string) => (event: RealtimeEvent) =>
  event.type === 'channel' && event.kind === 'system' && event.topic === topic && event.message === 'Subscribed to PostgreSQL'

function collect(): { items: PostgresChangePayload[]; push: (payload: PostgresChangePayload) => void; next: (n: number) => Promise<PostgresChangePayload[]> } {
  const items: PostgresChangePayload[] = []
  const waiters: Array<() => void> = []
  return {
    items,
    push: (payload) => {
      items.push(payload)
      for (const wake of waiters.splice(0)) wake()
    },
    next: (n) =>
      within(
        new Promise((resolve) => {
          const check = (): void => (items.length >= n ? resolve(items.slice(0, n)) : void waiters.push(check))
          check()
        }),
        WAIT,
        `${n} changes`,
      ),
  }
}

test('INSERT, UPDATE and DELETE reach their listeners converted, in realtime-js\'s shape; `*` hears all three', async (ctx) => {
  const { client, events } = makeClient(ctx)
  const room = client.channel('db:todos')
  const inserts = collect()
  const all = collect()
  room.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, inserts.push)
  room.on('postgres_changes', { event: 'all', schema: 'public', table: 'todos' }, all.push)
  await room.subscribe()
  await events.waitFor(subscribedToPostgres(room.topic), WAIT, 'Subscribed to PostgreSQL')
  await ctx.server.db.query(`insert into todos values (1, 'milk', ${BIG}, false, '{a,"b c"}', '2026-01-02 03:04:05+02')`)
  await ctx.server.db.query(`update todos set done = true where id = 1`)
  await ctx.server.db.query(`delete from todos where id = 1`)
  const [insert] = await inserts.next(1)
  assert.equal(insert, {
    schema: 'public',
    table: 'todos',
    commit_timestamp: insert!.commit_timestamp,
    eventType: 'INSERT',
    new: { id: 1, title: 'milk', big: BIG, done: false, tags: ['a', 'b c'], at: '2026-01-02T01:04:05Z' },
    old: {},
    errors: null,
  })
  assert.match(insert!.commit_timestamp, /^\d{4}-\d\d-\d\dT/)
  const three = await all.next(3)
  assert.equal(three.map((change) => change.eventType), ['INSERT', 'UPDATE', 'DELETE'])
  assert.is(three[1]!.new['done'], true)
  assert.is(three[1]!.old['done'], false, 'replica identity full: the old row')
  assert.equal(three[2]!.new, {})
  assert.is(three[2]!.old['big'], BIG, 'exact beyond 2^53 in old records too')
  assert.is(inserts.items.length, 1, 'the INSERT listener hears only inserts')
  const kinds = events.all.flatMap((event) => (event.type === 'postgres_changes' && event.topic === room.topic ? [event.kind] : []))
  assert.equal(kinds, ['insert', 'update', 'delete'], 'handleEvent gets each change once')
})

test('bindings given as channel options deliver too (to handleEvent); bigint on request', async (ctx) => {
  const { client, events } = makeClient(ctx, { postgresTypes: { exact: 'bigint' } })
  const room = client.channel('db:options', { postgres_changes: [{ event: 'INSERT', schema: 'public', table: 'todos' }] })
  await room.subscribe()
  await events.waitFor(subscribedToPostgres(room.topic), WAIT, 'Subscribed to PostgreSQL')
  await ctx.server.db.query(`insert into todos values (2, 'bread', ${BIG}, false, '{}', null)`)
  const change = await events.waitFor((event) => event.type === 'postgres_changes' && event.topic === room.topic, WAIT, 'the change')
  assert.ok(change.type === 'postgres_changes')
  assert.is(change.kind, 'insert')
  assert.is(change.payload.new['big'], BigInt(BIG))
  await ctx.server.db.query('delete from todos where id = 2')
})

test('two channels with different filters on one table each get their own rows', async (ctx) => {
  const { client, events } = makeClient(ctx)
  const low = client.channel('db:low')
  const high = client.channel('db:high')
  const lows = collect()
  const highs = collect()
  low.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter: PostgresFilter.lt('id', 10) }, lows.push)
  high.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter: 'id=gte.10' }, highs.push)
  await Promise.all([low.subscribe(), high.subscribe()])
  await events.waitFor(subscribedToPostgres(low.topic), WAIT)
  await events.waitFor(subscribedToPostgres(high.topic), WAIT)
  await ctx.server.db.query(`insert into notes values (1, 'a'), (20, 'b'), (5, 'c')`)
  assert.equal((await lows.next(2)).map((change) => change.new['id']), [1, 5])
  assert.equal((await highs.next(1)).map((change) => change.new['id']), [20])
  assert.is(highs.items.length, 1)
})

test('bad bindings are refused before any join; a binding after subscribe() is refused', async (ctx) => {
  const { client } = makeClient(ctx)
  const room = client.channel('db:bad')
  const refused = throwsInvalid
  refused(() => room.on('postgres_changes', { event: 'TRUNCATE' as never, schema: 'public' }, () => {}), 'unknown event')
  refused(() => room.on('postgres_changes', { event: 'INSERT', schema: '' }, () => {}), 'empty schema')
  refused(() => room.on('postgres_changes', { event: 'INSERT', schema: 'public', filter: 'id=like.1' }, () => {}), 'unportable operator')
  refused(() => room.on('postgres_changes', { event: 'INSERT', schema: 'public', filter: 'id=in.1,2' }, () => {}), 'in without parentheses')
  refused(() => client.channel('db:bad-option', { postgres_changes: [{ event: 'INSERT', schema: 'public', filter: 'nope' }] }), 'a bad option binding')
  refused(() => PostgresFilter.in('id', []), 'empty in')
  assert.is(PostgresFilter.in('status', ['a', 'b c', 'a']), 'status=in.(a,b c)')
  assert.is(PostgresFilter.eq('name', 'x,y'), 'name=eq."x,y"')
  await room.subscribe()
  refused(() => room.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, () => {}), 'after subscribe')
})

test('our client and realtime-js see the same change in the same shape', async (ctx) => {
  const { client, events } = makeClient(ctx)
  const ours = collect()
  const room = client.channel('db:both')
  room.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter: 'id=eq.77' }, ours.push)
  await room.subscribe()
  await events.waitFor(subscribedToPostgres(room.topic), WAIT)
  const theirs = new TheirClient(`${ctx.server.url}/realtime/v1`, { params: { apikey: ctx.server.apikey }, transport: WebSocket as never })
  const heard: RealtimePostgresChangesPayload<Record<string, unknown>>[] = []
  const channel = theirs.channel('db:both')
  const subscribed = new Promise<void>((resolve) => {
    channel
      .on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'notes', filter: 'id=eq.77' }, (payload) => void heard.push(payload))
      .on('system', {}, (payload: { message?: string }) => {
        if (payload.message === 'Subscribed to PostgreSQL') resolve()
      })
      .subscribe()
  })
  try {
    await within(subscribed, WAIT, 'realtime-js subscribed to PostgreSQL')
    await ctx.server.db.query(`insert into notes values (77, 'both')`)
    const [mine] = await ours.next(1)
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => (heard.length > 0 ? resolve() : void setTimeout(check, 10))
        check()
      }),
      WAIT,
      'realtime-js heard it',
    )
    assert.equal(mine, heard[0] as unknown as PostgresChangePayload)
  } finally {
    await disconnect(theirs)
  }
})

test.run()
