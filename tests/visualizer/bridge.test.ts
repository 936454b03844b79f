// Issue 14: the inspection bridge streams a client's actors to the page, with tokens redacted, and
// only talks to loopback.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { startDevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient } from '../../src/index.js'
import { createInspectionBridge, type BridgeMessage } from '../../src/inspect/index.js'
import { redact, REDACTED_JWT } from '../../src/inspect/redact.js'

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJl'
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}/

test('redact hides secrets by key and JWTs anywhere, and bounds what it copies', () => {
  const out = JSON.stringify(
    redact({
      access_token: 'plain-secret',
      apikey: JWT,
      accessToken: null,
      nested: { header: `Bearer ${JWT}`, list: Array.from({ length: 100 }, (_, i) => i) },
      text: 'x'.repeat(1000),
      fn: function deliver() {},
    }),
  )
  assert.not.ok(out.includes('plain-secret'))
  assert.not.match(out, JWT_LIKE)
  assert.ok(out.includes(REDACTED_JWT))
  assert.ok(out.includes('"accessToken":null'), 'an absent token stays visibly absent')
  assert.ok(out.includes('ƒ deliver'))
  assert.ok(out.length < 1200, `bounded (${out.length} chars)`)
})

test('the bridge refuses a non-loopback host', async () => {
  let error: unknown
  try {
    await createInspectionBridge({ host: '0.0.0.0' })
  } catch (caught) {
    error = caught
  }
  assert.instance(error, Error)
})

test('a page receives the client actors, their states and events, never a token', async () => {
  const server = await startDevServer()
  const bridge = await createInspectionBridge()
  const userToken = server.signToken({ role: 'authenticated', sub: 'user-1' })
  const client = createRealtimeClient({ url: server.url, apikey: server.apikey, accessToken: userToken, heartbeatIntervalMs: 100, inspect: bridge.inspect })
  const page = new WebSocket(bridge.url.replace('http', 'ws') + 'inspect')
  const frames: string[] = []
  page.on('message', (data) => frames.push(String(data)))
  try {
    await new Promise((resolve, reject) => page.once('open', resolve).once('error', reject))
    await client.channel('room:bridge').subscribe()
    const messages = () => frames.flatMap((frame) => JSON.parse(frame) as BridgeMessage[])
    const deadline = Date.now() + 5000
    const sawHeartbeatReply = () => messages().some((m) => m.type === 'log' && m.entry.type === 'socket.heartbeatReply')
    while (!sawHeartbeatReply() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.ok(sawHeartbeatReply(), 'heartbeats are streamed')
    const all = messages()
    assert.is(all[0]?.type, 'hello')
    const charts = all.flatMap((m) => (m.type === 'chart' ? [m.chart.key] : m.type === 'hello' ? m.charts.map((c) => c.key) : []))
    assert.ok(['client', 'connection', 'channel'].every((key) => charts.includes(key)), `charts: ${charts.join(', ')}`)
    const channel = all.flatMap((m) => (m.type === 'actor' && m.actor.id === 'realtime:room:bridge' ? [m.actor] : []))
    assert.equal(channel[channel.length - 1]?.value, 'joined')
    assert.ok(all.some((m) => m.type === 'log' && m.entry.kind === 'frame-out'), 'outbound frames are logged')
    assert.ok(all.some((m) => m.type === 'log' && m.entry.kind === 'frame-in'), 'inbound frames are logged')
    const text = frames.join('\n')
    assert.not.ok(text.includes(server.apikey), 'the apikey never leaves the bridge')
    assert.not.ok(text.includes(userToken), 'the access token never leaves the bridge')
    assert.not.match(text, JWT_LIKE)
    // The client redacts what it hands `inspect` (src/inspect-redaction.ts), the bridge what it forwards.
    assert.ok(text.includes(REDACTED_JWT) || text.includes('[redacted]'), 'tokens were there, redacted')
  } finally {
    page.terminate()
    await client.close()
    await bridge.close()
    await server.close()
  }
})

test('the bridge refuses a WebSocket from another origin, and serves the page files only', async () => {
  const dir = mkdtempSync(join(process.cwd(), 'tests/visualizer/.page-'))
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>page</title>')
  const bridge = await createInspectionBridge({ pageDir: dir })
  try {
    const foreign = new WebSocket(bridge.url.replace('http', 'ws') + 'inspect', { origin: 'https://evil.example' })
    const refused = await new Promise<number>((resolve) => {
      foreign.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0))
      foreign.once('open', () => resolve(101))
      foreign.once('error', () => resolve(-1))
    })
    foreign.terminate()
    assert.is(refused, 403)
    const index = await fetch(bridge.url)
    assert.is(index.status, 200)
    assert.match(await index.text(), '<title>page</title>')
    assert.is((await fetch(bridge.url + '..%2Fpackage.json')).status, 404)
    assert.is((await fetch(bridge.url + 'missing.js')).status, 404)
  } finally {
    await bridge.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
