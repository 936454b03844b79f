/**
 * Issue 3: bad input never crashes the server. One socket sends random bytes, broken JSON, wrong-arity
 * arrays, bad binary kinds and oversized frames for about two seconds while two healthy clients chat;
 * the healthy clients lose nothing.
 */
import { randomBytes } from 'node:crypto'
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { encodeUserBroadcastPush } from '../../src/protocol/index.js'
import type { RawClient } from '../helpers/raw-client.js'
import { withHarness, type Harness } from './harness.js'

const garbage = suite('dev-server garbage')
const TOPIC = 'realtime:chat'
const encoder = new TextEncoder()

function junkFrames(joinRef: string): (string | Uint8Array)[] {
  return [
    randomBytes(1 + Math.floor(Math.random() * 200)),
    randomBytes(64).toString('latin1'),
    '{"topic":',
    '[]',
    '[null]',
    '[1,2,3]',
    JSON.stringify([joinRef, '1', TOPIC]),
    JSON.stringify([joinRef, '1', TOPIC, 'phx_join', 'not a map']),
    JSON.stringify([joinRef, '1', TOPIC, 'broadcast', 5]),
    JSON.stringify([joinRef, '1', TOPIC, 'presence', { event: 7 }]),
    JSON.stringify([joinRef, '1', TOPIC, 'presence', { type: 'presence', event: 'track', payload: [1] }]),
    JSON.stringify([joinRef, '1', TOPIC, 'access_token', { access_token: 42 }]),
    JSON.stringify({ topic: TOPIC, event: 'broadcast', payload: {}, ref: 1 }),
    JSON.stringify([null, null, 'phoenix', 'heartbeat', {}, 'extra', 'elements']),
    JSON.stringify([joinRef, '1', 'nowhere', 'whatever', {}]),
    new Uint8Array([9, 1, 2, 3]),
    new Uint8Array([3, 200, 200, 200, 200, 200, 1]),
    new Uint8Array([0, 1, 1, 1, 1]),
    new Uint8Array([3, 1, 1, 12, 1, 0, 1, 0x36, 0x37, ...encoder.encode('realtime:cha'), 0x78, 0x7b]),
    '['.repeat(5000) + ']'.repeat(5000),
    `[${JSON.stringify(joinRef)},"1","${TOPIC}","phx_join",{"config":{"presence":{"key":{"__proto__":1}},"postgres_changes":[1,null,"x",{"event":5,"__proto__":{"polluted":1}}]}}]`,
  ]
}

async function chat(from: RawClient, fromJoin: string, to: RawClient, count: number, tag: string, vsn2: boolean): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const payload = { tag, i }
    if (vsn2) from.sendRaw(encodeUserBroadcastPush({ joinRef: fromJoin, ref: `${tag}${i}`, topic: TOPIC, userEvent: 'msg', metadata: '', payload: encoder.encode(JSON.stringify(payload)), encoding: 1 }))
    else from.send({ joinRef: fromJoin, ref: `${tag}${i}`, topic: TOPIC, event: 'broadcast', payload: { type: 'broadcast', event: 'msg', payload } })
    const got = await to.next((f) => f.message.event === 'broadcast' && (f.message.payload as { payload: { tag: string } }).payload.tag === tag, 3000, `${tag} ${i}`)
    assert.is((got.message.payload as { payload: { i: number } }).payload.i, i)
  }
}

async function attack(h: Harness, until: number): Promise<number> {
  let sockets = 0
  while (Date.now() < until) {
    sockets += 1
    const attacker = await h.connect({ vsn: sockets % 3 === 0 ? '1.0.0' : '2.0.0' })
    const { joinRef } = await attacker.join(TOPIC, { presence: { key: 'attacker' } })
    for (let round = 0; round < 20 && attacker.ws.readyState === attacker.ws.OPEN; round += 1) {
      for (const frame of junkFrames(joinRef)) attacker.sendRaw(frame)
      // Huge but allowed: a 150 kB binary frame of zeros (kind 0, bogus lengths).
      if (round % 5 === 4) attacker.sendRaw(new Uint8Array(150_000))
      await new Promise<void>((resolve) => setImmediate(resolve))
    }
    // An oversized frame ends this attacker (1009); the next one takes over.
    attacker.sendRaw(randomBytes(300_000))
    const { code } = await attacker.closed
    assert.is(code, 1009)
  }
  return sockets
}

garbage('two healthy clients lose nothing while another socket sends garbage for two seconds', () =>
  withHarness({ maxFrameBytes: 200_000 }, async (h) => {
    const alice = await h.connect()
    const bob = await h.connect({ vsn: '1.0.0' })
    const a = await alice.join(TOPIC)
    const b = await bob.join(TOPIC)
    const until = Date.now() + 2000
    const attackers = attack(h, until)
    let rounds = 0
    while (Date.now() < until) {
      rounds += 1
      await chat(alice, a.joinRef, bob, 20, `a${rounds}-`, true)
      await chat(bob, b.joinRef, alice, 20, `b${rounds}-`, false)
    }
    assert.ok((await attackers) >= 1)
    assert.ok(rounds >= 2, `only ${rounds} rounds`)
    await alice.barrier()
    await bob.barrier()
    const stray = [...alice.queued(), ...bob.queued()].filter((f) => f.message.event === 'broadcast' && (f.message.payload as { event: string }).event !== 'msg')
    assert.equal(stray, [])
    assert.equal(alice.undecodable.length + bob.undecodable.length, 0)
  }))

garbage('a frame over maxFrameBytes closes only that socket with 1009', () =>
  withHarness({ maxFrameBytes: 1000 }, async (h) => {
    const big = await h.connect()
    const other = await h.connect()
    big.sendRaw('x'.repeat(2000))
    assert.is((await big.closed).code, 1009)
    await other.barrier()
  }))

garbage.run()
