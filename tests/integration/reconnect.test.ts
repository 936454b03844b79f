/**
 * Channels across dropped connections, end to end against the dev server.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import type { RealtimeEvent } from '../../src/index.js'
import { isBroadcast, isChannelState, isResubscribed, startWorld, type World } from './client-harness.js'

const test = suite<{ world: World }>('channels across reconnects', { world: undefined as unknown as World })

test.before.each(async (ctx) => {
  ctx.world = await startWorld()
})

test.after.each(async (ctx) => {
  await ctx.world.close()
})

const isOpen = (event: RealtimeEvent) => event.type === 'connection' && event.kind === 'state_change' && event.new === 'open'

test('100 channels on one client all rejoin after every socket is dropped: each once, one resubscribed each', async ({ world }) => {
  const a = world.makeClient()
  const topics = Array.from({ length: 100 }, (_, i) => `realtime:room-${i}`)
  const channels = topics.map((topic) => a.client.channel(topic, { broadcast: { self: true } }))
  await Promise.all(channels.map((channel) => channel.subscribe()))
  const joinedBefore = a.events.count((e) => e.type === 'channel' && e.kind === 'state_change' && e.new === 'joined')
  assert.is(joinedBefore, 100)

  assert.is(world.server.faults.dropAllSockets(), 1)
  await a.events.waitForCount(isResubscribed(), 100, 10_000, 'resubscribed')
  // A round trip on the last channel: anything else the reconnect caused has arrived by now.
  channels[99]!.broadcast('barrier', {})
  await a.events.waitFor(isBroadcast('barrier'), 5000, 'barrier')

  for (const topic of topics) {
    assert.is(a.events.count(isResubscribed(topic)), 1, `one resubscribed for ${topic}`)
    assert.is(a.events.count(isChannelState(topic, 'joined')), 2, `joined exactly twice: ${topic}`)
  }
  assert.is(a.events.count(isOpen), 2)
  for (const channel of channels) assert.is(channel.state, 'joined')
  const gaps = a.events.all.flatMap((e) => (e.type === 'channel' && e.kind === 'resubscribed' ? [e.gapMs] : []))
  assert.ok(gaps.every((gap) => gap >= 0 && gap < 10_000))
})

test('unsubscribe during a reconnect resolves at once and the channel does not come back', async ({ world }) => {
  const a = world.makeClient({ reconnectDelays: () => 300 })
  const gone = a.client.channel('gone')
  const kept = a.client.channel('kept')
  await Promise.all([gone.subscribe(), kept.subscribe()])
  world.server.faults.dropAllSockets()
  await a.events.waitFor(isChannelState('realtime:gone', 'errored'), 3000, 'errored')
  assert.is(await gone.unsubscribe(), 'ok')
  assert.is(gone.state, 'closed')
  await a.events.waitFor(isResubscribed('realtime:kept'), 5000, 'kept resubscribed')
  kept.broadcast('barrier', {})
  assert.is(a.events.count(isChannelState('realtime:gone', 'joining')), 1, 'no rejoin of the removed channel')
  assert.equal(
    a.client.getChannels().map((c) => c.topic),
    ['realtime:kept'],
  )
})

test('broadcasts made while the socket is down wait and go out after the rejoin', async ({ world }) => {
  const a = world.makeClient({ reconnectDelays: () => 200 })
  const b = world.makeClient()
  const roomA = a.client.channel('queue')
  const roomB = b.client.channel('queue')
  await Promise.all([roomA.subscribe(), roomB.subscribe()])
  world.server.faults.dropAllSockets()
  await a.events.waitFor(isChannelState('realtime:queue', 'errored'), 3000, 'errored')
  await b.events.waitFor(isResubscribed('realtime:queue'), 5000, 'b back')
  roomA.broadcast('while-down', { n: 1 })
  await b.events.waitFor(isBroadcast('while-down'), 5000, 'the queued broadcast')
})

test('a server restart: channels rejoin, listeners stay in place', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('restart', { broadcast: { self: true } })
  const seen: string[] = []
  room.on('broadcast', { event: '*' }, (m) => seen.push(m.event))
  await room.subscribe()
  await world.server.faults.restart()
  await a.events.waitFor(isResubscribed('realtime:restart'), 5000, 'resubscribed')
  room.broadcast('after', {})
  await a.events.waitFor(isBroadcast('after'))
  assert.equal(seen, ['after'])
})

test('removing the last channel closes the socket after the grace delay; a new channel cancels it', async ({ world }) => {
  const a = world.makeClient({ emptyChannelsGraceMs: 150 })
  const one = a.client.channel('one')
  await one.subscribe()
  await one.unsubscribe()
  const two = a.client.channel('two')
  await two.subscribe()
  assert.is(a.client.connectionState(), 'open')
  await two.unsubscribe()
  await a.events.waitFor((e) => e.type === 'connection' && e.kind === 'state_change' && e.new === 'closed', 3000, 'grace close')
  assert.is(a.client.connectionState(), 'closed')
})

test('disconnect and connect: joined channels come back on their own', async ({ world }) => {
  const a = world.makeClient()
  const room = a.client.channel('manual')
  await room.subscribe()
  assert.is(await a.client.disconnect(), 'ok')
  assert.is(room.state, 'errored')
  a.client.connect()
  await a.events.waitFor(isResubscribed('realtime:manual'), 5000, 'resubscribed')
  assert.is(room.state, 'joined')
})

test('removeAllChannels leaves every channel, then disconnects', async ({ world }) => {
  const a = world.makeClient()
  const rooms = ['x', 'y', 'z'].map((t) => a.client.channel(t))
  await Promise.all(rooms.map((r) => r.subscribe()))
  assert.equal(await a.client.removeAllChannels(), ['ok', 'ok', 'ok'])
  assert.equal(a.client.getChannels(), [])
  assert.is(a.client.connectionState(), 'closed')
})

test.run()
