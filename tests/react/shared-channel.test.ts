// The store under the hooks, in Node against the dev server: what StrictMode and several components
// do to it (retain, release, retain again), without React.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, type RealtimeClient } from '../../src/index.js'
import type { SharedField } from '../../src/react/field-store.js'
import { SharedChannel } from '../../src/react/shared-channel.js'
import { channelStateOf } from '../../machines/channel/channel.machine.js'
import { FAST } from '../integration/client-harness.js'

const GRACE_MS = 150
let server: DevServer
let client: RealtimeClient
let joins = 0
let leaves = 0

test.before(async () => {
  server = await startDevServer({
    database: false,
    logger: ({ message }) => {
      if (message.startsWith('joined realtime:room:')) joins += 1
    },
  })
})
test.before.each(() => {
  joins = 0
  leaves = 0
  client = createRealtimeClient({ url: server.url, apikey: server.apikey, ...FAST })
  client.subscribe((event) => void (event.type === 'channel' && event.kind === 'state_change' && event.new === 'leaving' && (leaves += 1)))
})
test.after.each(() => client.close())
test.after(() => server.close())

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
async function until(condition: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; !condition(); await sleep(10)) if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
}
const statusOf = (shared: SharedChannel): string => {
  const snapshot = shared.fields.actorRef?.getSnapshot()
  return snapshot ? channelStateOf(snapshot) : 'closed'
}

test('StrictMode and two components: retain, release, retain, retain joins once; the last release leaves after the grace', async () => {
  const shared = new SharedChannel(client, 'realtime:room:a', {}, GRACE_MS)
  shared.retain() // mount
  shared.release() // StrictMode's simulated unmount
  shared.retain() // remount
  shared.retain() // a second component
  await until(() => statusOf(shared) === 'joined', 'joined')
  assert.is(joins, 1)
  shared.release()
  shared.release()
  await sleep(GRACE_MS / 2)
  assert.is(statusOf(shared), 'joined', 'still joined within the grace')
  assert.is(leaves, 0)
  await until(() => client.getChannels().length === 0, 'left')
  assert.is(leaves, 1)
  assert.is(statusOf(shared), 'closed')
  assert.is(shared.fields.actorRef, undefined)
})

test('a retain while the leave is under way joins again after it, with the listeners it had', async () => {
  const shared = new SharedChannel(client, 'realtime:room:b', {}, 0)
  const heard: unknown[] = []
  shared.listen((channel) => channel.on('broadcast', { event: 'x' }, ({ payload }) => void heard.push(payload)))
  const changes: SharedField[] = []
  shared.subscribe((field) => void changes.push(field))
  shared.retain()
  await until(() => statusOf(shared) === 'joined', 'joined')
  shared.release()
  await until(() => leaves === 1, 'leaving')
  shared.retain()
  await until(() => statusOf(shared) === 'joined', 'joined again')
  assert.is(joins, 2)
  assert.ok(changes.filter((field) => field === 'actorRef').length >= 3, 'attach, detach, attach announced')
  const other = createRealtimeClient({ url: server.url, apikey: server.apikey, ...FAST })
  try {
    const room = other.channel('room:b')
    await room.subscribe()
    room.broadcast('x', { n: 1 })
    await until(() => heard.length === 1, 'the listener follows the channel across the leave')
    assert.equal(heard, [{ n: 1 }])
  } finally {
    await other.close()
  }
  assert.is(shared.fields.error, null)
})

test('pushes before the first retain are not_joined; a conflicting option is the topic error', async () => {
  const shared = new SharedChannel(client, 'realtime:room:c', { broadcast: { self: true } }, 0)
  assert.throws(() => shared.current('broadcast'), (error: Error & { code?: string }) => error.code === 'not_joined')
  client.channel('room:c', { broadcast: { ack: true } })
  shared.retain()
  await until(() => shared.fields.error !== null, 'the error')
  assert.is(shared.fields.error?.code, 'invalid_argument')
  shared.release()
})

test('a client closed under a mounted component: the leave after the grace and a later mount only report errors', async () => {
  const shared = new SharedChannel(client, 'realtime:room:d', {}, 0)
  shared.retain()
  await until(() => statusOf(shared) === 'joined', 'joined')
  await client.close()
  shared.release()
  await until(() => shared.fields.actorRef === undefined, 'the leave after the grace (no uncaught error)')
  assert.is(shared.fields.error, null)
  shared.retain()
  await until(() => shared.fields.error !== null, 'the error')
  assert.is(shared.fields.error?.code, 'connection_closed')
  assert.match(shared.fields.error!.message, /this client was closed/)
  shared.release()
})

test.run()
