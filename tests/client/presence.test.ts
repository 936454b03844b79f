/** Issue 5: the presence API of the channel facade over the fake connection (frames in, frames out, simulated time). */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { JoinPayload } from '../../machines/channel/contract.js'
import { RealtimeError } from '../../src/errors.js'
import type { PresencePayload, RealtimeEvent } from '../../src/index.js'
import { fakeClient } from './facade-harness.js'

const TOPIC = 'realtime:room'
const isCode = (code: string) => (error: unknown) => error instanceof RealtimeError && error.code === code
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))
const presenceOf = (events: RealtimeEvent[]) => events.filter((e) => e.type === 'presence')

/** A joined channel with a `*` presence listener recording every payload. */
async function joinedRoom(options: Parameters<ReturnType<typeof fakeClient>['client']['channel']>[1] = {}) {
  const f = fakeClient()
  const ch = f.client.channel('room', options)
  const got: PresencePayload[] = []
  ch.on('presence', { event: '*' }, (p) => got.push(p))
  const joined = ch.subscribe()
  f.open()
  const join = f.answerJoin(TOPIC)
  await joined
  const state = (payload: unknown, joinRef: string | null = join.joinRef) => f.deliver({ topic: TOPIC, joinRef, event: 'presence_state', payload })
  const diff = (joins: unknown, leaves: unknown) => f.deliver({ topic: TOPIC, event: 'presence_diff', payload: { joins, leaves } })
  return { f, ch, got, join, state, diff }
}

const listen = suite('facade: presence listeners and state')

listen('a presence listener turns presence on in the join; a custom key goes along', async () => {
  const { f, join } = await joinedRoom({ presence: { key: 'user-1' } })
  assert.equal((join.payload as JoinPayload).config.presence, { key: 'user-1', enabled: true })
  await f.client.close()
})

listen('presence_state and diffs reach listeners in realtime-js shapes, the client as RealtimeEvents, and presenceState()', async () => {
  const { f, ch, got, state, diff } = await joinedRoom()
  state({ ann: { metas: [{ phx_ref: 'a1', name: 'Ann' }] } })
  diff({ bob: { metas: [{ phx_ref: 'b1', name: 'Bob' }] } }, { ann: { metas: [{ phx_ref: 'a1', name: 'Ann' }] } })
  assert.equal(got, [
    { event: 'join', key: 'ann', currentPresences: [], newPresences: [{ name: 'Ann', presence_ref: 'a1' }] },
    { event: 'sync' },
    { event: 'join', key: 'bob', currentPresences: [], newPresences: [{ name: 'Bob', presence_ref: 'b1' }] },
    { event: 'leave', key: 'ann', currentPresences: [], leftPresences: [{ name: 'Ann', presence_ref: 'a1' }] },
    { event: 'sync' },
  ])
  assert.equal(plain(ch.presenceState()), { bob: [{ name: 'Bob', presence_ref: 'b1' }] })
  const events = presenceOf(f.events)
  assert.equal(
    events.map((e) => (e.type === 'presence' ? `${e.kind}/${e.event}/${e.topic}` : '')),
    ['join/join/realtime:room', 'sync/sync/realtime:room', 'join/join/realtime:room', 'leave/leave/realtime:room', 'sync/sync/realtime:room'],
  )
  assert.equal(events[0], { type: 'presence', kind: 'join', topic: TOPIC, event: 'join', key: 'ann', currentPresences: [], newPresences: [{ name: 'Ann', presence_ref: 'a1' }] })
  await f.client.close()
})

listen('filtered listeners get only their event; disposers are idempotent and independent', async () => {
  const { f, ch, state, diff } = await joinedRoom()
  const joins: string[] = []
  const syncs: number[] = []
  const offJoin = ch.on('presence', { event: 'join' }, (p) => joins.push(p.key))
  const offSync = ch.on('presence', { event: 'sync' }, () => syncs.push(1))
  const offSync2 = ch.on('presence', { event: 'sync' }, () => syncs.push(2))
  state({ a: { metas: [{ phx_ref: '1' }] } })
  offJoin()
  offJoin()
  offSync()
  offSync()
  diff({ b: { metas: [{ phx_ref: '2' }] } }, {})
  assert.equal(joins, ['a'])
  assert.equal(syncs, [1, 2, 2])
  offSync2()
  await f.client.close()
})

listen('diffs before the state of the current join wait for it; after a rejoin they wait for the new state', async () => {
  const { f, got, state, diff } = await joinedRoom()
  diff({ early: { metas: [{ phx_ref: 'e1' }] } }, {})
  assert.is(got.length, 0, 'held until presence_state')
  state({ a: { metas: [{ phx_ref: 'a1' }] } })
  assert.equal(
    got.map((p) => (p.event === 'sync' ? 'sync' : `${p.event}:${p.key}`)),
    ['join:a', 'join:early', 'sync'],
  )
  // The socket drops; the channel rejoins with a new join ref.
  f.move('closed')
  f.open()
  const rejoin = f.answerJoin(TOPIC)
  got.length = 0
  diff({ late: { metas: [{ phx_ref: 'l1' }] } }, {})
  state({ a: { metas: [{ phx_ref: 'a1' }] } }, 'stale-join')
  assert.is(got.length, 0, 'a state of an old join is dropped by the router; the diff still waits')
  state({ a: { metas: [{ phx_ref: 'a1' }] } }, rejoin.joinRef)
  assert.equal(
    got.map((p) => (p.event === 'sync' ? 'sync' : `${p.event}:${p.key}`)),
    ['leave:early', 'join:late', 'sync'],
  )
  await f.client.close()
})

listen('wire keys like __proto__ and constructor are plain keys of a null-prototype state', async () => {
  const { f, ch, state } = await joinedRoom()
  state(JSON.parse('{"__proto__":{"metas":[{"phx_ref":"p","__proto__":{"polluted":true}}]},"constructor":{"metas":[{"phx_ref":"c"}]}}'))
  const snapshot = ch.presenceState()
  assert.is(Object.getPrototypeOf(snapshot), null)
  assert.equal(Object.keys(snapshot), ['__proto__', 'constructor'])
  const entry = snapshot['__proto__']![0]!
  assert.ok(Object.hasOwn(entry, '__proto__'), 'the meta field stays an own property')
  assert.is(Object.getPrototypeOf(entry), Object.prototype)
  assert.is(({} as Record<string, unknown>)['polluted'], undefined)
  await f.client.close()
})

listen('a throwing presence listener is logged and the others still run', async () => {
  const { f, ch, got, state } = await joinedRoom()
  ch.on('presence', { event: 'sync' }, () => {
    throw new Error('boom')
  })
  state({})
  assert.equal(got, [{ event: 'sync' }])
  assert.ok(f.logs.some((line) => line.startsWith('error:') && line.includes('realtime:room')))
  await f.client.close()
})

listen('presence listeners after a join without presence are refused; with presence on they are fine', async () => {
  const f = fakeClient()
  const plainRoom = f.client.channel('plain')
  const joined = plainRoom.subscribe()
  f.open()
  f.answerJoin('realtime:plain')
  await joined
  assert.throws(() => plainRoom.on('presence', { event: 'sync' }, () => {}), isCode('invalid_argument'))
  assert.throws(() => plainRoom.on('presence', { event: 'nope' as 'sync' }, () => {}), isCode('invalid_argument'))
  const on = f.client.channel('on', { presence: { enabled: true } })
  const joinedOn = on.subscribe()
  f.answerJoin('realtime:on')
  await joinedOn
  const off = on.on('presence', { event: 'sync' }, () => {})
  off()
  assert.equal(plain(plainRoom.presenceState()), {})
  await f.client.close()
})

listen('presence frames are ignored on a channel without presence and on a closed one', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room')
  const joined = ch.subscribe()
  f.open()
  const join = f.answerJoin(TOPIC)
  await joined
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, event: 'presence_state', payload: { a: { metas: [{ phx_ref: '1' }] } } })
  assert.equal(Object.keys(ch.presenceState()), [])
  const withPresence = f.client.channel('p', { config: { presence: { enabled: true } } })
  assert.ok(withPresence.config.presence?.enabled)
  await f.client.close()
})

listen.run()

const trackSuite = suite('facade: track and untrack')

trackSuite('track pushes the state, resolves with the reply, and untrack follows', async () => {
  const { f, ch, join } = await joinedRoom()
  const tracked = ch.track({ name: 'Ann', nested: { n: 1 } })
  const push = f.lastOf('presence', TOPIC)!
  assert.equal(push.payload, { type: 'presence', event: 'track', payload: { name: 'Ann', nested: { n: 1 } } })
  assert.is(push.joinRef, join.joinRef)
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, ref: push.ref, event: 'phx_reply', payload: { status: 'ok', response: {} } })
  assert.is(await tracked, 'ok')
  const untracked = ch.untrack()
  const untrackPush = f.lastOf('presence', TOPIC)!
  assert.equal(untrackPush.payload, { type: 'presence', event: 'untrack' })
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, ref: untrackPush.ref, event: 'phx_reply', payload: { status: 'error', response: {} } })
  assert.is(await untracked, 'error')
  await f.client.close()
})

trackSuite('track resolves timed out after the push timeout (per call or the client timeout)', async () => {
  const { f, ch } = await joinedRoom()
  const quick = ch.track({ a: 1 }, { timeoutMs: 100 })
  const slow = ch.untrack()
  f.clock.increment(100)
  assert.is(await quick, 'timed out')
  f.clock.increment(10_000)
  assert.is(await slow, 'timed out')
  await f.client.close()
})

trackSuite('a track copies the state: later changes to the caller object are not sent (nor re-tracked)', async () => {
  const { f, ch } = await joinedRoom()
  const state = { n: 1 }
  void ch.track(state)
  state.n = 2
  assert.equal(f.lastOf('presence', TOPIC)!.payload, { type: 'presence', event: 'track', payload: { n: 1 } })
  await f.client.close()
})

trackSuite('track while joining waits in the buffer; on a channel without presence it turns presence on', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room', { presence: { key: 'k' } })
  const joined = ch.subscribe()
  const tracked = ch.track({ here: true })
  assert.is(f.lastOf('presence'), undefined)
  f.open()
  const join = f.answerJoin(TOPIC)
  await joined
  assert.equal((join.payload as JoinPayload).config.presence, { key: 'k', enabled: true }, 'track before the join went out enables presence')
  const push = f.lastOf('presence', TOPIC)!
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, ref: push.ref, event: 'phx_reply', payload: { status: 'ok', response: {} } })
  assert.is(await tracked, 'ok')
  // The server switched presence on and sent the state: listeners may now be added.
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, event: 'presence_state', payload: { k: { metas: [{ phx_ref: 'r', here: true }] } } })
  assert.equal(plain(ch.presenceState()), { k: [{ here: true, presence_ref: 'r' }] })
  ch.on('presence', { event: 'sync' }, () => {})
  await f.client.close()
})

trackSuite('bad states are invalid_argument; a channel never subscribed or removed is not_joined', async () => {
  const f = fakeClient()
  const ch = f.client.channel('room')
  for (const bad of [null, [1], 'x', { big: 1n }] as unknown[]) {
    const error = await ch.track(bad as Record<string, unknown>).then(
      () => null,
      (e: unknown) => e,
    )
    assert.ok(isCode('invalid_argument')(error), String(bad))
  }
  assert.ok(isCode('not_joined')(await ch.track({}).catch((e: unknown) => e)))
  assert.ok(isCode('not_joined')(await ch.untrack().catch((e: unknown) => e)))
  await f.client.close()
  assert.ok(isCode('not_joined')(await ch.track({}).catch((e: unknown) => e)))
})

trackSuite('a pending track resolves error when the channel is removed or the client closes', async () => {
  const { f, ch } = await joinedRoom()
  const tracked = ch.track({ a: 1 })
  await f.client.close()
  assert.is(await tracked, 'error')
})

trackSuite('acks of broadcasts still settle beside presence pushes', async () => {
  const { f, ch, join } = await joinedRoom({ broadcast: { ack: true } })
  const ref = await ch.broadcastWithAck('x', {})
  const tracked = ch.track({ a: 1 })
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, ref, event: 'phx_reply', payload: { status: 'ok', response: {} } })
  assert.equal(await f.client.waitForAck(ref), { ok: 'acknowledged' })
  const push = f.lastOf('presence', TOPIC)!
  f.deliver({ topic: TOPIC, joinRef: join.joinRef, ref: push.ref, event: 'phx_reply', payload: { status: 'ok', response: {} } })
  assert.is(await tracked, 'ok')
  await f.client.close()
})

trackSuite.run()
