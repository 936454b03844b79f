/**
 * Issue 5 end to end: presence between our clients and @supabase/realtime-js on the dev server. After
 * every step each client's `presenceState()` must equal the server's, as a fresh observer socket
 * receives it in `presence_state`. Waits are on presence `sync` events, never on time.
 */
import { RealtimeClient as SupabaseRealtimeClient, type RealtimeChannel as SupabaseChannel, type WebSocketLikeConstructor } from '@supabase/realtime-js'
import * as assert from 'uvu/assert'
import WebSocket from 'ws'
import type { RealtimeChannel } from '../../src/index.js'
import { RawClient } from '../helpers/raw-client.js'
import { EventLog, interopSuite, type World } from './client-harness.js'

const TOPIC = 'presence-room'

type Comparable = Record<string, Array<Record<string, unknown>>>

/** `{ key: entries sorted by presence_ref }` as plain JSON, so states from different clients compare. */
function comparable(state: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>): Comparable {
  const out: Comparable = {}
  for (const key of Object.keys(state).sort()) {
    out[key] = JSON.parse(JSON.stringify(state[key])).sort((a: { presence_ref: string }, b: { presence_ref: string }) => a.presence_ref.localeCompare(b.presence_ref))
  }
  return out
}

/** The server's view: what a new subscriber with presence on receives in `presence_state`. */
async function serverState(world: World): Promise<Comparable> {
  const observer = await RawClient.connect(world.server.url, { apikey: world.server.apikey })
  try {
    await observer.join(`realtime:${TOPIC}`, { presence: { enabled: true } })
    const frame = await observer.nextEvent('presence_state', `realtime:${TOPIC}`)
    const raw = frame.message.payload as Record<string, { metas: Array<Record<string, unknown>> }>
    const state: Record<string, Array<Record<string, unknown>>> = {}
    for (const [key, { metas }] of Object.entries(raw)) {
      state[key] = metas.map(({ phx_ref, phx_ref_prev: _prev, ...meta }) => ({ ...meta, presence_ref: phx_ref }))
    }
    return comparable(state)
  } finally {
    await observer.close()
  }
}

interface Member {
  name: string
  state(): Comparable
  syncs: EventLog<number>
}

/** Resolves once `member` shows `expected` (checked now and after each of its syncs). */
async function converge(member: Member, expected: Comparable): Promise<void> {
  const same = () => JSON.stringify(member.state()) === JSON.stringify(expected)
  if (same()) return
  try {
    await member.syncs.waitFor(() => same(), 4000, `${member.name} to converge`)
  } catch (error) {
    assert.equal(member.state(), expected, `${member.name}: ${(error as Error).message}`)
  }
}

async function allMatchServer(world: World, members: Member[], check?: (state: Comparable) => void): Promise<Comparable> {
  const expected = await serverState(world)
  check?.(expected)
  for (const member of members) await converge(member, expected)
  return expected
}

function ours(world: World, key: string, vsn: '1.0.0' | '2.0.0' = '2.0.0'): { channel: RealtimeChannel; member: Member } {
  const { client } = world.makeClient({ vsn })
  const channel = client.channel(TOPIC, { presence: { key } })
  const syncs = new EventLog<number>()
  let n = 0
  channel.on('presence', { event: 'sync' }, () => syncs.push(++n))
  return { channel, member: { name: `ours(${key})`, state: () => comparable(channel.presenceState()), syncs } }
}

async function theirs(world: World, key: string, clients: SupabaseRealtimeClient[]): Promise<{ channel: SupabaseChannel; member: Member }> {
  const client = new SupabaseRealtimeClient(world.server.url.replace(/^http/, 'ws') + '/realtime/v1', {
    params: { apikey: world.server.apikey },
    transport: WebSocket as unknown as WebSocketLikeConstructor,
    timeout: 3000,
  })
  clients.push(client)
  const channel = client.channel(TOPIC, { config: { presence: { key } } })
  const syncs = new EventLog<number>()
  let n = 0
  channel.on('presence', { event: 'sync' }, () => syncs.push(++n))
  await new Promise<void>((resolve, reject) => {
    channel.subscribe((status: string, error?: Error) => {
      if (status === 'SUBSCRIBED') resolve()
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(error ?? new Error(status))
    })
  })
  return { channel, member: { name: `realtime-js(${key})`, state: () => comparable(channel.presenceState()), syncs } }
}

const test = interopSuite('presence end to end')

test('three clients (one realtime-js) track, update, untrack and leave; all agree with the server after each step', async (ctx) => {
  const ann = ours(ctx.world, 'ann')
  const bob = ours(ctx.world, 'bob', '1.0.0')
  await ann.channel.subscribe()
  await bob.channel.subscribe()
  const carol = await theirs(ctx.world, 'carol', ctx.theirs)
  const everyone = [ann.member, bob.member, carol.member]

  assert.is(await ann.channel.track({ mood: 'happy' }), 'ok')
  assert.is(await bob.channel.track({ mood: 'calm' }), 'ok')
  assert.is(await carol.channel.track({ mood: 'curious' }), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.equal(Object.keys(state), ['ann', 'bob', 'carol']))

  // An update: one meta replaced (phx_ref_prev on the wire), no ghost of the old one anywhere.
  assert.is(await ann.channel.track({ mood: 'busy' }), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.equal(state['ann']!.map((e) => e['mood']), ['busy']))

  assert.is(await bob.channel.untrack(), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.equal(Object.keys(state), ['ann', 'carol']))

  // realtime-js disconnects: its presence leaves with its socket.
  await carol.channel.unsubscribe()
  await allMatchServer(ctx.world, [ann.member, bob.member], (state) => assert.equal(Object.keys(state), ['ann']))

  // Ours leaves too: the others see it go.
  assert.is(await ann.channel.unsubscribe(), 'ok')
  await allMatchServer(ctx.world, [bob.member], (state) => assert.equal(state, {}))
})

test('one key tracked from two sockets holds two metas, then one, then none (no ghosts)', async (ctx) => {
  const first = ours(ctx.world, 'same')
  const second = ours(ctx.world, 'same')
  const watcher = await theirs(ctx.world, 'watcher', ctx.theirs)
  await first.channel.subscribe()
  await second.channel.subscribe()
  const everyone = [first.member, second.member, watcher.member]
  assert.is(await first.channel.track({ device: 'phone' }), 'ok')
  assert.is(await second.channel.track({ device: 'laptop' }), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.is(state['same']!.length, 2))
  assert.is(await first.channel.untrack(), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.equal(state['same']!.map((e) => e['device']), ['laptop']))
  assert.is(await second.channel.untrack(), 'ok')
  await allMatchServer(ctx.world, everyone, (state) => assert.equal(state, {}))
})

test('after the server drops every socket our clients re-track by themselves and converge', async (ctx) => {
  const ann = ours(ctx.world, 'ann')
  const bob = ours(ctx.world, 'bob', '1.0.0')
  await ann.channel.subscribe()
  await bob.channel.subscribe()
  assert.is(await ann.channel.track({ v: 1 }), 'ok')
  assert.is(await bob.channel.track({ v: 2 }), 'ok')
  const before = await allMatchServer(ctx.world, [ann.member, bob.member], (state) => assert.equal(Object.keys(state), ['ann', 'bob']))

  assert.ok(ctx.world.server.faults.dropAllSockets() >= 2)
  // Each of ours sees both members again, tracked anew (new refs), without being asked.
  const retracked = (member: Member) => {
    const state = member.state()
    return ['ann', 'bob'].every((key) => state[key]?.length === 1 && state[key]![0]!['presence_ref'] !== before[key]![0]!['presence_ref'])
  }
  await ann.member.syncs.waitFor(() => retracked(ann.member), 4000, 'ann to see both re-tracked')
  await bob.member.syncs.waitFor(() => retracked(bob.member), 4000, 'bob to see both re-tracked')

  await allMatchServer(ctx.world, [ann.member, bob.member], (state) => {
    assert.equal(Object.keys(state), ['ann', 'bob'])
    assert.equal(
      [state['ann']![0]!['v'], state['bob']![0]!['v']],
      [1, 2],
    )
  })
})

test.run()
