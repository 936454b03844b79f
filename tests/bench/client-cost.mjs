// The client's own CPU cost, without a network or a server (issue 6: what bounds join, reconnect and
// inbound throughput). `npm run bench:client`.
//
// A fake WebSocket (an EventEmitter with `ws`'s own addEventListener, so frames look as they do from
// `ws`) answers nothing by itself: the script hands it join replies and broadcast frames. Reported:
//   - µs per channel for each phase of joining N channels and of a reconnect: the socket lost, the new
//     socket's `open` (every channel rejoins), the rejoin replies (best of 5 rounds, each
//     with a fresh client; the first round is also shown, as the benchmark's code is that cold);
//   - µs per inbound JSON broadcast from the socket to the listener, next to a floor doing
//     JSON.parse + a Map lookup + a call (best of 15 rounds of 200 000 frames, CPU time);
//   - µs per outbound broadcast without ack on a joined channel, next to JSON.stringify + send and
//     to realtime-js's `channel.send` on a browser-style fake socket.
import { build } from 'esbuild'
import { EventEmitter } from 'node:events'
import { mkdirSync, rmSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import WebSocket from 'ws'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = join(root, '.bench-results', `client-cost-${process.pid}`)
mkdirSync(dir, { recursive: true })
const N = Number(process.env.N ?? 2000)
const tick = () => new Promise((done) => setImmediate(done))

try {
  const outfile = join(dir, 'client.mjs')
  await build({ entryPoints: [join(root, 'src/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', outfile, logLevel: 'silent' })
  const { createRealtimeClient } = await import(pathToFileURL(outfile).href)

  let socket = null
  /** How long the client took to handle the last socket's `open` (on a reconnect: every rejoin). */
  let lastOpenMs = 0
  const sent = []
  class FakeWebSocket extends EventEmitter {
    constructor() {
      super()
      socket = this
      this.readyState = 0
      this.kind = 'blob'
      setImmediate(() => {
        this.readyState = 1
        const t0 = performance.now()
        this.emit('open')
        lastOpenMs = performance.now() - t0
      })
    }
    get binaryType() {
      return this.kind
    }
    set binaryType(value) {
      if (['nodebuffer', 'arraybuffer', 'blob'].includes(value)) this.kind = value
    }
    addEventListener(type, listener) {
      return WebSocket.prototype.addEventListener.call(this, type, listener)
    }
    removeEventListener(type, listener) {
      return WebSocket.prototype.removeEventListener.call(this, type, listener)
    }
    send(frame) {
      sent.push(frame)
    }
    close() {
      this.readyState = 3
    }
    terminate() {
      this.readyState = 3
    }
  }
  const frame = (array) => socket.emit('message', Buffer.from(JSON.stringify(array)), false)
  const replyToJoins = () => {
    for (const text of sent.splice(0)) {
      if (typeof text !== 'string') continue // binary: user broadcasts, never a join
      const [joinRef, ref, topic, event] = JSON.parse(text)
      if (event === 'phx_join') frame([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }])
    }
  }

  // ── join and reconnect, per channel ──
  const best = {}
  const first = {}
  for (let round = 0; round < 5; round++) {
    const client = createRealtimeClient({ url: 'ws://fake', apikey: 'k', vsn: '2.0.0', transport: FakeWebSocket, reconnectDelays: [0, 0, 0] })
    const warm = client.channel('warm')
    const warmJoin = warm.subscribe()
    while (sent.length === 0) await tick()
    replyToJoins()
    await warmJoin
    const time = (phase, run) => {
      globalThis.gc?.()
      const t0 = performance.now()
      const result = run()
      const us = ((performance.now() - t0) / N) * 1000
      best[phase] = Math.min(best[phase] ?? Infinity, us)
      if (round === 0) first[phase] = us
      return result
    }
    const channels = time('channel()', () => Array.from({ length: N }, (_, i) => client.channel(`c${i}`)))
    const joins = time('subscribe()', () => channels.map((channel) => channel.subscribe()))
    await tick()
    time('join replies', replyToJoins)
    await Promise.all(joins)
    const lost = socket
    time('socket lost', () => {
      lost.readyState = 3
      lost.emit('close', 1006, Buffer.alloc(0))
    })
    while (socket === lost || socket.readyState !== 1) await tick()
    // The rejoin frames go out while the client handles `open`.
    await tick()
    const socketBack = (lastOpenMs / N) * 1000
    best['socket back'] = Math.min(best['socket back'] ?? Infinity, socketBack)
    if (round === 0) first['socket back'] = socketBack
    time('rejoin replies', replyToJoins)
    if (!channels.every((channel) => channel.state === 'joined')) throw new Error('not every channel rejoined')
    await client.disconnect()
  }
  const fmt = (value) => value.toFixed(1)
  console.log(`${N} channels, µs per channel (best of 5 rounds; first round in brackets), Node ${process.version}\n`)
  console.log(`| ${Object.keys(best).join(' | ')} |\n|${' --- |'.repeat(Object.keys(best).length)}`)
  console.log(`| ${Object.keys(best).map((phase) => `${fmt(best[phase])} (${fmt(first[phase])})`).join(' | ')} |`)

  // ── inbound broadcasts, per frame ──
  const FRAMES = 200_000
  const texts = Array.from({ length: 1000 }, (_, i) =>
    Buffer.from(JSON.stringify([null, null, 'realtime:bench', 'broadcast', { type: 'broadcast', event: 'tick', payload: { id: i, text: 'hello world', n: i * 3 } }])),
  )
  const cpuPerFrame = (pump) => {
    const samples = []
    for (let round = 0; round < 15; round++) {
      const t0 = process.cpuUsage()
      pump()
      const cpu = process.cpuUsage(t0)
      samples.push((cpu.user + cpu.system) / FRAMES)
    }
    return Math.min(...samples)
  }
  let count = 0
  const floorChannels = new Map([['realtime:bench', { broadcast: () => count++ }]])
  const floor = cpuPerFrame(() => {
    for (let i = 0; i < FRAMES; i++) {
      const message = JSON.parse(texts[i % 1000].toString())
      if (message[3] === 'phx_reply') continue
      const channel = floorChannels.get(message[2])
      if (message[3] === 'broadcast') channel?.broadcast(message[4])
    }
  })
  const client = createRealtimeClient({ url: 'ws://fake', apikey: 'k', vsn: '2.0.0', transport: FakeWebSocket })
  const channel = client.channel('bench')
  channel.on('broadcast', { event: '*' }, () => count++)
  const joined = channel.subscribe()
  while (sent.length === 0) await tick()
  replyToJoins()
  await joined
  const ours = cpuPerFrame(() => {
    for (let i = 0; i < FRAMES; i++) socket.emit('message', texts[i % 1000], false)
  })
  // ── outbound broadcasts (no ack) on a joined channel, per send ──
  const SENDS = 100_000
  const outbound = cpuPerFrame(() => {
    sent.length = 0
    for (let i = 0; i < SENDS; i++) channel.broadcast('tick', { id: i, text: 'hello world' })
  }) * (FRAMES / SENDS)
  const outboundFloor = cpuPerFrame(() => {
    sent.length = 0
    for (let i = 0; i < SENDS; i++) socket.send(JSON.stringify(['1', String(i), 'realtime:bench', 'broadcast', { type: 'broadcast', event: 'tick', payload: { id: i, text: 'hello world' } }]))
  }) * (FRAMES / SENDS)
  sent.length = 0
  await client.disconnect()
  const outboundRealtimeJs = await realtimeJsOutbound(cpuPerFrame, SENDS, FRAMES)
  console.log(
    `outbound broadcast (no ack), CPU µs per send: floor (JSON.stringify + send) ${outboundFloor.toFixed(2)}, realtime-js ${outboundRealtimeJs.toFixed(2)}, realtime-xstate ${outbound.toFixed(2)}`,
  )
  console.log(`\ninbound JSON broadcast, CPU µs per frame (best of 15 × ${FRAMES}): floor ${floor.toFixed(2)}, realtime-xstate ${ours.toFixed(2)} (floor / ours = ${(floor / ours).toFixed(2)})`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)

/**
 * realtime-js's `channel.send` broadcast on a joined channel, on a browser-style fake WebSocket (it
 * sends vsn 2.0.0 broadcasts as binary kind-3 frames, as we do). Work it defers to promises after the
 * loop is not counted, so this flatters it slightly.
 */
async function realtimeJsOutbound(cpuPerFrame, sends, frames) {
  const { RealtimeClient } = await import('@supabase/realtime-js')
  class BrowserStyleSocket {
    constructor(url) {
      this.url = url
      this.readyState = 0
      this.binaryType = 'arraybuffer'
      setImmediate(() => {
        this.readyState = 1
        this.onopen?.({})
      })
    }
    send(data) {
      if (typeof data !== 'string') return
      const [joinRef, ref, topic, event] = JSON.parse(data)
      if (event === 'phx_join') {
        const reply = JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: { postgres_changes: [] } }])
        setImmediate(() => this.onmessage?.({ data: reply }))
      }
    }
    close() {
      this.readyState = 3
    }
  }
  const client = new RealtimeClient('ws://fake/socket', { params: { apikey: 'k' }, transport: BrowserStyleSocket, vsn: '2.0.0', heartbeatIntervalMs: 1e9 })
  const channel = client.channel('bench')
  await new Promise((joined) => channel.subscribe((status) => status === 'SUBSCRIBED' && joined()))
  const perSend = cpuPerFrame(() => {
    for (let i = 0; i < sends; i++) void channel.send({ type: 'broadcast', event: 'tick', payload: { id: i, text: 'hello world' } })
  }) * (frames / sends)
  client.disconnect()
  return perSend
}
