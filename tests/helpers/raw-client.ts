/**
 * A raw WebSocket client for dev-server tests: speaks vsn 1.0.0 or 2.0.0 through the shared codec,
 * queues every frame it receives, and lets a test `await` the next frame matching a predicate (with
 * a timeout) instead of sleeping. `barrier()` is a heartbeat round trip: once its reply is in, every
 * frame the server sent this socket before it has been received too, so "nothing arrived" can be
 * asserted without waiting on time.
 */
import WebSocket from 'ws'
import { decodeServerFrame, encodeClientFrame, type PhoenixMessage, type Vsn } from '../../src/protocol/index.js'

export interface Received {
  readonly message: PhoenixMessage
  /** Whether the frame was binary. */
  readonly binary: boolean
  /** The raw frame as received. */
  readonly raw: string | Uint8Array
}

export interface ConnectOptions {
  readonly vsn?: Vsn | null
  readonly apikey?: string | null
  /** Send the apikey as `x-api-key` instead of the query. */
  readonly apikeyHeader?: boolean
  readonly path?: string
}

interface Waiter {
  readonly predicate: (frame: Received) => boolean
  readonly resolve: (frame: Received) => void
}

/** `http://host:port` → `ws://host:port/realtime/v1/websocket?...` */
export function socketUrl(baseUrl: string, options: ConnectOptions = {}): string {
  const url = new URL(options.path ?? '/realtime/v1/websocket', baseUrl.replace(/^http/, 'ws'))
  if (options.apikey && !options.apikeyHeader) url.searchParams.set('apikey', options.apikey)
  if (options.vsn !== null) url.searchParams.set('vsn', options.vsn ?? '2.0.0')
  return url.toString()
}

export class RawClient {
  readonly frames: Received[] = []
  readonly undecodable: unknown[] = []
  #waiters = new Set<Waiter>()
  #ref = 0
  readonly closed: Promise<{ code: number; reason: string }>

  private constructor(
    readonly ws: WebSocket,
    readonly vsn: Vsn,
  ) {
    ws.binaryType = 'nodebuffer'
    ws.on('message', (data: Buffer, isBinary) => this.#receive(isBinary ? new Uint8Array(data) : data.toString('utf8'), isBinary))
    ws.on('error', () => {})
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })))
  }

  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<RawClient> {
    const headers: Record<string, string> = options.apikey && options.apikeyHeader ? { 'x-api-key': options.apikey } : {}
    const ws = new WebSocket(socketUrl(baseUrl, options), { headers })
    // No vsn in the URL: the server assumes 1.0.0.
    const client = new RawClient(ws, options.vsn === null ? '1.0.0' : (options.vsn ?? '2.0.0'))
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client))
      ws.once('unexpected-response', (_request, response) => {
        const chunks: Buffer[] = []
        response.on('data', (chunk: Buffer) => chunks.push(chunk))
        response.on('end', () => reject(new HandshakeRefused(response.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))))
      })
      ws.once('error', reject)
    })
  }

  #receive(raw: string | Uint8Array, binary: boolean): void {
    const decoded = decodeServerFrame(raw, this.vsn)
    if (!decoded.ok) {
      this.undecodable.push(raw)
      return
    }
    const frame: Received = { message: decoded.message, binary, raw }
    for (const waiter of this.#waiters) {
      if (waiter.predicate(frame)) {
        this.#waiters.delete(waiter)
        waiter.resolve(frame)
        return
      }
    }
    this.frames.push(frame)
  }

  makeRef(): string {
    this.#ref += 1
    return String(this.#ref)
  }

  send(message: PhoenixMessage): void {
    this.ws.send(encodeClientFrame(message, this.vsn))
  }

  sendRaw(data: string | Uint8Array): void {
    this.ws.send(data)
  }

  /** Removes and returns the first queued or future frame matching `predicate`. */
  next(predicate: (frame: Received) => boolean, timeoutMs = 2000, what = 'a matching frame'): Promise<Received> {
    const index = this.frames.findIndex(predicate)
    if (index >= 0) return Promise.resolve(this.frames.splice(index, 1)[0]!)
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (frame) => {
          clearTimeout(timer)
          resolve(frame)
        },
      }
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        const seen = this.frames.map((f) => `${f.message.event}@${f.message.topic}`).join(', ')
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; queued: [${seen}]`))
      }, timeoutMs)
      this.#waiters.add(waiter)
    })
  }

  nextEvent(event: string, topic?: string, timeoutMs?: number): Promise<Received> {
    return this.next((f) => f.message.event === event && (topic === undefined || f.message.topic === topic), timeoutMs, `${event}${topic ? ` on ${topic}` : ''}`)
  }

  /** Pushes and resolves with the reply to that push. */
  async request(topic: string, event: string, payload: unknown, joinRef: string | null, timeoutMs?: number): Promise<PhoenixMessage> {
    const ref = this.makeRef()
    this.send({ joinRef, ref, topic, event, payload })
    return (await this.next((f) => f.message.event === 'phx_reply' && f.message.ref === ref, timeoutMs, `reply to ${event} ${ref}`)).message
  }

  /** Joins `topic` and returns the reply and the join ref used. */
  async join(topic: string, config: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<{ reply: PhoenixMessage; joinRef: string }> {
    const joinRef = this.makeRef()
    this.send({ joinRef, ref: joinRef, topic, event: 'phx_join', payload: { config, ...extra } })
    const reply = await this.next((f) => f.message.event === 'phx_reply' && f.message.ref === joinRef, 3000, `join reply for ${topic}`)
    return { reply: reply.message, joinRef }
  }

  /** A heartbeat round trip; see the module comment. */
  async barrier(timeoutMs?: number): Promise<void> {
    await this.request('phoenix', 'heartbeat', {}, null, timeoutMs)
  }

  /** Queued frames matching `predicate` (not removed). */
  queued(predicate: (frame: Received) => boolean = () => true): Received[] {
    return this.frames.filter(predicate)
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return
    this.ws.terminate()
    await this.closed
  }
}

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`handshake refused with ${status}: ${body}`)
  }
}

/** The status of a reply frame. */
export function replyStatus(message: PhoenixMessage): string {
  return (message.payload as { status: string }).status
}

export function replyResponse(message: PhoenixMessage): unknown {
  return (message.payload as { response: unknown }).response
}
