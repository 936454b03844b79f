/**
 * Which WebSocket implementation the client uses. Explicit order, no silent guessing:
 * the `transport` option, else `globalThis.WebSocket` (browsers, Deno, Bun, Node ≥ 22), else the
 * `ws` package (Node 20 has no global WebSocket). The built package imports `ws` as `#ws`
 * (package.json `imports`, build.mjs): `ws` under the `node` condition, elsewhere (browser bundles)
 * `globalThis.WebSocket`, so no app bundles `ws`.
 */
import NodeWebSocket from 'ws'
import { RealtimeError } from '../errors.js'

/** The part of an event the socket actor reads; DOM events and `ws` events both fit. */
export interface SocketEventLike {
  type: string
  data?: unknown
  code?: number
  reason?: string
  wasClean?: boolean
  message?: string
  error?: unknown
}

export type SocketEventType = 'open' | 'close' | 'error' | 'message'

/** The subset of the WebSocket API the client relies on (the DOM `WebSocket` and `ws` both satisfy it). */
export interface WebSocketLike {
  readonly readyState: number
  binaryType: string
  send(data: string | ArrayBufferLike | ArrayBufferView): void
  close(code?: number, reason?: string): void
  addEventListener(type: SocketEventType, listener: (event: SocketEventLike) => void): void
  removeEventListener(type: SocketEventType, listener: (event: SocketEventLike) => void): void
  /** `ws` only: drop the TCP connection without the close handshake. */
  terminate?: () => void
}

/** A WebSocket-compatible constructor: `WebSocket`, `ws`'s `WebSocket`, or a test double. */
export type WebSocketConstructor = new (url: string) => WebSocketLike

/** `readyState` values, identical in every implementation. */
export const ReadyState = { connecting: 0, open: 1, closing: 2, closed: 3 } as const

/**
 * @throws RealtimeError `no_transport` when no implementation exists (a browser bundle in an
 *   environment without `WebSocket`, and no `transport` option).
 */
export function resolveWebSocket(transport?: WebSocketConstructor): WebSocketConstructor {
  if (transport) return transport
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket
  if (typeof global === 'function') return global
  // Outside Node `#ws` is `globalThis.WebSocket`, possibly undefined: hence the check despite the type.
  const fallback = NodeWebSocket as WebSocketConstructor | undefined
  if (typeof fallback === 'function') return fallback
  throw new RealtimeError('no_transport', 'no WebSocket implementation: pass the `transport` option (e.g. the `ws` package)')
}

/**
 * Open a socket whose binary frames arrive as something the codec decodes without a copy: a Node
 * `Buffer` where the implementation offers it (`binaryType = 'nodebuffer'`, the `ws` package), else an
 * ArrayBuffer. Under `'arraybuffer'`, `ws` copies every binary frame into a fresh ArrayBuffer (its
 * frames are views into the socket's receive buffer); with `'nodebuffer'` the decoder reads that view
 * directly, and frames are decoded synchronously, before `ws` reuses the memory. Users still get
 * ArrayBuffers: the codec copies raw binary payloads out (protocol/binary.ts `copyOut`).
 *
 * Detected by the setter, not by identity with our `ws` import, so another copy of `ws` passed as
 * `transport` benefits too: `ws` keeps a value it knows, browsers ignore one they do not, and undici
 * (Node's global WebSocket) falls back to `'blob'` — both of which read back as something else.
 */
export function openWebSocket(Constructor: WebSocketConstructor, url: string): WebSocketLike {
  const socket = new Constructor(url)
  socket.binaryType = 'nodebuffer'
  if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer'
  return socket
}
