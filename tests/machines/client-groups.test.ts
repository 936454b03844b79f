/**
 * The root's channels at scale: many channels created in one tick all join after one socket open, each
 * exactly once; removal and root stop reach every channel actor; `system.get`, `channelActorOf` and
 * inspection find them; they live in channel groups, not in the root's `snapshot.children`.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, type AnyActorRef, type InspectionEvent } from 'xstate'
import { channelMachine, type ChannelActorRef } from '../../machines/channel/channel.machine.js'
import { CHANNEL_GROUPS, channelGroupMachine, channelGroupOf } from '../../machines/client/channel-group.machine.js'
import { channelActorOf, clientMachine, topicsOf } from '../../machines/client/client.machine.js'
import { channelSystemId } from '../../machines/client/contract.js'
import type { ConnectionMachine } from '../../machines/connection/connection.machine.js'
import { startClient } from './client-harness.js'

const A = 'realtime:a'

function topics(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `realtime:room-${i}`)
}

{
  const scale = suite('client channels: scale')
  const many = 1000

  scale(`${many} channels created in one tick are all joined after one socket open, each exactly once`, () => {
    const c = startClient()
    const all = topics(many)
    for (const topic of all) {
      c.root.send({ type: 'channel.add', topic })
      c.root.send({ type: 'channel.subscribe', topic })
    }
    assert.is(topicsOf(c.root.getSnapshot()).length, many)
    assert.is(c.framesOf('phx_join').length, 0, 'nothing before the socket opens')
    assert.equal(c.commands(), Array(many).fill('connect'))
    c.moveTo('connecting')
    c.moveTo('open')
    const joins = c.framesOf('phx_join')
    assert.is(joins.length, many)
    assert.equal(joins.map((m) => m.topic).sort(), [...all].sort())
    for (const topic of all) c.ackJoin(topic)
    for (const topic of all) assert.is(c.channelState(topic), 'joined')
    c.clock.increment(60_000)
    assert.is(c.framesOf('phx_join').length, many, 'no second join')
    assert.is(c.root.getSnapshot().context.occupiedGroups, new Set(all.map(channelGroupOf)).size, 'the root counts groups, not channels')
    c.root.stop()
  })

  scale('root stop stops every channel actor and frees every systemId', () => {
    const c = startClient()
    const all = topics(many)
    for (const topic of all) c.root.send({ type: 'channel.add', topic })
    const refs = all.map((topic) => c.actorOf(topic)!)
    for (const ref of refs) assert.is(ref.getSnapshot().status, 'active')
    c.root.stop()
    for (const ref of refs) assert.is(ref.getSnapshot().status, 'stopped')
    for (const topic of all) assert.is(c.root.system.get(channelSystemId(topic)), undefined)
  })

  scale('every channel is reachable with system.get and channelActorOf, and is the same actor', () => {
    const c = startClient()
    const all = topics(50)
    for (const topic of all) c.root.send({ type: 'channel.add', topic })
    for (const topic of all) {
      const ref = c.channel(topic)
      assert.ok(ref, topic)
      assert.is(c.actorOf(topic), ref)
      assert.is(ref!.id, topic)
    }
    assert.equal(topicsOf(c.root.getSnapshot()).sort(), [...all].sort())
    const children = Object.keys(c.root.getSnapshot().children).sort()
    const groups = [...new Set(all.map(channelGroupOf))].sort()
    assert.equal(children, ['connection', ...groups].sort(), 'the root holds the connection and the channel groups')
    assert.ok(groups.length > 1 && groups.length <= CHANNEL_GROUPS, 'topics spread over several groups')
    c.root.stop()
  })

  scale('removing many channels stops each once it has closed; the count follows; topics can come back', () => {
    const c = startClient({ emptyChannelsGraceMs: 100 })
    c.moveTo('open')
    const all = topics(many / 5)
    for (const topic of all) {
      c.root.send({ type: 'channel.add', topic })
      c.root.send({ type: 'channel.subscribe', topic })
      c.ackJoin(topic)
    }
    const refs = new Map(all.map((topic) => [topic, c.actorOf(topic)!]))
    for (const topic of all) c.root.send({ type: 'channel.remove', topic })
    assert.is(topicsOf(c.root.getSnapshot()).length, all.length, 'still there until the leave replies')
    for (const topic of all) c.reply(topic, c.framesOf('phx_leave', topic)[0]!.ref)
    for (const ref of refs.values()) assert.is(ref.getSnapshot().status, 'stopped')
    assert.is(c.root.getSnapshot().context.occupiedGroups, 0)
    assert.equal(topicsOf(c.root.getSnapshot()), [])
    assert.ok(c.root.getSnapshot().matches({ channels: 'draining' }))
    assert.is(c.emitted.filter((e) => e.type === 'channel' && e.kind === 'removed').length, all.length)
    c.root.send({ type: 'channel.add', topic: all[0]! })
    const again = c.channel(all[0]!)
    assert.ok(again)
    assert.is.not(again, refs.get(all[0]!))
    assert.ok(c.root.getSnapshot().matches({ channels: 'occupied' }))
    c.root.stop()
  })

  scale('a reconnect rejoins every channel once; setAuth reaches every channel', () => {
    const c = startClient()
    c.moveTo('open')
    const all = topics(20)
    for (const topic of all) {
      c.root.send({ type: 'channel.add', topic })
      c.root.send({ type: 'channel.subscribe', topic })
      c.ackJoin(topic)
    }
    c.root.send({ type: 'setAuth', token: 'tok-2' })
    assert.is(c.framesOf('access_token').length, 20)
    c.moveTo('closed')
    c.moveTo('connecting')
    c.moveTo('open')
    assert.is(c.framesOf('phx_join').length, 40)
    c.root.stop()
  })

  scale.run()
}

const groups = suite('client channels: groups')

groups('inspection sees every channel actor, in the root\'s system, and the events sent to it', () => {
  const events: InspectionEvent[] = []
  const fake = fromCallback(() => {})
  const root = createActor(clientMachine.provide({ actors: { connection: fake as unknown as ConnectionMachine } }), {
    input: { apikey: 'anon' },
    inspect: (event) => void events.push(event),
  })
  root.start()
  for (const topic of topics(10)) root.send({ type: 'channel.add', topic })
  root.send({ type: 'channel.subscribe', topic: 'realtime:room-3' })
  const channelActors = events.map((e) => e.actorRef as AnyActorRef).filter((ref, i) => events[i]!.type === '@xstate.actor' && ref.id.startsWith('realtime:room-'))
  assert.is(channelActors.length, 10)
  for (const ref of channelActors) {
    assert.is(ref.system, root.system)
    assert.is(channelActorOf(root.getSnapshot(), ref.id), ref)
  }
  assert.ok(
    events.some((e) => e.type === '@xstate.event' && (e.actorRef as AnyActorRef).id === 'realtime:room-3' && e.event.type === 'subscribe'),
    'events sent to a channel are inspected',
  )
  root.stop()
})

groups("a channel's frames go straight to the connection actor, not through the root", () => {
  const events: InspectionEvent[] = []
  const received: unknown[] = []
  const fake = fromCallback(({ receive }) => receive((event) => void received.push(event)))
  const root = createActor(clientMachine.provide({ actors: { connection: fake as unknown as ConnectionMachine } }), {
    input: { apikey: 'anon' },
    inspect: (event) => void events.push(event),
  })
  root.start()
  root.send({ type: 'channel.add', topic: A })
  root.send({ type: 'channel.subscribe', topic: A })
  root.send({ type: 'connection.state', old: 'closed', new: 'open' })
  const sends = received.filter((event) => (event as { type: string }).type === 'send') as Array<{ message: { event: string; topic: string } }>
  assert.equal(
    sends.map((event) => [event.message.event, event.message.topic]),
    [['phx_join', A]],
  )
  const toRoot = events.filter((e) => e.type === '@xstate.event' && e.actorRef === root).map((e) => (e as { event: { type: string } }).event.type)
  assert.not.ok(toRoot.includes('send'), 'the root relays no frames')
  assert.ok(
    events.some((e) => e.type === '@xstate.event' && (e.actorRef as AnyActorRef).id === 'connection' && e.event.type === 'send'),
    'the frame is visible to inspect, as a send to the connection',
  )
  root.stop()
})

groups('.provide({ actors: { channelGroup } }) with another channel logic is honoured', () => {
  let transmitted = 0
  const provided = channelMachine.provide({ actions: { transmit: () => void transmitted++ } })
  const machine = clientMachine.provide({
    actors: {
      connection: fromCallback(() => {}) as unknown as ConnectionMachine,
      channelGroup: channelGroupMachine.provide({ actors: { channel: provided } }),
    },
  })
  const root = createActor(machine, { input: { apikey: 'anon' } })
  root.start()
  root.send({ type: 'channel.add', topic: A })
  root.send({ type: 'connection.state', old: 'closed', new: 'open' })
  root.send({ type: 'channel.subscribe', topic: A })
  assert.is(transmitted, 1, 'the provided channel logic sent the join')
  const ref = channelActorOf(root.getSnapshot(), A)!
  root.stop()
  assert.is(ref.getSnapshot().status, 'stopped')
})

groups('a channel.* event for an unknown topic is an error event, and the root stays active', () => {
  const c = startClient()
  const before = c.emitted.length
  c.root.send({ type: 'channel.subscribe', topic: 'realtime:nobody' })
  c.root.send({ type: 'channel.add', topic: A })
  const group = channelGroupOf(A)
  const other = topics(200).find((topic) => channelGroupOf(topic) === group && topic !== A)!
  c.root.send({ type: 'channel.push', topic: other, ref: 'x1', event: 'broadcast', payload: {}, expectReply: false })
  const errors = c.emitted.slice(before).filter((e) => e.type === 'error')
  assert.is(errors.length, 2, 'no group, and a group without that topic')
  for (const e of errors) assert.is(e.type === 'error' && e.error.code, 'invalid_argument')
  assert.is(c.root.getSnapshot().status, 'active')
  c.root.stop()
})

groups('a removed topic re-added at once gets a fresh actor under its systemId', () => {
  const c = startClient()
  c.root.send({ type: 'channel.add', topic: A })
  const first = c.actorOf(A) as ChannelActorRef
  // Closed and never joined: the removal completes within the same send.
  c.root.send({ type: 'channel.remove', topic: A })
  assert.is(first.getSnapshot().status, 'stopped')
  assert.is(c.channel(A), undefined)
  c.root.send({ type: 'channel.add', topic: A })
  assert.ok(c.channel(A))
  assert.is(c.channel(A), c.actorOf(A))
  assert.is.not(c.channel(A), first)
  c.root.stop()
})

groups.run()
