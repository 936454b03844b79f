/**
 * Issue 12: a change committed while the client is reconnecting is delivered after the rejoin or
 * reported as a gap (`resubscribed` with `gapMs` covering the commit), never lost while the client
 * claims to be subscribed. Against the dev server's embedded PGlite (one server for the file: PGlite
 * takes seconds to start). Every wait is on an event.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, type PostgresChangePayload, type RealtimeClient, type RealtimeEvent } from '../../src/index.js'
import { EventLog, FAST, isChannelState, isResubscribed, within } from './client-harness.js'

interface Ctx {
  server: DevServer
  clients: RealtimeClient[]
}

const test = suite<Ctx>('postgres changes across a reconnect', { server: undefined as unknown as DevServer, clients: [] })
const WAIT = 15_000

/** What the test saw, with the wall-clock time it saw it (the channel's `gapMs` is wall-clock too). */
type Seen = { at: number; event: RealtimeEvent } | { at: number; change: PostgresChangePayload }

test.before(async (ctx) => {
  ctx.server = await startDevServer()
  await ctx.server.db.exec('create table gap (id int4 primary key, note text)')
})
test.after.each(async (ctx) => {
  // Whatever a failed test left switched on must not leak into the next one.
  ctx.server.faults.reset()
  await Promise.all(ctx.clients.map((client) => client.close()))
  ctx.clients = []
})
test.after(async (ctx) => {
  await ctx.server.close()
})

const isSubscribedToPostgres = (topic: string) => (item: Seen) =>
  'event' in item && item.event.type === 'channel' && item.event.kind === 'system' && item.event.topic === topic && item.event.message === 'Subscribed to PostgreSQL'
const isEvent = (predicate: (event: RealtimeEvent) => boolean) => (item: Seen) => 'event' in item && predicate(item.event)
const isRow = (id: number) => (item: Seen) => 'change' in item && item.change.new['id'] === id

/** A client with one channel listening to the table's inserts, joined and subscribed to the database. */
async function subscribed(ctx: Ctx, subTopic: string) {
  const log = new EventLog<Seen>()
  const client = createRealtimeClient({ url: ctx.server.url, apikey: ctx.server.apikey, ...FAST, handleEvent: (event) => log.push({ at: Date.now(), event }) })
  ctx.clients.push(client)
  const channel = client.channel(subTopic)
  channel.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'gap' }, (change) => log.push({ at: Date.now(), change }))
  await within(channel.subscribe(), WAIT, 'the join')
  await log.waitFor(isSubscribedToPostgres(channel.topic), WAIT, 'Subscribed to PostgreSQL')
  return { client, channel, log }
}

/**
 * The row is either delivered after the rejoin or inside the reported gap; between the drop and the
 * rejoin the channel never says `joined`. Timestamps taken here are when this test saw something, a
 * little after the client did it (events reach `handleEvent` late on a loaded machine), so the gap is
 * checked with bounds that hold anyway: it spans at least from when the test saw the channel leave
 * `joined` to when it let the client back in (`heldUntil`), and at most from the drop to when the
 * test saw `resubscribed`.
 */
function assertDeliveredOrReported(
  log: EventLog<Seen>,
  topic: string,
  from: number,
  id: number,
  times: { dropped: number; committed: { start: number; end: number }; heldUntil: number | null },
): 'delivered' | 'reported' {
  const after = log.all.slice(from)
  const rejoined = after.findIndex(isEvent(isChannelState(topic, 'joined')))
  assert.ok(rejoined >= 0, 'the channel joined again')
  const left = after.findIndex(isEvent((event) => event.type === 'channel' && event.kind === 'state_change' && event.topic === topic && event.old === 'joined'))
  assert.ok(left >= 0 && left < rejoined, 'the channel left `joined` before it joined again')
  assert.is(after.filter(isEvent(isChannelState(topic, 'joined'))).length, 1, 'joined once, at the rejoin')
  const resubscribed = after.find(isEvent(isResubscribed(topic)))
  assert.ok(resubscribed && 'event' in resubscribed && resubscribed.event.type === 'channel' && resubscribed.event.kind === 'resubscribed', 'a resubscribed event')
  const leftAt = after[left]!.at
  const { committed, heldUntil, dropped } = times
  assert.ok(leftAt <= committed.start, `the commit (${committed.start}–${committed.end}) began after leaving (${leftAt})`)
  if (heldUntil !== null) assert.ok(committed.end <= heldUntil, `the commit (${committed.start}–${committed.end}) ended before the rejoin (after ${heldUntil})`)
  const row = after.findIndex(isRow(id))
  if (row >= 0) {
    assert.ok(row > rejoined, 'a delivered row comes after the rejoin')
    return 'delivered'
  }
  const { gapMs } = resubscribed.event
  if (heldUntil !== null) assert.ok(gapMs >= heldUntil - leftAt, `the reported gap (${gapMs} ms) covers the commit: at least ${heldUntil - leftAt} ms`)
  else assert.ok(gapMs > 0, 'a gap was reported')
  assert.ok(gapMs <= resubscribed.at - dropped, `the reported gap (${gapMs} ms) is no longer than from the drop to resubscribed (${resubscribed.at - dropped} ms)`)
  return 'reported'
}

async function commit(ctx: Ctx, id: number): Promise<{ start: number; end: number }> {
  const start = Date.now()
  await ctx.server.db.query('insert into gap values ($1, $2)', [id, `row ${id}`])
  return { start, end: Date.now() }
}

test('a row committed while every socket is down and reconnects are refused: delivered after the rejoin or reported as a gap', async (ctx) => {
  const { channel, log } = await subscribed(ctx, 'db:gap-held')
  const topic = channel.topic
  // Held off: the client cannot come back until the row is committed.
  ctx.server.faults.refuseUpgrades(1_000_000)
  const from = log.all.length
  const dropped = Date.now()
  assert.ok(ctx.server.faults.dropAllSockets() >= 1, 'a socket was dropped')
  await log.waitFor(isEvent((event) => event.type === 'channel' && event.kind === 'state_change' && event.topic === topic && event.old === 'joined'), WAIT, 'the channel to leave joined')
  const committed = await commit(ctx, 1)
  assert.is.not(channel.state, 'joined', 'not claiming to be subscribed when the row is committed')
  assert.is(log.count(isRow(1)), 0, 'nothing delivered while down')
  const heldUntil = Date.now()
  ctx.server.faults.reset()
  await log.waitFor(isEvent(isResubscribed(topic)), WAIT, 'resubscribed')
  const outcome = assertDeliveredOrReported(log, topic, from, 1, { dropped, committed, heldUntil })
  // The dev server, like the real one, does not replay what happened while the client was away.
  assert.is(outcome, 'reported')

  // Subscribed again: a row committed now arrives.
  await log.waitForCount(isSubscribedToPostgres(topic), 2, WAIT, 'Subscribed to PostgreSQL after the rejoin')
  await commit(ctx, 2)
  await log.waitFor(isRow(2), WAIT, 'the row committed after the rejoin')
})

test('a row committed as soon as the client saw the drop, racing its reconnect: delivered after the rejoin or inside the reported gap', async (ctx) => {
  const { channel, log } = await subscribed(ctx, 'db:gap-race')
  const topic = channel.topic
  const from = log.all.length
  const dropped = Date.now()
  assert.ok(ctx.server.faults.dropAllSockets() >= 1, 'a socket was dropped')
  await log.waitFor(isEvent((event) => event.type === 'channel' && event.kind === 'state_change' && event.topic === topic && event.old === 'joined'), WAIT, 'the channel to leave joined')
  // Nothing holds the client off: it reconnects within ~20 ms (FAST), maybe before the commit ends.
  const committed = await commit(ctx, 3)
  await log.waitFor(isEvent(isResubscribed(topic)), WAIT, 'resubscribed')
  await log.waitForCount(isSubscribedToPostgres(topic), 2, WAIT, 'Subscribed to PostgreSQL after the rejoin')
  // When the rejoin came before the commit ended is not known here (events reach the test late), and
  // the server subscribes to the database only after the join reply, as the real one does: a row
  // committed across the rejoin may be missed. What must hold: never joined in between, a reported
  // gap no longer than the outage, and a delivered row only after the rejoin.
  assertDeliveredOrReported(log, topic, from, 3, { dropped, committed, heldUntil: null })
})

test.run()
