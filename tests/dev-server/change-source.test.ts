/** Issue 3: the seam for postgres changes — bindings reach a ChangeSource, changes reach the channel. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { ChangeSource, ChangeSubscriber } from '../../src/dev-server/index.js'
import { withHarness } from './harness.js'

const changes = suite('dev-server change source')
const TOPIC = 'realtime:todos'
const binding = { event: 'INSERT', schema: 'public', table: 'todos', filter: 'id=eq.1' }

changes('a joined channel with bindings subscribes, gets "Subscribed to PostgreSQL", then changes by id', async () => {
  const subscribers: ChangeSubscriber[] = []
  let closed = 0
  const source: ChangeSource = {
    subscribe(subscriber) {
      subscribers.push(subscriber)
      return { close: () => (closed += 1) }
    },
  }
  await withHarness({ changeSource: source }, async (h) => {
    const client = await h.connect()
    const { reply, joinRef } = await client.join(TOPIC, { postgres_changes: [binding] })
    const id = (reply.payload as { response: { postgres_changes: { id: number }[] } }).response.postgres_changes[0]!.id
    const system = await client.nextEvent('system')
    assert.equal(system.message.payload, { channel: 'todos', extension: 'postgres_changes', message: 'Subscribed to PostgreSQL', status: 'ok' })
    assert.is(system.message.joinRef, joinRef)
    const subscriber = subscribers[0]!
    assert.is(subscriber.topic, TOPIC)
    assert.is(subscriber.claims.role, 'anon')
    assert.equal(
      subscriber.bindings.map((b) => [b.id, b.event, b.schema, b.table, b.filter]),
      [[id, 'INSERT', 'public', 'todos', 'id=eq.1']],
    )
    subscriber.deliver([id], { type: 'INSERT', record: { id: 1 } })
    const change = await client.nextEvent('postgres_changes')
    assert.equal(change.message, { joinRef: null, ref: null, topic: TOPIC, event: 'postgres_changes', payload: { ids: [id], data: { type: 'INSERT', record: { id: 1 } } } })
    await client.request(TOPIC, 'phx_leave', {}, joinRef)
    assert.is(closed, 1)
    subscriber.deliver([id], {})
    await client.barrier()
    assert.is(client.queued((f) => f.message.event === 'postgres_changes').length, 0, 'nothing after the channel left')
  })
})

changes('a refusing source yields a postgres_changes system error; channels without bindings are not subscribed', async () => {
  let calls = 0
  const source: ChangeSource = {
    async subscribe() {
      calls += 1
      throw new Error('relation "todos" does not exist')
    },
  }
  await withHarness({ changeSource: source }, async (h) => {
    const client = await h.connect()
    await client.join('realtime:plain')
    await client.join(TOPIC, { postgres_changes: [binding] })
    const system = await client.nextEvent('system')
    assert.equal(system.message.payload, { channel: 'todos', extension: 'postgres_changes', message: 'relation "todos" does not exist', status: 'error' })
    assert.is(calls, 1)
  })
})

changes('a subscription that resolves after the socket went is closed at once', async () => {
  let release: (() => void) | undefined
  let closed = 0
  const source: ChangeSource = {
    subscribe: () =>
      new Promise((resolve) => {
        release = () => resolve({ close: () => (closed += 1) })
      }),
  }
  await withHarness({ changeSource: source }, async (h) => {
    const client = await h.connect()
    await client.join(TOPIC, { postgres_changes: [binding] })
    await client.close()
    while (!release) await new Promise<void>((resolve) => setImmediate(resolve))
    release()
    // The server notices the close on its own side; wait for that, bounded.
    const deadline = Date.now() + 2000
    while (closed === 0 && Date.now() < deadline) await new Promise<void>((resolve) => setImmediate(resolve))
    assert.is(closed, 1)
  })
})

changes.run()
