/** Issue 3: heartbeats, idle timeout, phx_join / phx_reply / phx_leave / phx_close over real sockets. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { replyResponse, replyStatus } from '../helpers/raw-client.js'
import { ok, withHarness } from './harness.js'

const channels = suite('dev-server channels')

channels('answers a vsn 2.0.0 heartbeat with an ok reply carrying its ref', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    client.sendRaw('[null,"11","phoenix","heartbeat",{}]')
    const reply = await client.next((f) => f.message.ref === '11')
    assert.equal(reply.raw, '[null,"11","phoenix","phx_reply",{"response":{},"status":"ok"}]')
  }))

channels('answers a vsn 1.0.0 heartbeat with a sorted-key object without join_ref', () =>
  withHarness({}, async (h) => {
    const client = await h.connect({ vsn: '1.0.0' })
    client.sendRaw('{"topic":"phoenix","event":"heartbeat","payload":{},"ref":"11"}')
    const reply = await client.next((f) => f.message.ref === '11')
    assert.equal(reply.raw, '{"event":"phx_reply","payload":{"response":{},"status":"ok"},"ref":"11","topic":"phoenix"}')
  }))

channels('closes a socket that sends nothing for idleTimeoutMs', () =>
  withHarness({ idleTimeoutMs: 150 }, async (h) => {
    const client = await h.connect()
    const started = Date.now()
    const { code } = await client.closed
    assert.is(code, 1000)
    assert.ok(Date.now() - started >= 100)
  }))

channels('replies ok to a join with integer postgres_changes ids, stable for identical params', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const bindings = [
      { event: '*', schema: 'public', table: 'todos', filter: 'id=eq.1' },
      { event: 'INSERT', schema: 'public', table: 'todos', filter: null },
    ]
    const first = await client.join('realtime:room1', { postgres_changes: bindings })
    assert.is(first.reply.joinRef, first.joinRef)
    assert.is(replyStatus(first.reply), 'ok')
    const entries = (replyResponse(first.reply) as { postgres_changes: Record<string, unknown>[] }).postgres_changes
    assert.is(entries.length, 2)
    for (const entry of entries) {
      assert.ok(Number.isInteger(entry['id']) && (entry['id'] as number) >= 0 && (entry['id'] as number) < 2 ** 27)
    }
    assert.equal({ ...entries[0] }, { id: entries[0]!['id'], event: '*', schema: 'public', table: 'todos', filter: 'id=eq.1' })
    assert.not.ok('filter' in entries[1]!, 'null entries are removed')
    assert.is.not(entries[0]!['id'], entries[1]!['id'])
    const other = await h.connect()
    const again = await other.join('realtime:room2', { postgres_changes: [{ table: 'todos', schema: 'public', event: '*', filter: 'id=eq.1' }] })
    const id = (replyResponse(again.reply) as { postgres_changes: { id: number }[] }).postgres_changes[0]!.id
    assert.is(id, entries[0]!['id'])
  }))

channels('replies postgres_changes [] when the join has no bindings', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { reply } = await client.join('realtime:room1')
    assert.equal(reply.payload, { response: { postgres_changes: [] }, status: 'ok' })
  }))

channels('refuses the topic "realtime:" alone with TopicNameRequired', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { reply } = await client.join('realtime:')
    assert.equal(reply.payload, { response: { reason: 'TopicNameRequired: You must provide a topic name' }, status: 'error' })
  }))

channels('waits channelErrorBackoffMs before a join error', () =>
  withHarness({ channelErrorBackoffMs: 150 }, async (h) => {
    const client = await h.connect()
    const started = Date.now()
    const { reply } = await client.join('realtime:')
    assert.is(replyStatus(reply), 'error')
    assert.ok(Date.now() - started >= 140, `answered after ${Date.now() - started} ms`)
  }))

channels('answers "unmatched topic" to a join outside realtime:* and to pushes on unjoined topics', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const join = await client.join('other:room')
    assert.equal(join.reply.payload, { response: { reason: 'unmatched topic' }, status: 'error' })
    const reply = await client.request('realtime:nowhere', 'broadcast', { type: 'broadcast', event: 'x', payload: {} }, '99')
    assert.is(reply.joinRef, null)
    assert.equal(reply.payload, { response: { reason: 'unmatched topic' }, status: 'error' })
  }))

channels('answers phx_leave with ok, then phx_close with ref = join_ref, and forgets the channel', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join('realtime:room1')
    const leave = await client.request('realtime:room1', 'phx_leave', {}, joinRef)
    assert.equal(leave.payload, ok)
    const close = await client.nextEvent('phx_close', 'realtime:room1')
    assert.equal(close.message, { joinRef, ref: joinRef, topic: 'realtime:room1', event: 'phx_close', payload: {} })
    const after = await client.request('realtime:room1', 'presence', { type: 'presence', event: 'untrack' }, joinRef)
    assert.equal(replyResponse(after), { reason: 'unmatched topic' })
  }))

channels('closes the old join with phx_close when a topic is joined twice, then joins afresh', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const first = await client.join('realtime:room1')
    const second = await client.join('realtime:room1', { broadcast: { self: true, ack: true } })
    const close = await client.nextEvent('phx_close', 'realtime:room1')
    assert.is(close.message.joinRef, first.joinRef)
    assert.is(close.message.ref, first.joinRef)
    assert.is(replyStatus(second.reply), 'ok')
    const ack = await client.request('realtime:room1', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, second.joinRef)
    assert.equal(ack.payload, ok, 'the new join config is in force')
  }))

channels('drops messages carrying the join_ref of an older join, accepts ones without join_ref', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    await client.join('realtime:room1')
    const current = await client.join('realtime:room1', { broadcast: { ack: true } })
    client.send({ joinRef: 'stale', ref: 'x1', topic: 'realtime:room1', event: 'broadcast', payload: { type: 'broadcast', event: 'e', payload: {} } })
    await client.barrier()
    assert.is(client.queued((f) => f.message.ref === 'x1').length, 0)
    const noJoinRef = await client.request('realtime:room1', 'broadcast', { type: 'broadcast', event: 'e', payload: {} }, null)
    assert.equal(noJoinRef.payload, ok)
    assert.ok(current.joinRef)
  }))

channels('ignores unknown events on a joined channel without replying', () =>
  withHarness({}, async (h) => {
    const client = await h.connect()
    const { joinRef } = await client.join('realtime:room1')
    client.send({ joinRef, ref: 'u1', topic: 'realtime:room1', event: 'whatever', payload: {} })
    await client.barrier()
    assert.is(client.queued((f) => f.message.ref === 'u1').length, 0)
  }))

channels.run()
