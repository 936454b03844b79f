/**
 * The named actors, actions, guards and delays of the connection chart (connection.machine.ts).
 * Pure: the socket and the access-token function are actors whose defaults do no I/O; the clock
 * (heartbeat round trips) and the jitter's randomness are provided by `connectionMachineWith`.
 */
import { assign, enqueueActions, fromCallback, fromPromise, raise, sendTo, setup, stateIn } from 'xstate'
import { RealtimeError } from '../../src/errors.js'
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'
import type {
  ConnectionEmitted,
  ConnectionInput,
  ConnectionMachineEvent,
  ConnectionNotification,
  ConnectionStateName,
  HeartbeatStatus,
  SocketActorInput,
  SocketCommand,
} from './contract.js'
import { reconnectDelayFor } from './reconnect-policy.js'
import { MIN_TOKEN_REFRESH_MARGIN_MS, tokenNeedsRefresh } from './token-policy.js'

/** realtime-js's interval (protocol.md §2). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 25_000
/**
 * How long a heartbeat may stay unanswered. Phoenix arms its own timer with the full interval; a
 * shorter default finds a half-open connection within interval + timeout (35 s).
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000
/** How long to wait for the close handshake before giving up on it (Phoenix's teardown polls ~1.5 s). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1_500
/** How long the access-token function may take before the fallback token is used. */
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000
export const DEFAULT_SEND_BUFFER_SIZE = 100

export const HEARTBEAT_TOPIC = 'phoenix'

/** Plain data: `JSON.stringify(snapshot)` works. */
export interface ConnectionContext {
  /** Whether a parent listens to `notifyParent` (the client chart says so in the input). */
  hasParent: boolean
  url: string | undefined
  vsn: Vsn
  apikey: string
  /** Static token, the fallback after the token function. */
  accessToken: string | null
  /** Set by `setAuth`; wins over the token function until cleared with `setAuth(null)`. */
  manualToken: string | null
  /** The token used for the current (or last) upgrade, or the fresh one the token function gave since. */
  token: string
  /** The token function may be asked for fresh tokens while open (rotation, expiry). */
  refreshTokens: boolean
  tokenRefreshMarginMs: number
  sendBufferSize: number
  /** Messages sent while not open, oldest first. */
  buffer: PhoenixMessage[]
  /** The number of the next reconnect attempt; back to 0 once a heartbeat is answered, and after `disconnect`. */
  attempt: number
  reconnectDelays: readonly number[] | null
  /** The last heartbeat ref made; heartbeats have their own sequence on topic `phoenix`. */
  heartbeatSeq: number
  /** The unanswered heartbeat of the current connection (null: none). */
  heartbeatRef: string | null
  heartbeatSentAt: number
  /** The round trip of the last answered heartbeat. */
  lastRttMs: number | null
}

/** How `disconnect` (or a heartbeat timeout) asks the socket to close. */
export type ClosingParams = { code?: number; reason?: string }

function overflowError(dropped: PhoenixMessage, capacity: number): RealtimeError {
  return new RealtimeError('buffer_overflow', `send buffer full (${capacity}): dropped the oldest message (${dropped.topic} ${dropped.event})`, {
    message: dropped,
    capacity,
  })
}

export function tokenError(reason: string, cause?: unknown): RealtimeError {
  // The provided actor says what was wrong with an answer that was not a token (src/connection.ts).
  if (cause instanceof RealtimeError && cause.code === 'token_fetch_failed') reason = cause.message
  else if (cause instanceof Error) reason = `${reason}: ${cause.message}`
  return new RealtimeError('token_fetch_failed', `access token function ${reason}; using the static token or the apikey`)
}

export function socketCrashError(cause: unknown): RealtimeError {
  if (cause instanceof RealtimeError && cause.code === 'no_transport') return cause
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new RealtimeError('transport_error', `could not open the WebSocket: ${detail}`)
}

/** `rttMs` only when measured (an absent key, not `undefined`, so the events compare cleanly). */
function heartbeatFields(status: HeartbeatStatus, rttMs: number | null): { status: HeartbeatStatus; rttMs?: number } {
  return rttMs === null ? { status } : { status, rttMs }
}

export const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionMachineEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionEmitted,
    children: {} as { socket: 'socket'; accessToken: 'accessToken'; refreshToken: 'accessToken' },
    tags: {} as ConnectionStateName,
  },
  actors: {
    /** The WebSocket. Default: none — starting it fails loudly, so a forgotten `.provide()` is visible. */
    socket: fromCallback<SocketCommand, SocketActorInput>(() => {
      throw new RealtimeError('no_transport', 'connection chart: no socket actor provided (use createRealtimeLogic() from realtime-xstate, or .provide({ actors: { socket } }))')
    }),
    /** The user's access-token function. Default: no function, so the static token or the apikey is used. */
    accessToken: fromPromise<string | null>(async () => null),
  },
  delays: {
    heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT_MS,
    reconnectDelay: ({ context }) => reconnectDelayFor(context.attempt, context.reconnectDelays ?? undefined, Math.random),
    closeTimeout: DEFAULT_CLOSE_TIMEOUT_MS,
    tokenTimeout: DEFAULT_TOKEN_TIMEOUT_MS,
  },
  guards: {
    hasManualToken: ({ context }) => context.manualToken !== null,
    /** A token function to ask, and no `setAuth` token overriding it. */
    refreshesTokens: ({ context }) => context.refreshTokens && context.manualToken === null,
    /** Checked on each heartbeat: the token runs out within the margin (`connectionMachineWith({ now })` gives the clock). */
    tokenExpiring: ({ context }) => context.refreshTokens && context.manualToken === null && tokenNeedsRefresh(context.token, Date.now(), context.tokenRefreshMarginMs),
    isFreshToken: ({ context }, params: { value: unknown }) => typeof params.value === 'string' && params.value.length > 0 && params.value !== context.token,
    isToken: (_, params: { value: unknown }) => typeof params.value === 'string' && params.value.length > 0,
    isHeartbeatMessage: ({ event }) => (event.type === 'send' || event.type === 'socket.unsent') && event.message.topic === HEARTBEAT_TOPIC && event.message.event === 'heartbeat',
    /** Nothing to retry with: the chart runs without a socket actor (a forgotten `.provide()`). */
    noSocketActor: ({ event }) => 'error' in event && event.error instanceof RealtimeError && event.error.code === 'no_transport',
    whileOpening: stateIn({ socket: 'opening' }),
    whileOpen: stateIn({ socket: 'open' }),
    whileDisconnecting: stateIn({ socket: { closing: 'disconnecting' } }),
    isPendingHeartbeat: ({ context, event }) => event.type === 'socket.heartbeatReply' && event.ref !== null && event.ref === context.heartbeatRef,
  },
  actions: {
    /** Tell the parent (the root client actor), when the input says there is one listening. */
    notifyParent: enqueueActions(({ context, enqueue }, params: ConnectionNotification) => {
      if (context.hasParent) enqueue.sendParent(params)
    }),

    // ── reports: emitted (actor.on) and told to the parent ──
    announce: enqueueActions(({ context, enqueue }, params: { old: ConnectionStateName; new: ConnectionStateName }) => {
      enqueue.emit({ type: 'connection', kind: 'state_change', old: params.old, new: params.new })
      // The parent needs the token of this connection for its join payloads.
      const notification: ConnectionNotification = { type: 'connection.state', old: params.old, new: params.new }
      enqueue({ type: 'notifyParent', params: params.new === 'open' ? { ...notification, accessToken: context.token } : notification } as never)
    }),
    reportError: enqueueActions(({ enqueue }, params: { error: RealtimeError }) => {
      enqueue.emit({ type: 'error', error: params.error })
      enqueue({ type: 'notifyParent', params: { type: 'connection.error', error: params.error } } as never)
    }),
    reportRejection: enqueueActions(({ enqueue }, params: { error: RealtimeError }) => {
      enqueue.emit({ type: 'error', error: params.error })
      enqueue({ type: 'notifyParent', params: { type: 'connection.rejected', error: params.error } } as never)
    }),
    reportHeartbeat: enqueueActions(({ context, enqueue }, params: { status: HeartbeatStatus }) => {
      const fields = heartbeatFields(params.status, params.status === 'ok' || params.status === 'error' ? context.lastRttMs : null)
      enqueue.emit({ type: 'connection', kind: 'heartbeat', ...fields })
      enqueue({ type: 'notifyParent', params: { type: 'connection.heartbeat', ...fields } } as never)
    }),

    // ── tokens ──
    storeManualToken: assign(({ event }) => (event.type === 'setAuth' ? { manualToken: event.token } : {})),
    useManualToken: assign(({ context }) => ({ token: context.manualToken ?? context.token })),
    useToken: assign((_, params: { token: string }) => ({ token: params.token })),
    /** The token runs out soon: the `token` region asks the token function (the same request a channel makes). */
    requestRefresh: raise({ type: 'refreshToken' }),
    /** The parent (the root) hands a fresh token to every channel: joined ones push it (`access_token`). */
    announceToken: enqueueActions(({ context, enqueue }) => {
      enqueue({ type: 'notifyParent', params: { type: 'connection.token', accessToken: context.token } } as never)
    }),
    /** The token function failed: the static token, then the apikey (never nothing: the apikey is required). */
    useFallbackToken: assign(({ context }) => ({ token: context.accessToken || context.apikey })),

    // ── reconnect bookkeeping ──
    countAttempt: assign(({ context }) => ({ attempt: context.attempt + 1 })),
    // Not reset on open: a server that accepts and drops at once would otherwise be retried every
    // 0–250 ms forever. It resets once a heartbeat proves the connection works, and on `disconnect`.
    resetAttempts: assign({ attempt: 0 }),
    /** A new connection owes nothing to the previous one: no heartbeat outstanding. */
    forgetHeartbeat: assign({ heartbeatRef: null }),

    // ── sending ──
    /** One `send` out to the socket (only `socket.open` handles `send` with it). */
    transmit: sendTo('socket', ({ event }) => ({ type: 'transmit' as const, message: (event as Extract<ConnectionMachineEvent, { type: 'send' }>).message })),
    /** Keep a message for the next open; when full, drop the oldest and report it (never silently). */
    bufferMessage: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'send' && event.type !== 'socket.unsent') return
      const buffer = [...context.buffer, event.message]
      while (buffer.length > context.sendBufferSize) {
        const dropped = buffer.shift()!
        enqueue({ type: 'reportError', params: { error: overflowError(dropped, context.sendBufferSize) } } as never)
      }
      enqueue.assign({ buffer })
    }),
    flushBuffer: enqueueActions(({ context, enqueue }) => {
      if (context.buffer.length === 0) return
      for (const message of context.buffer) enqueue.sendTo('socket', { type: 'transmit', message })
      enqueue.assign({ buffer: [] })
    }),
    closeSocket: sendTo('socket', (_, params: ClosingParams) => ({ type: 'close' as const, ...params })),

    // ── heartbeat ──
    sendHeartbeat: enqueueActions(({ context, enqueue }) => {
      const ref = String(context.heartbeatSeq + 1)
      enqueue.assign({ heartbeatRef: ref, heartbeatSeq: context.heartbeatSeq + 1 })
      enqueue.sendTo('socket', { type: 'transmit', message: { joinRef: null, ref, topic: HEARTBEAT_TOPIC, event: 'heartbeat', payload: {} } })
    }),
    // The two actions that read a clock (`connectionMachineWith({ now })` provides another one).
    stampHeartbeat: assign({ heartbeatSentAt: () => Date.now() }),
    measureHeartbeat: assign(({ context }) => ({ lastRttMs: Math.max(0, Date.now() - context.heartbeatSentAt) })),
  },
})
