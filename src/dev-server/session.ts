/**
 * One WebSocket connection, the equivalent of a Phoenix socket process: decodes frames, answers
 * heartbeats, routes channel messages, owns the joined channels, and closes idle sockets. Frames
 * are handled one at a time in arrival order, as the real socket process does, so an async join
 * (authorization, backoff) holds back the frames behind it.
 */
import type { WebSocket } from 'ws'
import { decodeClientFrame, encodeServerFrame, type PhoenixMessage, type Vsn, type WireFrame } from '../protocol/index.js'
import type { VerifiedToken } from './auth.js'
import { JoinedChannel } from './channel.js'
import { handleChannelMessage } from './channel-events.js'
import type { ServerContext } from './context.js'
import { handleJoin } from './join.js'

export type ChannelEnd = 'close' | 'error' | 'silent'

export class SocketSession {
  readonly channels = new Map<string, JoinedChannel>()
  #queue: Promise<void> = Promise.resolve()
  #idle: NodeJS.Timeout | null = null
  #delayed = new Set<NodeJS.Timeout>()
  #lastDue = 0
  #closed = false

  constructor(
    readonly ws: WebSocket,
    readonly vsn: Vsn,
    readonly connectToken: VerifiedToken,
    readonly ctx: ServerContext,
    private readonly onGone: (session: SocketSession) => void,
  ) {
    ws.on('message', (data, isBinary) => this.#receive(data, isBinary))
    ws.on('close', () => this.dispose())
    // Oversized frames (ws closes with 1009), bad UTF-8, resets: the socket goes, the server stays.
    ws.on('error', (error) => this.ctx.log('warn', `socket error: ${error.message}`))
    this.ctx.log('info', `socket connected (vsn ${vsn}, role ${String(connectToken.claims.role)})`)
    this.#armIdle()
  }

  get isOpen(): boolean {
    return !this.#closed && this.ws.readyState === this.ws.OPEN
  }

  #armIdle(): void {
    if (this.ctx.options.idleTimeoutMs <= 0) return
    this.#idle = setTimeout(() => {
      // A silent server does not read, so it does not notice idleness either.
      if (this.ctx.faults.silent) return this.#idle?.refresh()
      this.ctx.log('info', `closing idle socket after ${this.ctx.options.idleTimeoutMs} ms`)
      this.ws.close(1000, 'idle timeout')
      this.dispose()
    }, this.ctx.options.idleTimeoutMs)
  }

  #receive(data: unknown, isBinary: boolean): void {
    if (this.#closed || this.ctx.faults.silent) return
    this.#idle?.refresh()
    const frame = toFrame(data, isBinary)
    this.#queue = this.#queue.then(() => this.#handle(frame)).catch((error: unknown) => {
      this.ctx.log('error', `frame handler failed: ${error instanceof Error ? error.message : String(error)}`)
    })
  }

  async #handle(frame: string | Uint8Array): Promise<void> {
    if (this.#closed) return
    let decoded: ReturnType<typeof decodeClientFrame>
    try {
      decoded = decodeClientFrame(frame, this.vsn)
    } catch (error) {
      this.ctx.log('debug', `undecodable frame: ${error instanceof Error ? error.message : String(error)}`)
      return
    }
    // The real server logs a malformed frame and carries on without a reply.
    if (!decoded.ok) return this.ctx.log('debug', decoded.error.message)
    await this.route(decoded.message)
  }

  async route(message: PhoenixMessage): Promise<void> {
    if (message.topic === 'phoenix' && message.event === 'heartbeat') return this.reply(message, 'ok', {})
    if (message.event === 'phx_join') return handleJoin(this, message)
    const channel = this.channels.get(message.topic)
    if (!channel) return this.reply({ ...message, joinRef: null }, 'error', { reason: 'unmatched topic' })
    // Messages for an older join of this topic are stale; a missing join_ref is accepted.
    if (message.joinRef !== null && message.joinRef !== channel.joinRef) return this.ctx.log('debug', `dropping stale message for ${message.topic}`)
    if (message.event === 'phx_leave') {
      this.reply(message, 'ok', {})
      return this.endChannel(channel, 'close')
    }
    return handleChannelMessage(this, channel, message)
  }

  reply(to: Pick<PhoenixMessage, 'joinRef' | 'ref' | 'topic'>, status: 'ok' | 'error', response: unknown): void {
    this.send(encodeServerFrame({ joinRef: to.joinRef, ref: to.ref, topic: to.topic, event: 'phx_reply', payload: { response, status } }, this.vsn))
  }

  send(frame: WireFrame): void {
    if (!this.isOpen || this.ctx.faults.silent) return
    const now = Date.now()
    const due = Math.max(now + this.ctx.faults.delayMs, this.#lastDue)
    if (due <= now && this.#delayed.size === 0) return this.#write(frame)
    this.#lastDue = due
    const timer = setTimeout(() => {
      this.#delayed.delete(timer)
      if (this.isOpen) this.#write(frame)
    }, due - now)
    this.#delayed.add(timer)
  }

  #write(frame: WireFrame): void {
    this.ws.send(frame, (error) => {
      if (error) this.ctx.log('debug', `send failed: ${error.message}`)
    })
  }

  /** Ends a channel: `close` sends phx_close, `error` phx_error, `silent` nothing (socket gone). */
  endChannel(channel: JoinedChannel, end: ChannelEnd): void {
    if (this.channels.get(channel.topic) === channel) this.channels.delete(channel.topic)
    if (channel.disposed) return
    if (end !== 'silent') {
      const event = end === 'close' ? 'phx_close' : 'phx_error'
      this.send(encodeServerFrame({ joinRef: channel.joinRef, ref: channel.joinRef, topic: channel.topic, event, payload: {} }, this.vsn))
    }
    channel.dispose()
    this.ctx.rooms.leave(channel.room, channel)
  }

  /** The shutdown pattern (protocol.md §8.1): a `system` error, then `phx_close`. */
  shutdownChannel(channel: JoinedChannel, message: string): void {
    channel.push('system', { channel: channel.subtopic, extension: 'system', message, status: 'error' })
    this.endChannel(channel, 'close')
  }

  /** Closes the socket: with a close frame when `code` is given, else by cutting the connection. */
  drop(close?: { code: number; reason?: string }): void {
    if (close) this.ws.close(close.code, close.reason)
    else this.ws.terminate()
    this.dispose()
  }

  dispose(): void {
    if (this.#closed) return
    this.#closed = true
    this.ctx.log('info', `socket closed (${this.channels.size} channel(s) joined)`)
    if (this.#idle) clearTimeout(this.#idle)
    for (const timer of this.#delayed) clearTimeout(timer)
    this.#delayed.clear()
    for (const channel of [...this.channels.values()]) this.endChannel(channel, 'silent')
    this.onGone(this)
  }
}

function toFrame(data: unknown, isBinary: boolean): string | Uint8Array {
  const bytes = Array.isArray(data)
    ? Buffer.concat(data as Buffer[])
    : data instanceof ArrayBuffer
      ? new Uint8Array(data)
      : (data as Buffer)
  return isBinary ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')
}
