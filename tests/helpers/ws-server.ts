/**
 * A scriptable Phoenix-like WebSocket server on 127.0.0.1 (port 0) for integration tests.
 * Everything it sees lands in queues read with `await next()`: tests wait on events, never on time
 * (each wait has a deadline so a broken test fails instead of hanging). `close()` leaves nothing behind.
 */
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { decodeClientFrame, encodeServerFrame } from '../../src/protocol/codec.js'
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'

/** Values pushed at any time, consumed in order by `next()`. */
export class Queue<T> {
  private readonly items: T[] = []
  private readonly waiters: Array<(item: T) => void> = []
  readonly all: T[] = []

  push(item: T): void {
    this.all.push(item)
    const waiter = this.waiters.shift()
    if (waiter) waiter(item)
    else this.items.push(item)
  }

  /** The next item; rejects after `deadlineMs` so a missing event fails the test. */
  next(deadlineMs = 3000, what = 'item'): Promise<T> {
    const item = this.items.shift()
    if (item !== undefined) return Promise.resolve(item)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`no ${what} within ${deadlineMs} ms`))
      }, deadlineMs)
      const waiter = (value: T): void => {
        clearTimeout(timer)
        resolve(value)
      }
      this.waiters.push(waiter)
    })
  }

  /** Skip items until one matches. */
  async nextMatching(predicate: (item: T) => boolean, deadlineMs = 3000, what = 'matching item'): Promise<T> {
    const deadline = Date.now() + deadlineMs
    for (;;) {
      const item = await this.next(Math.max(1, deadline - Date.now()), what)
      if (predicate(item)) return item
    }
  }

  get pending(): number {
    return this.items.length
  }
}

export interface ServerConnection {
  /** The upgrade request's URL (path and query). */
  url: URL
  vsn: Vsn
  /** Every decoded frame the client sent, heartbeats included. */
  frames: Queue<PhoenixMessage>
  /** Frames the codec rejected (should stay empty). */
  invalid: Queue<string>
  /** Resolves with the close code and reason once the connection is gone. */
  closed: Promise<{ code: number; reason: string }>
  /** Answer heartbeats with `{status: 'ok'}` (default true). */
  answerHeartbeats: boolean
  send(message: PhoenixMessage): void
  sendRaw(data: string | Buffer): void
  close(code?: number, reason?: string): void
  /** Stop reading anything (heartbeats, close frames) while keeping TCP open: a half-open peer. */
  goSilent(): void
}

export interface TestServer {
  /** `ws://127.0.0.1:<port>/socket`, a Phoenix mount: the client appends `/websocket`. */
  url: string
  connections: Queue<ServerConnection>
  /** One entry per upgrade request, accepted or refused, in order. */
  upgrades: Queue<{ url: URL; refused: boolean }>
  /** Refuse the next `count` upgrades with this HTTP status (Infinity: until `acceptUpgrades()`). */
  refuseUpgrades(count: number, status?: number): void
  acceptUpgrades(): void
  /** Called on every upgrade request before it is answered (e.g. to log the order of events). */
  onUpgrade?: (url: URL) => void
  close(): Promise<void>
}

export async function startTestServer(): Promise<TestServer> {
  const http = createServer((_, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({ noServer: true })
  const rawSockets = new Set<Socket>()
  const sockets = new Set<WebSocket>()
  let refusals = 0
  let refusalStatus = 401

  const server: TestServer = {
    url: '',
    connections: new Queue(),
    upgrades: new Queue(),
    refuseUpgrades(count, status = 401) {
      refusals = count
      refusalStatus = status
    },
    acceptUpgrades() {
      refusals = 0
    },
    async close() {
      for (const ws of sockets) ws.terminate()
      for (const socket of rawSockets) socket.destroy()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
      http.closeAllConnections()
      await new Promise<void>((resolve) => http.close(() => resolve()))
    },
  }

  http.on('connection', (socket: Socket) => {
    rawSockets.add(socket)
    socket.on('close', () => rawSockets.delete(socket))
  })
  http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'ws://127.0.0.1')
    server.onUpgrade?.(url)
    if (refusals > 0) {
      refusals--
      server.upgrades.push({ url, refused: true })
      socket.end(`HTTP/1.1 ${refusalStatus} Refused\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":"refused"}`)
      return
    }
    server.upgrades.push({ url, refused: false })
    wss.handleUpgrade(request, socket, head, (ws) => {
      sockets.add(ws)
      server.connections.push(connectionOf(ws, socket, url))
    })
  })

  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
  server.url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/socket`
  return server
}

function connectionOf(ws: WebSocket, socket: Socket, url: URL): ServerConnection {
  const vsn: Vsn = url.searchParams.get('vsn') === '1.0.0' ? '1.0.0' : '2.0.0'
  const connection: ServerConnection = {
    url,
    vsn,
    frames: new Queue(),
    invalid: new Queue(),
    closed: new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))),
    answerHeartbeats: true,
    send(message) {
      ws.send(encodeServerFrame(message, vsn))
    },
    sendRaw(data) {
      ws.send(data)
    },
    close(code = 1000, reason = '') {
      ws.close(code, reason)
    },
    goSilent() {
      connection.answerHeartbeats = false
      socket.pause()
    },
  }
  ws.on('message', (data: RawData, isBinary: boolean) => {
    const raw = isBinary ? new Uint8Array(data as Buffer) : data.toString()
    const decoded = decodeClientFrame(raw, vsn)
    if (!decoded.ok) {
      connection.invalid.push(decoded.error.message)
      return
    }
    const message = decoded.message
    connection.frames.push(message)
    if (connection.answerHeartbeats && message.topic === 'phoenix' && message.event === 'heartbeat') {
      connection.send({ joinRef: null, ref: message.ref, topic: 'phoenix', event: 'phx_reply', payload: { status: 'ok', response: {} } })
    }
  })
  return connection
}
