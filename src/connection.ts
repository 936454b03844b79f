/**
 * The connection actor with real I/O: `connectionMachine` provided with the WebSocket actor, the
 * access-token function and the timings from the options. The root client actor spawns the result.
 */
import { fromPromise, type AnyActorRef } from 'xstate'
import { connectionMachine, connectionMachineWith, type ConnectionMachine } from '../machines/connection/connection.machine.js'
import type { LifecycleSignal, ReconnectSchedule } from '../machines/connection/contract.js'
import { RealtimeError } from './errors.js'
import type { PhoenixMessage } from './protocol/types.js'
import { createSocketActor } from './transport/socket.actor.js'
import { httpBaseOf, type ServerLogLevel } from './transport/url.js'
import type { WebSocketConstructor } from './transport/websocket.js'

export interface ConnectionOptions {
  /**
   * The Realtime endpoint: a project URL (`https://<ref>.supabase.co`), `…/realtime/v1`, a Phoenix mount
   * (`ws://127.0.0.1:4000/socket`) or a full `…/websocket` URL. `http(s)` becomes `ws(s)`.
   */
  url: string
  /** Sent as `log_level`; the server accepts `info`, `warning`, `error`. @default not sent */
  logLevel?: ServerLogLevel
  /**
   * A WebSocket-compatible constructor (e.g. `ws`'s `WebSocket` or a React Native polyfill).
   * @default `globalThis.WebSocket`, else the `ws` package; neither → a `no_transport` error on connect.
   */
  transport?: WebSocketConstructor
  /**
   * Called before every WebSocket upgrade. If it throws, returns nothing or takes longer than
   * `tokenTimeoutMs`, the static `accessToken` is used, then the apikey (an `error` event with code
   * `token_fetch_failed` says so). @default none
   */
  accessTokenFn?: () => Promise<string | null | undefined> | string | null | undefined
  /**
   * Time between a heartbeat reply and the next heartbeat, in ms; the first goes one interval after open.
   * @default 25000 (realtime-js)
   */
  heartbeatIntervalMs?: number
  /**
   * How long a heartbeat may stay unanswered, in ms. Then the socket is closed (1000, "heartbeat timeout")
   * and a reconnect follows, so a silent server is detected within `heartbeatIntervalMs + heartbeatTimeoutMs`.
   * @default 10000
   */
  heartbeatTimeoutMs?: number
  /**
   * Reconnect schedule: base delays in ms (each jittered ±10 %, the last one repeats) or a function of the
   * attempt (1-based) used as is. @default random 0–250 ms, then 1000, 2000, 5000, 10000 … ms ±10 %
   */
  reconnectDelays?: ReconnectSchedule
  /** How long to wait for the close handshake before giving up on it, in ms. @default 1500 */
  closeTimeoutMs?: number
  /** How long `accessTokenFn` may take before the fallback token is used, in ms. @default 10000 */
  tokenTimeoutMs?: number
  /**
   * Wire the browser's `online`/`offline`/`visibilitychange` to the connection's lifecycle events (see
   * `wireBrowserLifecycle`). No effect outside browsers. @default true
   */
  browserLifecycle?: boolean
}

/** What the connection logic needs besides the options: where inbound frames go, and the clock. */
export interface ConnectionWiring {
  /** The router: every decoded inbound frame except heartbeat replies (with the actor system it came in). */
  deliver?: (message: PhoenixMessage, system: AnyActorRef['system'], raw?: string) => void
  /** Clock for heartbeat round trips. @default Date.now */
  now?: () => number
}

/**
 * The connection logic for these options: the chart provided with the WebSocket actor, the
 * access-token function and the timings. Replace any part again with `.provide()` (e.g. a different
 * socket actor for another runtime).
 * @throws RealtimeError `invalid_argument` for a URL that is not http(s)/ws(s).
 */
export function createConnectionLogic(options: Partial<ConnectionOptions>, wiring: ConnectionWiring = {}): ConnectionMachine {
  if (options.url !== undefined) httpBaseOf(options.url) // validates the URL now rather than on the first connect
  const { accessTokenFn, reconnectDelays } = options
  const provided = connectionMachine.provide({
    actors: {
      socket: createSocketActor({
        ...(options.url !== undefined && { url: options.url }),
        ...(options.logLevel !== undefined && { logLevel: options.logLevel }),
        ...(options.transport !== undefined && { transport: options.transport }),
        ...(wiring.deliver !== undefined && { deliver: wiring.deliver }),
      }),
      accessToken: fromPromise<string | null>(async () => (accessTokenFn ? tokenOf(await accessTokenFn()) : null)),
    },
    delays: {
      ...(options.heartbeatIntervalMs !== undefined && { heartbeatInterval: options.heartbeatIntervalMs }),
      ...(options.heartbeatTimeoutMs !== undefined && { heartbeatTimeout: options.heartbeatTimeoutMs }),
      ...(options.closeTimeoutMs !== undefined && { closeTimeout: options.closeTimeoutMs }),
      ...(options.tokenTimeoutMs !== undefined && { tokenTimeout: options.tokenTimeoutMs }),
    },
  })
  return connectionMachineWith(provided, {
    ...(wiring.now !== undefined && { now: wiring.now }),
    ...(typeof reconnectDelays === 'function' && { reconnectDelays }),
  })
}

/**
 * The function's answer as a token. Anything but a non-empty string is a failure (reported as
 * `token_fetch_failed`, then the fallback), not a silent fallback: a session that lost its token is
 * something the app wants to know.
 */
function tokenOf(value: unknown): string {
  if (typeof value === 'string' && value.length > 0) return value
  const what = value === null ? 'null' : value === '' ? 'an empty string' : typeof value === 'object' ? 'an object' : typeof value
  throw new RealtimeError('token_fetch_failed', `returned ${what} instead of a token`)
}

interface LifecycleTarget {
  addEventListener(type: string, listener: () => void): void
  removeEventListener(type: string, listener: () => void): void
}

export interface BrowserEnvironment {
  window?: LifecycleTarget
  document?: LifecycleTarget & { visibilityState?: string }
}

/**
 * Forward the browser's `online`, `offline` and `visibilitychange` events to `send` as lifecycle
 * events. Returns a disposer (idempotent). Does nothing — and returns a no-op — outside browsers or
 * when `options.browserLifecycle` is false.
 */
export function wireBrowserLifecycle(
  send: (event: { type: LifecycleSignal }) => void,
  options: Pick<ConnectionOptions, 'browserLifecycle'> = {},
  environment: BrowserEnvironment = globalThis as BrowserEnvironment,
): () => void {
  const { window: win, document: doc } = environment
  if (options.browserLifecycle === false || !win || !doc) return () => {}
  const online = (): void => send({ type: 'online' })
  const offline = (): void => send({ type: 'offline' })
  const visibility = (): void => send({ type: doc.visibilityState === 'hidden' ? 'hidden' : 'visible' })
  win.addEventListener('online', online)
  win.addEventListener('offline', offline)
  doc.addEventListener('visibilitychange', visibility)
  let disposed = false
  return () => {
    if (disposed) return
    disposed = true
    win.removeEventListener('online', online)
    win.removeEventListener('offline', offline)
    doc.removeEventListener('visibilitychange', visibility)
  }
}
