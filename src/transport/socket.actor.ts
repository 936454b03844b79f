/**
 * The real socket actor the connection machine invokes: one WebSocket, opened on start, closed on stop.
 * It decodes every inbound frame, hands heartbeat replies to the machine and everything else straight
 * to `options.deliver` (the router: no machine transition per data frame, xstate-notes §11b), and
 * writes `transmit`s.
 * Nothing here throws into XState: every failure becomes a `socket.error` event.
 */
import { fromCallback, type AnyActorRef, type CallbackActorLogic } from 'xstate'
import type { SocketActorInput, SocketCommand, SocketEvent } from '../../machines/connection/contract.js'
import { RealtimeError } from '../errors.js'
import { decodeServerFrame, encodeClientFrame, type RawFrame } from '../protocol/codec.js'
import { createFrameParser } from '../postgres/columns-reuse.js'
import { PHOENIX_TOPIC, WireEvent, type PhoenixMessage } from '../protocol/types.js'
import { replyOf } from '../protocol/reply.js'
import { upgradeRefusalError } from './upgrade-refusal.js'
import { buildSocketUrl, type ServerLogLevel } from './url.js'
import { batchWrites } from './write-batch.js'
import { openWebSocket, ReadyState, resolveWebSocket, type SocketEventLike, type WebSocketConstructor, type WebSocketLike } from './websocket.js'

export interface SocketActorOptions {
  /** The Realtime endpoint as the user gave it (see `buildSocketUrl`); else the machine's `input.url`. */
  url?: string
  logLevel?: ServerLogLevel
  transport?: WebSocketConstructor
  /**
   * Every decoded inbound frame except heartbeat replies, with the actor system it arrived in; the
   * frame's text too for `postgres_changes` (exact int8 / numeric values are read from it).
   */
  deliver?: (message: PhoenixMessage, system: AnyActorRef['system'], raw?: string) => void
}

/** The close code a browser reports for a connection that ended without a close frame. */
const ABNORMAL_CLOSURE = 1006

/** The socket actor for these options; `input` (vsn, apikey, token, deliver) comes from the machine. */
export function createSocketActor(options: SocketActorOptions): CallbackActorLogic<SocketCommand, SocketActorInput> {
  return fromCallback<SocketCommand, SocketActorInput>(({ input, sendBack, receive, system }) => {
    const send = (event: SocketEvent): void => sendBack(event)
    const deliver = options.deliver
    let socket: WebSocketLike
    try {
      const url = buildSocketUrl({ url: options.url ?? input.url ?? '', apikey: input.apikey, vsn: input.vsn, ...(options.logLevel ? { logLevel: options.logLevel } : {}) })
      socket = openWebSocket(resolveWebSocket(options.transport), url)
    } catch (error) {
      // A bad URL or no WebSocket: reported like a failed upgrade, so the machine's backoff applies.
      send({ type: 'socket.error', error: asTransportError(error, 'could not open the WebSocket') })
      send({ type: 'socket.closed', code: ABNORMAL_CLOSURE, reason: 'WebSocket could not be created', wasClean: false })
      return () => {}
    }

    const route = (message: PhoenixMessage, raw: string | undefined): void => {
      if (message.topic === PHOENIX_TOPIC && message.event === WireEvent.reply) {
        send({ type: 'socket.heartbeatReply', ref: message.ref, status: replyOf(message.payload).status })
        return
      }
      try {
        deliver?.(message, system, raw)
      } catch (error) {
        send({ type: 'socket.error', error: new RealtimeError('listener_error', `deliver threw: ${describe(error)}`, { topic: message.topic, event: message.event }) })
      }
    }

    // Per socket: the columns of the tables whose changes it carries, parsed once (issue 12).
    const parseJson = createFrameParser()
    const onFrame = (frame: RawFrame): void => {
      const result = decodeServerFrame(frame, input.vsn, parseJson)
      if (result.ok) route(result.message, result.message.event === 'postgres_changes' && typeof frame === 'string' ? frame : undefined)
      else send({ type: 'socket.error', error: result.error })
    }

    let closedReported = false
    // A refused upgrade was reported with its status; the `error` ws raises when we drop it adds nothing.
    let rejected = false
    const listeners: Record<'open' | 'close' | 'error' | 'message', (event: SocketEventLike) => void> = {
      open: () => send({ type: 'socket.opened' }),
      close: (event) => {
        if (closedReported) return
        closedReported = true
        send({ type: 'socket.closed', code: event.code ?? ABNORMAL_CLOSURE, reason: event.reason ?? '', wasClean: event.wasClean ?? false })
      },
      // Browsers give no detail; `ws` gives the cause (e.g. "Unexpected server response: 401").
      error: (event) => {
        if (!rejected) send({ type: 'socket.error', error: asTransportError(event.error ?? event.message, 'WebSocket error') })
      },
      message: (event) => onFrame(event.data as RawFrame),
    }
    // `ws` (Node): frames straight from its emitter, without the MessageEvent `addEventListener` builds
    // for every frame (issue 6: the data path pays only for decoding). Everything else: the DOM API.
    const emitterFrames = nodeFrames(socket, onFrame)
    const offRefusals = nodeRefusals(socket, (error) => {
      rejected = true
      send({ type: 'socket.rejected', error })
    })
    for (const type of ['open', 'close', 'error'] as const) socket.addEventListener(type, listeners[type])
    if (emitterFrames === null) socket.addEventListener('message', listeners.message)

    receive((command) => {
      switch (command.type) {
        case 'transmit':
          transmit(socket, command.message, input, send)
          return
        case 'close':
          closeQuietly(socket, command.code, command.reason)
          return
        default:
          assertNever(command)
      }
    })

    return () => {
      for (const type of ['open', 'close', 'error'] as const) socket.removeEventListener(type, listeners[type])
      if (emitterFrames === null) socket.removeEventListener('message', listeners.message)
      else emitterFrames.off()
      offRefusals()
      // `ws` is an EventEmitter: an `error` without a listener (e.g. closing before the upgrade finished)
      // would be an uncaught exception. Nobody is listening any more, so swallow it.
      socket.addEventListener('error', ignore)
      if (socket.readyState === ReadyState.connecting || socket.readyState === ReadyState.open) closeQuietly(socket)
      // Stopped while the close handshake is still pending (a silent peer): `ws` would keep the TCP
      // connection and the process alive for 30 s; drop it. Browsers clean up on their own.
      if (socket.readyState !== ReadyState.closed) socket.terminate?.()
    }
  })
}

function transmit(socket: WebSocketLike, message: PhoenixMessage, input: SocketActorInput, send: (event: SocketEvent) => void): void {
  if (socket.readyState !== ReadyState.open) {
    // Not open yet, or closing: the connection keeps it for the next open (channels write here directly).
    send({ type: 'socket.unsent', message })
    return
  }
  try {
    const frame = encodeClientFrame(message, input.vsn)
    batchWrites(socket)
    socket.send(frame)
  } catch (error) {
    send({ type: 'socket.error', error: error instanceof RealtimeError ? error : asTransportError(error, `could not send ${message.topic} ${message.event}`) })
  }
}

function ignore(): void {}

/** The emitter side of a `ws` socket: `message` listeners get `(data, isBinary)`. */
interface NodeFrameEmitter {
  on(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown
  off(event: 'message', listener: (data: unknown, isBinary: boolean) => void): unknown
}

/**
 * Subscribes to a `ws` socket's frames as text (string) or binary (Buffer, `binaryType` nodebuffer),
 * or returns null for any other implementation. Recognised by what `ws` has and the DOM lacks: an
 * emitter `on`/`off` and a `binaryType` of `nodebuffer` (set by openWebSocket).
 */
function nodeFrames(socket: WebSocketLike, deliver: (frame: RawFrame) => void): { off: () => void } | null {
  const emitter = socket as WebSocketLike & Partial<NodeFrameEmitter>
  if (typeof emitter.on !== 'function' || typeof emitter.off !== 'function' || socket.binaryType !== 'nodebuffer') return null
  // Text frames arrive as a Buffer too: decoded as UTF-8 here, as ws's own MessageEvent path does.
  const listener = (data: unknown, isBinary: boolean): void => deliver(isBinary ? (data as RawFrame) : (data as { toString(): string }).toString())
  emitter.on('message', listener)
  return { off: () => void emitter.off!('message', listener) }
}

/** The largest refusal body read: the server's `{"error": …}` is short; a proxy's page is not needed. */
const REFUSAL_BODY_LIMIT = 4096

interface UpgradeResponse {
  statusCode?: number
  setEncoding(encoding: 'utf8'): void
  on(event: 'data', listener: (chunk: string) => void): unknown
  on(event: 'end' | 'error' | 'close', listener: () => void): unknown
}

/**
 * `ws` only: the HTTP status and body of a refused upgrade (`unexpected-response`), so a bad key (401)
 * is told apart from an outage. With a listener, `ws` leaves the handshake to us: the body is read,
 * then the socket is dropped (it reports `close` 1006 as before).
 */
function nodeRefusals(socket: WebSocketLike, report: (error: RealtimeError) => void): () => void {
  const emitter = socket as WebSocketLike & { on?: (event: string, listener: (...args: never[]) => void) => unknown; off?: (event: string, listener: (...args: never[]) => void) => unknown }
  if (typeof emitter.on !== 'function' || typeof emitter.off !== 'function') return () => {}
  const listener = (_request: unknown, response: UpgradeResponse): void => {
    let body = ''
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      report(upgradeRefusalError(response.statusCode ?? 0, body))
      socket.terminate?.()
    }
    response.setEncoding('utf8')
    response.on('data', (chunk: string) => {
      if (body.length < REFUSAL_BODY_LIMIT) body += chunk
    })
    response.on('end', finish)
    response.on('error', finish)
    response.on('close', finish)
  }
  emitter.on('unexpected-response', listener)
  return () => void emitter.off!('unexpected-response', listener)
}

function closeQuietly(socket: WebSocketLike, code?: number, reason?: string): void {
  try {
    if (code === undefined) socket.close()
    else socket.close(code, reason)
  } catch {
    // Invalid code/reason or already closing: the socket goes away either way.
  }
}

function asTransportError(cause: unknown, context: string): RealtimeError {
  if (cause instanceof RealtimeError) return cause
  return new RealtimeError('transport_error', cause === undefined ? context : `${context}: ${describe(cause)}`)
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function assertNever(value: never): never {
  throw new Error(`unexpected socket command ${JSON.stringify(value)}`)
}
