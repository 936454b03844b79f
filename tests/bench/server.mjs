// The bench server: a scripted, Phoenix-compatible WebSocket server written for speed, not fidelity.
// It runs in its own process (forked by run.mjs, which it tells its port over IPC) and does only what
// the benchmarks need:
//   - accepts the WebSocket upgrade on any path (vsn from the query string, 1.0.0 when absent);
//   - answers phx_join / phx_leave / heartbeat / any other push that has a ref with an ok reply;
//   - on command, writes N prebuilt frames to every socket joined to a topic, in 1 MiB writes, so the
//     server is never the bottleneck (the frames and their WebSocket framing are built once and cached);
//   - echoes a join's postgres_changes bindings with ids, and writes prebuilt postgres_changes frames;
//   - on command, pushes a presence_state then a stream of presence_diff frames;
//   - on command, drops every WebSocket (TCP destroy, no close frame: what a crash looks like).
// Control is plain HTTP on the same port: POST /control/blast|presence|drop, GET /control/ping|stats
// (stats: upgrades since the last drop, with the time of each).
// WebSocket is implemented by hand (no extensions negotiated, so nothing is compressed).
import { createHash } from 'node:crypto'
import { createServer } from 'node:http'
import {
  binaryUserBroadcast,
  encodeText,
  jsonBroadcast,
  POSTGRES_BINDING_ID,
  postgresChange,
  presenceDiffJson,
  presenceStateJson,
  wsFrame,
  wsHeader,
} from './frames.mjs'

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const CHUNK = 1 << 20
const OK_REPLY = '{"response":{},"status":"ok"}'

/** @type {Set<Conn>} */
const conns = new Set()
const cache = new Map()
let dropAt = 0
let upgradesSinceDrop = 0
let firstUpgradeAfterDropMs = null
/** When each upgrade after the last drop arrived, in ms after the drop (the reconnect-spread case). */
let upgradeTimesSinceDrop = []
let joinsSinceDrop = 0

class Conn {
  constructor(socket, vsn) {
    this.socket = socket
    this.vsn = vsn
    /** topic → join ref */
    this.topics = new Map()
    this.buffer = null
    this.fragments = null
    this.fragmentOpcode = 0
    this.writing = Promise.resolve()
    this.bulk = 0
    socket.setNoDelay(true)
    socket.on('data', (chunk) => this.onData(chunk))
    socket.on('error', () => {})
    socket.on('close', () => conns.delete(this))
  }

  onData(chunk) {
    let buf = this.buffer ? Buffer.concat([this.buffer, chunk]) : chunk
    let offset = 0
    for (;;) {
      if (buf.length - offset < 2) break
      const b0 = buf[offset]
      const b1 = buf[offset + 1]
      const fin = (b0 & 0x80) !== 0
      const opcode = b0 & 0x0f
      const masked = (b1 & 0x80) !== 0
      let length = b1 & 0x7f
      let pos = offset + 2
      if (length === 126) {
        if (buf.length < pos + 2) break
        length = buf.readUInt16BE(pos)
        pos += 2
      } else if (length === 127) {
        if (buf.length < pos + 8) break
        length = Number(buf.readBigUInt64BE(pos))
        pos += 8
      }
      const maskAt = pos
      if (masked) pos += 4
      if (buf.length < pos + length) break
      const payload = Buffer.from(buf.subarray(pos, pos + length))
      if (masked) for (let i = 0; i < length; i++) payload[i] ^= buf[maskAt + (i & 3)]
      offset = pos + length
      this.onFrame(fin, opcode, payload)
    }
    this.buffer = offset < buf.length ? buf.subarray(offset) : null
  }

  onFrame(fin, opcode, payload) {
    if (opcode === 0x8) {
      // Close: echo the code and end.
      this.write(Buffer.concat([wsHeader(0x8, Math.min(payload.length, 2)), payload.subarray(0, 2)]))
      this.socket.end()
      return
    }
    if (opcode === 0x9) {
      this.write(Buffer.concat([wsHeader(0xa, payload.length), payload]))
      return
    }
    if (opcode === 0xa) return
    if (opcode === 0x0) {
      if (!this.fragments) return
      this.fragments.push(payload)
      if (!fin) return
      const whole = Buffer.concat(this.fragments)
      this.fragments = null
      this.onMessage(this.fragmentOpcode, whole)
      return
    }
    if (!fin) {
      this.fragments = [payload]
      this.fragmentOpcode = opcode
      return
    }
    this.onMessage(opcode, payload)
  }

  onMessage(opcode, payload) {
    if (opcode !== 0x1) return // binary pushes (kind 3) are not answered: the bench never asks for acks
    let joinRef
    let ref
    let topic
    let event
    let body
    try {
      const message = JSON.parse(payload.toString('utf8'))
      if (Array.isArray(message)) [joinRef, ref, topic, event, body] = message
      else ({ join_ref: joinRef = null, ref, topic, event, payload: body } = message)
    } catch {
      return
    }
    if (event === 'phx_join') {
      this.topics.set(topic, joinRef ?? ref)
      if (dropAt) joinsSinceDrop++
    } else if (event === 'phx_leave') {
      this.topics.delete(topic)
    }
    if (ref === null || ref === undefined) return
    this.write(wsFrame(encodeText(this.vsn, joinRef ?? null, ref, topic, 'phx_reply', event === 'phx_join' ? joinReply(body) : OK_REPLY)))
    if (event === 'phx_leave') this.write(wsFrame(encodeText(this.vsn, joinRef ?? null, ref, topic, 'phx_close', '{}')))
  }

  /** Small writes; while a bulk write is in flight they queue behind it (chunks split frames). */
  write(buffer) {
    if (this.bulk > 0) {
      this.writing = this.writing.then(() => {
        if (!this.socket.destroyed) this.socket.write(buffer)
      })
    } else if (!this.socket.destroyed) {
      this.socket.write(buffer)
    }
  }

  /** Write a large buffer in CHUNK-sized writes, waiting for drain; queued after earlier bulk writes. */
  writeBulk(buffer) {
    this.bulk++
    this.writing = this.writing.then(async () => {
      for (let offset = 0; offset < buffer.length; offset += CHUNK) {
        if (this.socket.destroyed) return
        if (!this.socket.write(buffer.subarray(offset, offset + CHUNK))) {
          await new Promise((resolve) => {
            const done = () => {
              this.socket.off('drain', done)
              this.socket.off('close', done)
              resolve()
            }
            this.socket.on('drain', done)
            this.socket.on('close', done)
          })
        }
      }
    }).finally(() => {
      this.bulk--
    })
    return this.writing
  }
}

/**
 * The join reply: ok, with the channel's postgres_changes bindings echoed back with ids, as the real
 * server does (protocol.md §4.3); clients match them to their own bindings before delivering changes.
 */
function joinReply(payload) {
  const bindings = payload?.config?.postgres_changes
  if (!Array.isArray(bindings) || bindings.length === 0) return OK_REPLY
  const answered = bindings.map((binding, i) => ({ ...binding, id: POSTGRES_BINDING_ID + i }))
  return JSON.stringify({ response: { postgres_changes: answered }, status: 'ok' })
}

function cached(key, build) {
  let value = cache.get(key)
  if (!value) {
    value = build()
    cache.set(key, value)
  }
  return value
}

/** N broadcast frames for `topic`, concatenated with their WebSocket framing, built once. */
function blastBuffer(kind, vsn, topic, n) {
  return cached(`blast:${kind}:${vsn}:${topic}:${n}`, () => {
    const frames = new Array(n)
    const frame =
      kind === 'binary'
        ? (i) => binaryUserBroadcast(topic, i)
        : kind === 'postgres' || kind === 'postgres-exact'
          ? (i) => postgresChange(vsn, topic, i, kind === 'postgres-exact')
          : (i) => jsonBroadcast(vsn, topic, i)
    for (let i = 0; i < n; i++) frames[i] = wsFrame(frame(i))
    return Buffer.concat(frames)
  })
}

function presenceStatePayload(members) {
  return cached(`presence-state:${members}`, () => presenceStateJson(members))
}

function presenceDiffBuffer(vsn, topic, members, diffs) {
  return cached(`presence-diffs:${vsn}:${topic}:${members}:${diffs}`, () => {
    const frames = new Array(diffs)
    for (let d = 0; d < diffs; d++) frames[d] = wsFrame(encodeText(vsn, null, null, topic, 'presence_diff', presenceDiffJson(members, d)))
    return Buffer.concat(frames)
  })
}

function joinedTo(topic) {
  return [...conns].filter((conn) => conn.topics.has(topic))
}

function handleUpgrade(req, socket) {
  const key = req.headers['sec-websocket-key']
  if (typeof key !== 'string') {
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
    return
  }
  const url = new URL(req.url ?? '/', 'http://bench')
  const vsn = url.searchParams.get('vsn') === '2.0.0' ? '2.0.0' : '1.0.0'
  const accept = createHash('sha1').update(key + WS_GUID).digest('base64')
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
  if (dropAt) {
    upgradesSinceDrop++
    if (firstUpgradeAfterDropMs === null) firstUpgradeAfterDropMs = performance.now() - dropAt
    if (upgradeTimesSinceDrop.length < 10_000) upgradeTimesSinceDrop.push(performance.now() - dropAt)
  }
  conns.add(new Conn(socket, vsn))
}

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json', connection: 'keep-alive' })
  res.end(JSON.stringify(body))
}

function handleControl(req, res) {
  const url = new URL(req.url ?? '/', 'http://bench')
  const q = (name, fallback) => url.searchParams.get(name) ?? fallback
  switch (url.pathname) {
    case '/control/ping':
      return reply(res, 200, { ok: true, sockets: conns.size })
    case '/control/prepare':
    case '/control/blast': {
      // prepare: build (and cache) the frames without sending them, so building never lands in a timing.
      const topic = q('topic', 'realtime:bench')
      const kind = q('kind', 'json')
      const n = Number(q('n', '1000'))
      const vsn = q('vsn', '2.0.0')
      const buffer = blastBuffer(kind, vsn, topic, n)
      if (url.pathname === '/control/prepare') return reply(res, 200, { ok: true, bytes: buffer.length })
      const targets = joinedTo(topic)
      for (const conn of targets) conn.writeBulk(kind !== 'binary' && conn.vsn !== vsn ? blastBuffer(kind, conn.vsn, topic, n) : buffer)
      return reply(res, 200, { ok: true, sockets: targets.length, bytes: buffer.length })
    }
    case '/control/prepare-presence':
    case '/control/presence': {
      const topic = q('topic', 'realtime:presence')
      const members = Number(q('members', '10000'))
      const diffs = Number(q('diffs', '1000'))
      const state = presenceStatePayload(members)
      if (url.pathname === '/control/prepare-presence') {
        presenceDiffBuffer('2.0.0', topic, members, diffs)
        return reply(res, 200, { ok: true })
      }
      const targets = joinedTo(topic)
      for (const conn of targets) {
        const joinRef = conn.topics.get(topic) ?? null
        const stateFrame = wsFrame(encodeText(conn.vsn, joinRef, null, topic, 'presence_state', state))
        conn.writeBulk(Buffer.concat([stateFrame, presenceDiffBuffer(conn.vsn, topic, members, diffs)]))
      }
      return reply(res, 200, { ok: true, sockets: targets.length })
    }
    case '/control/drop': {
      const dropped = conns.size
      dropAt = performance.now()
      upgradesSinceDrop = 0
      joinsSinceDrop = 0
      firstUpgradeAfterDropMs = null
      upgradeTimesSinceDrop = []
      for (const conn of conns) conn.socket.destroy()
      conns.clear()
      return reply(res, 200, { ok: true, dropped })
    }
    case '/control/stats':
      return reply(res, 200, { sockets: conns.size, upgradesSinceDrop, joinsSinceDrop, firstUpgradeAfterDropMs, upgradeTimesSinceDrop })
    case '/control/reset':
      // Between cases: forget the drop clock and close whatever a previous worker left open.
      dropAt = 0
      for (const conn of conns) conn.socket.destroy()
      conns.clear()
      return reply(res, 200, { ok: true })
    default:
      return reply(res, 404, { error: 'not found' })
  }
}

const server = createServer(handleControl)
server.keepAliveTimeout = 60_000
server.on('upgrade', handleUpgrade)
server.on('clientError', (_error, socket) => socket.destroy())

function shutdown() {
  for (const conn of conns) conn.socket.destroy()
  server.close()
  process.exit(0)
}
// The parent owns this process: when it goes (normally or not), so do we.
process.on('disconnect', shutdown)
process.on('SIGTERM', shutdown)
process.on('SIGINT', shutdown)

server.listen(Number(process.env.BENCH_PORT ?? 0), '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address())
  if (process.send) process.send({ type: 'listening', port })
  else console.log(`bench server on ws://127.0.0.1:${port}/socket`)
})
