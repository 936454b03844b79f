/**
 * The connection actor's contract: what it accepts, what it tells its parent, what it emits, and the
 * socket actor it drives. Shared by connection.machine.ts (which implements it), the client chart
 * (which invokes it) and src/transport/socket.actor.ts (which is its socket).
 */
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'
import type { RealtimeError } from '../../src/errors.js'

export type ConnectionStateName = 'connecting' | 'open' | 'closing' | 'closed'

export type HeartbeatStatus = 'sent' | 'ok' | 'error' | 'timeout' | 'disconnected'

/** Lifecycle signals from the platform (browser online/visibility, React Native AppState, …). */
export type LifecycleSignal = 'online' | 'offline' | 'visible' | 'hidden' | 'resume' | 'suspend'

export type ConnectionEvent =
  | { type: 'connect' }
  | { type: 'disconnect'; code?: number; reason?: string }
  /** Send one message: written now when open, else kept in the send buffer (bounded). */
  | { type: 'send'; message: PhoenixMessage }
  | { type: LifecycleSignal }
  /** A token for the next upgrades (null: back to the static token / apikey). */
  | { type: 'setAuth'; token: string | null }
  /** Ask the token function for a fresh token now (a channel saw its token expire). Ignored unless open with `refreshTokens`. */
  | { type: 'refreshToken' }

/** What the connection actor tells its parent (the root client actor) through `notifyParent`. */
export type ConnectionNotification =
  | {
      type: 'connection.state'
      old: ConnectionStateName
      new: ConnectionStateName
      /** On a move to `open`: the token resolved for this connection, for join payloads. */
      accessToken?: string
    }
  | { type: 'connection.error'; error: RealtimeError }
  /** The server refused the upgrade (a `socket.rejected`): channels waiting to join learn why at once. */
  | { type: 'connection.rejected'; error: RealtimeError }
  | { type: 'connection.heartbeat'; status: HeartbeatStatus; rttMs?: number }
  /** The token function gave a fresh token while open: channels join with it and push it (`access_token`). */
  | { type: 'connection.token'; accessToken: string }

/** What the connection actor emits (actor.on): the public events of the connection. */
export type ConnectionEmitted =
  | { type: 'connection'; kind: 'state_change'; old: ConnectionStateName; new: ConnectionStateName }
  | { type: 'connection'; kind: 'heartbeat'; status: HeartbeatStatus; rttMs?: number }
  | { type: 'error'; error: RealtimeError }

/** Plain data: the actor's snapshot is JSON. Functions (a reconnect schedule function, a clock) come through `.provide()`. */
export interface ConnectionInput {
  /** A parent listens to the connection's notifications (`connection.*` events). @default false: used alone, it only emits */
  hasParent?: boolean
  /** Realtime endpoint, handed to the socket actor (src/transport/url.ts reads it). */
  url?: string
  vsn: Vsn
  /** Send buffer capacity while not open. @default 100 */
  sendBufferSize?: number
  /** Static token used when the token function fails or is absent; then the apikey. */
  accessToken?: string | null
  apikey: string
  /**
   * The `accessToken` actor is a real token function: ask it for a fresh token before the current one
   * expires (checked on every heartbeat) and when a channel sees its token expire. @default false
   */
  refreshTokens?: boolean
  /** Refresh once less than this remains before the token's `exp`. @default 60000 (the client: max(60 s, 2 heartbeat intervals)) */
  tokenRefreshMarginMs?: number
  /**
   * Reconnect schedule after an unclean close: base delays in ms (entry n-1 for attempt n, the last one
   * repeats, each jittered ±10 %). A function schedule is provided as the `reconnectDelay` delay.
   * @default quick first retry (random 0–250 ms), then 1000, 2000, 5000, 10000, 10000 … ms, each ±10 %
   */
  reconnectDelays?: readonly number[]
}

/** An array schedule (data) or a function of the attempt number (1-based), used as is. */
export type ReconnectSchedule = readonly number[] | ((attempt: number) => number)

// ── the socket actor's contract (src/transport/socket.actor.ts implements it) ──

/** What the machine hands the socket actor when it opens a connection. */
export interface SocketActorInput {
  url: string | undefined
  vsn: Vsn
  apikey: string
  /** The token resolved for this connection (a custom transport may send it, e.g. as a header). */
  token: string
}

/** What the machine tells the socket actor. */
export type SocketCommand =
  | { type: 'transmit'; message: PhoenixMessage }
  /** Without a code the socket closes without a status (the peer sees 1005), as in Phoenix. */
  | { type: 'close'; code?: number; reason?: string }

/** What the socket actor tells the machine. Inbound data frames go elsewhere (src/router.ts). */
export type SocketEvent =
  | { type: 'socket.opened' }
  | { type: 'socket.closed'; code: number; reason: string; wasClean: boolean }
  /**
   * The server answered the upgrade with an HTTP error (`ws` only: browsers cannot see it): `error` says
   * which (`unauthorized`, `token_expired` or `connection_failed`, with `metadata.status` and the
   * server's `{"error": …}` as `metadata.serverError`). A `socket.closed` follows.
   */
  | { type: 'socket.rejected'; error: RealtimeError }
  /** A non-fatal problem: an `error` event of the WebSocket, a malformed frame, an unencodable message. */
  | { type: 'socket.error'; error: RealtimeError }
  /** A `phx_reply` on topic `phoenix`: the answer to a heartbeat. */
  | { type: 'socket.heartbeatReply'; ref: string | null; status: string }
  /** A `transmit` that found the WebSocket not open (still opening, or closing): the machine keeps it in its send buffer. */
  | { type: 'socket.unsent'; message: PhoenixMessage }

export type ConnectionMachineEvent = ConnectionEvent | SocketEvent
