/** Issue 3: presence with Phoenix semantics (§6): state after join, diffs for track/update/untrack/leave/disconnect. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { RawClient } from '../helpers/raw-client.js'
import { ok, withHarness } from './harness.js'

const presence = suite('dev-server presence')
const TOPIC = 'realtime:room1'

type Metas = Record<string, { metas: Record<string, unknown>[] }>
interface Diff {
  joins: Metas
  leaves: Metas
}

const track = (client: RawClient, joinRef: string, payload: unknown) => client.request(TOPIC, 'presence', { type: 'presence', event: 'track', payload }, joinRef)
const diffOf = async (client: RawClient): Promise<Diff> => (await client.nextEvent('presence_diff', TOPIC)).message.payload as Diff

presence('pushes presence_state after a join with presence enabled, not without', () =>
  withHarness({}, async (h) => {
    const on = await h.connect()
    const off = await h.connect()
    const { joinRef } = await on.join(TOPIC, { presence: { enabled: true, key: 'a' } })
    const state = await on.nextEvent('presence_state')
    assert.equal(state.message, { joinRef, ref: null, topic: TOPIC, event: 'presence_state', payload: {} })
    await off.join(TOPIC, { presence: { enabled: false } })
    await off.barrier()
    assert.is(off.queued((f) => f.message.event === 'presence_state').length, 0)
  }))

presence('track fans out a join diff to every subscriber and later joiners get it in presence_state', () =>
  withHarness({}, async (h) => {
    const alice = await h.connect()
    const watcher = await h.connect()
    const { joinRef } = await alice.join(TOPIC, { presence: { enabled: true, key: 'alice' } })
    await watcher.join(TOPIC)
    const reply = await track(alice, joinRef, { online_at: 't1' })
    assert.equal(reply.payload, ok)
    const diff = await diffOf(watcher)
    assert.equal(Object.keys(diff.leaves), [])
    const meta = diff.joins['alice']!.metas[0]!
    assert.is(meta['online_at'], 't1')
    assert.type(meta['phx_ref'], 'string')
    const diffFrame = await alice.nextEvent('presence_diff')
    assert.is(diffFrame.message.joinRef, null, 'diffs are fan-out frames')
    const late = await h.connect()
    await late.join(TOPIC, { presence: { enabled: true } })
    const state = (await late.nextEvent('presence_state')).message.payload as Metas
    assert.equal(state['alice']!.metas, [meta])
  }))

presence('re-tracking the same payload is a no-op; a new payload is an update with phx_ref_prev', () =>
  withHarness({}, async (h) => {
    const alice = await h.connect()
    const watcher = await h.connect()
    const { joinRef } = await alice.join(TOPIC, { presence: { enabled: true, key: 'alice' } })
    await watcher.join(TOPIC)
    await track(alice, joinRef, { a: 1, b: 2 })
    const first = (await diffOf(watcher)).joins['alice']!.metas[0]!
    await track(alice, joinRef, { b: 2, a: 1 })
    await watcher.barrier()
    assert.is(watcher.queued((f) => f.message.event === 'presence_diff').length, 0, 'same map, other key order: no diff')
    await track(alice, joinRef, { a: 2 })
    const update = await diffOf(watcher)
    const joined = update.joins['alice']!.metas[0]!
    assert.is(joined['phx_ref_prev'], first['phx_ref'])
    assert.is.not(joined['phx_ref'], first['phx_ref'])
    assert.is(joined['a'], 2)
    assert.equal(update.leaves['alice']!.metas, [first])
  }))

presence('untrack, leave and disconnect each fan out a leave diff', () =>
  withHarness({}, async (h) => {
    const watcher = await h.connect()
    await watcher.join(TOPIC)
    const a = await h.connect()
    const aJoin = await a.join(TOPIC, { presence: { key: 'a' } })
    await track(a, aJoin.joinRef, {})
    await diffOf(watcher)
    await a.request(TOPIC, 'presence', { type: 'presence', event: 'untrack' }, aJoin.joinRef)
    assert.equal(Object.keys((await diffOf(watcher)).leaves), ['a'])

    await track(a, aJoin.joinRef, { again: true })
    await diffOf(watcher)
    await a.request(TOPIC, 'phx_leave', {}, aJoin.joinRef)
    assert.equal(Object.keys((await diffOf(watcher)).leaves), ['a'])

    const b = await h.connect()
    const bJoin = await b.join(TOPIC, { presence: { key: 'b' } })
    await track(b, bJoin.joinRef, {})
    await diffOf(watcher)
    await b.close()
    assert.equal(Object.keys((await diffOf(watcher)).leaves), ['b'])
  }))

presence('two sockets under one key are two metas of that key', () =>
  withHarness({}, async (h) => {
    const one = await h.connect()
    const two = await h.connect()
    const j1 = await one.join(TOPIC, { presence: { key: 'same' } })
    const j2 = await two.join(TOPIC, { presence: { key: 'same', enabled: true } })
    await track(one, j1.joinRef, { n: 1 })
    await track(two, j2.joinRef, { n: 2 })
    const late = await h.connect()
    await late.join(TOPIC, { presence: { enabled: true } })
    const state = (await late.nextEvent('presence_state')).message.payload as Metas
    assert.equal(state['same']!.metas.map((m) => m['n']), [1, 2])
  }))

presence('generates a UUID v1 key when none is given', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC, { presence: { enabled: true, key: '' } })
    await client.nextEvent('presence_state')
    await track(client, joinRef, {})
    const diff = await diffOf(client)
    assert.match(Object.keys(diff.joins)[0]!, /^[0-9a-f]{8}-[0-9a-f]{4}-1[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  }))

presence('rejects a non-map track payload and unknown presence events', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC)
    const bad = await track(client, joinRef, 'hello')
    assert.equal(bad.payload, { response: { reason: 'Presence track payload must be a map' }, status: 'error' })
    const unknown = await client.request(TOPIC, 'presence', { type: 'presence', event: 'dance' }, joinRef)
    assert.equal(unknown.payload, { response: {}, status: 'error' })
  }))

presence('tracking on a channel that joined without presence turns it on and pushes presence_state', () =>
  withHarness({}, async (h) => {
    const other = await h.connect()
    const o = await other.join(TOPIC, { presence: { key: 'other' } })
    await track(other, o.joinRef, { here: true })
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC, { presence: { key: 'me' } })
    const reply = await client.request(TOPIC, 'presence', { type: 'presence', event: 'TRACK' }, joinRef)
    assert.equal(reply.payload, ok)
    const state = (await client.nextEvent('presence_state')).message.payload as Metas
    assert.equal(Object.keys(state).sort(), ['me', 'other'])
  }))

presence('a track payload over the size limit shuts the channel down', () =>
  withHarness({ maxPayloadBytes: 50 }, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC)
    client.send({ joinRef, ref: 'big', topic: TOPIC, event: 'presence', payload: { type: 'presence', event: 'track', payload: { s: 'x'.repeat(100) } } })
    const system = await client.nextEvent('system')
    assert.is((system.message.payload as { message: string }).message, 'Track message size exceeded')
    await client.nextEvent('phx_close')
  }))

presence('keys and payload fields named __proto__ stay plain data', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join(TOPIC, { presence: { key: '__proto__', enabled: true } })
    await client.nextEvent('presence_state')
    client.sendRaw(`[${JSON.stringify(joinRef)},"p1","${TOPIC}","presence",{"type":"presence","event":"track","payload":{"__proto__":{"polluted":true},"ok":1}}]`)
    await client.next((f) => f.message.ref === 'p1')
    const late = await h.connect()
    await late.join(TOPIC, { presence: { enabled: true } })
    const raw = (await late.nextEvent('presence_state')).raw as string
    const state = JSON.parse(raw)[4] as Record<string, unknown>
    assert.ok(Object.hasOwn(state, '__proto__'))
    assert.is(({} as Record<string, unknown>)['polluted'], undefined)
    assert.match(raw, /"__proto__":\{"metas":\[\{"__proto__":\{"polluted":true\},"ok":1,"phx_ref":/)
  }))

presence.run()
