/**
 * The connection statechart: one WebSocket to Realtime, its heartbeat, its reconnects and its send
 * buffer (protocol.md §1–§3). Pure: the socket and the access-token function are named actors whose
 * defaults do no I/O; `src/connection.ts` provides the real ones.
 *
 *   closed ──connect──▶ connecting ──token──▶ socket.opening ──opened──▶ socket.open (idle ⇄ beating)
 *     ▲                    ▲                        │                         │
 *     │                    │ reconnectDelay         │ unclean close           ├ disconnect → closing.disconnecting → closed
 *     │                    │                        ▼                         └ heartbeat timeout → closing.restarting ┐
 *     └─── disconnect ─── retrying (waiting | paused) ◀────────────────────────────────────────────────────────────────┘
 *
 * `connectionState` is one of four names (`connecting | open | closing | closed`), carried as tags;
 * every move between two names is emitted (`state_change`) and told to the parent.
 */
import { assign, emit, enqueueActions, fromCallback, fromPromise, raise, sendTo, setup, stateIn, type ActorRefFrom, type SnapshotFrom } from 'xstate'
// errors.ts is pure data (no I/O): the machine builds the RealtimeErrors it reports itself.
import { RealtimeError } from '../../src/errors.js'
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'
import type {
  ConnectionEmitted,
  ConnectionEvent,
  ConnectionInput,
  ConnectionNotification,
  ConnectionStateName,
  HeartbeatStatus,
  ReconnectSchedule,
} from './contract.js'

// ── The socket actor's contract (src/transport/socket.actor.ts implements it) ─────────────────────

/** What the machine hands the socket actor when it opens a connection. */
export interface SocketActorInput {
  vsn: Vsn
  apikey: string
  /** The token resolved for this connection (a custom transport may send it, e.g. as a header). */
  token: string
  /** Every decoded inbound frame except heartbeat replies goes here, without a machine transition. */
  deliver?: (message: PhoenixMessage) => void
}

/** What the machine tells the socket actor. */
export type SocketCommand =
  | { type: 'transmit'; message: PhoenixMessage }
  /** Without a code the socket closes without a status (the peer sees 1005), as in Phoenix. */
  | { type: 'close'; code?: number; reason?: string }

/** What the socket actor tells the machine. */
export type SocketEvent =
  | { type: 'socket.opened' }
  | { type: 'socket.closed'; code: number; reason: string; wasClean: boolean }
  /** A non-fatal problem: an `error` event of the WebSocket, a malformed frame, an unencodable message. */
  | { type: 'socket.error'; error: RealtimeError }
  /** A `phx_reply` on topic `phoenix`: the answer to a heartbeat. */
  | { type: 'socket.heartbeatReply'; ref: string | null; status: string }

/**
 * Raised by the machine to itself, so that every report goes through one handler at the root that emits
 * it and notifies the parent (and a state name is announced only when it changes).
 */
export type ReportEvent =
  | { type: 'report.state'; state: ConnectionStateName }
  | { type: 'report.error'; error: RealtimeError }
  | { type: 'report.heartbeat'; status: HeartbeatStatus; rttMs?: number }

export type ConnectionMachineEvent = ConnectionEvent | SocketEvent | ReportEvent

// ── Defaults ──────────────────────────────────────────────────────────────────────────────────────

/** realtime-js's interval (protocol.md §2). */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 25_000
/**
 * How long a heartbeat may stay unanswered. Phoenix arms its own timer with the full interval; we use a
 * separate, shorter default so that a half-open connection is detected within interval + timeout (35 s).
 */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 10_000
/** How long to wait for the close handshake before giving up on it (Phoenix's teardown polls ~1.5 s). */
export const DEFAULT_CLOSE_TIMEOUT_MS = 1_500
/** How long the access-token function may take before the fallback token is used (the push timeout). */
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000
export const DEFAULT_SEND_BUFFER_SIZE = 100
/** Base delays of attempts 2, 3, 4, 5+ (attempt 1 is the quick retry); realtime-js's `RECONNECT_INTERVALS`. */
export const DEFAULT_RECONNECT_DELAYS_MS = [1000, 2000, 5000, 10_000] as const
/** The first retry after a drop waits a random 0–250 ms: fast, but spread so clients do not stampede. */
export const FIRST_RETRY_MAX_MS = 250
/** Relative jitter applied to every scheduled delay, so that many clients never reconnect in lockstep. */
export const RECONNECT_JITTER = 0.1

/**
 * The wait before reconnect attempt `attempt` (1-based: 1 is the first retry after a drop).
 * A function schedule is the caller's whole policy and is used as is (clamped at 0).
 */
export function reconnectDelayFor(attempt: number, schedule: ReconnectSchedule | undefined, random: () => number): number {
  if (typeof schedule === 'function') return Math.max(0, schedule(attempt))
  if (schedule !== undefined) {
    const base = schedule[Math.min(Math.max(attempt, 1), schedule.length) - 1] ?? 0
    return jittered(base, random)
  }
  if (attempt <= 1) return Math.round(random() * FIRST_RETRY_MAX_MS)
  const bases = DEFAULT_RECONNECT_DELAYS_MS
  return jittered(bases[Math.min(attempt - 2, bases.length - 1)] ?? 0, random)
}

function jittered(base: number, random: () => number): number {
  return Math.max(0, Math.round(base * (1 - RECONNECT_JITTER + 2 * RECONNECT_JITTER * random())))
}

// ── Context ───────────────────────────────────────────────────────────────────────────────────────

export interface ConnectionContext {
  vsn: Vsn
  apikey: string
  /** Static token, the fallback after the token function. */
  accessToken: string | null
  /** Set by `setAuth`; wins over the token function until cleared with `setAuth(null)`. */
  manualToken: string | null
  /** The token used for the current (or last) upgrade. */
  token: string
  sendBufferSize: number
  /** Messages sent while not open, oldest first. */
  buffer: PhoenixMessage[]
  /** The number of the next reconnect attempt; back to 0 once a heartbeat is answered, and after `disconnect`. */
  attempt: number
  /** The unanswered heartbeat of the current connection, reset on every open. */
  pendingHeartbeat: { ref: string; sentAt: number } | null
  /** The last state name announced, i.e. the `old` of the next `state_change`. */
  reported: ConnectionStateName
  /** The default ref counter, used when `makeRef` is not given. */
  lastRef: number
  deliver: ((message: PhoenixMessage) => void) | undefined
  reconnectDelays: ReconnectSchedule | undefined
  random: () => number
  now: () => number
  makeRef: (() => string) | undefined
}

// ── Machine ───────────────────────────────────────────────────────────────────────────────────────

const HEARTBEAT_TOPIC = 'phoenix'

/** How `disconnect` (or a heartbeat timeout) asks the socket to close. */
export type ClosingParams = { code?: number; reason?: string }

const connectionSetup = setup({
  types: {
    context: {} as ConnectionContext,
    events: {} as ConnectionMachineEvent,
    input: {} as ConnectionInput,
    emitted: {} as ConnectionEmitted,
    children: {} as { socket: 'socket'; accessToken: 'accessToken' },
    tags: {} as ConnectionStateName,
  },
  actors: {
    /** The WebSocket. Default: none — starting it fails loudly, so a forgotten `.provide()` is visible. */
    socket: fromCallback<SocketCommand, SocketActorInput>(() => {
      throw new Error('connection.machine: no socket actor provided (use createConnectionLogic() or .provide({ actors: { socket } }))')
    }),
    /** The user's access-token function. Default: no function, so the static token or the apikey is used. */
    accessToken: fromPromise<string | null>(async () => null),
  },
  delays: {
    heartbeatInterval: DEFAULT_HEARTBEAT_INTERVAL_MS,
    heartbeatTimeout: DEFAULT_HEARTBEAT_TIMEOUT_MS,
    reconnectDelay: ({ context }) => reconnectDelayFor(context.attempt, context.reconnectDelays, context.random),
    closeTimeout: DEFAULT_CLOSE_TIMEOUT_MS,
    tokenTimeout: DEFAULT_TOKEN_TIMEOUT_MS,
  },
  guards: {
    hasManualToken: ({ context }) => context.manualToken !== null,
    isToken: (_, params: { value: unknown }) => typeof params.value === 'string' && params.value.length > 0,
    isHeartbeatMessage: ({ event }) => event.type === 'send' && event.message.topic === HEARTBEAT_TOPIC && event.message.event === 'heartbeat',
    isStateChange: ({ context, event }) => event.type === 'report.state' && event.state !== context.reported,
    isPendingHeartbeat: ({ context, event }) =>
      event.type === 'socket.heartbeatReply' && context.pendingHeartbeat !== null && event.ref === context.pendingHeartbeat.ref,
    disconnectRequested: stateIn({ socket: { closing: 'disconnecting' } }),
  },
  actions: {
    /** Tell the parent (the root client actor). Safe without a parent: a standalone actor just skips it. */
    notifyParent: enqueueActions(({ self, enqueue }, params: ConnectionNotification) => {
      if (self._parent) enqueue.sendParent(params)
    }),

    // ── reporting: raise an internal `report.*` event; the root handles it (emit + notifyParent) ──
    announce: raise((_, params: { state: ConnectionStateName }) => ({ type: 'report.state' as const, state: params.state })),
    reportError: raise((_, params: { error: RealtimeError }) => ({ type: 'report.error' as const, error: params.error })),
    reportHeartbeat: raise((_, params: { status: HeartbeatStatus; rttMs?: number }) => ({ type: 'report.heartbeat' as const, ...params })),
    emitStateChange: emit((_, params: { old: ConnectionStateName; new: ConnectionStateName }) => ({
      type: 'connection' as const,
      kind: 'state_change' as const,
      ...params,
    })),
    recordState: assign({ reported: (_, params: { state: ConnectionStateName }) => params.state }),
    emitError: emit((_, params: { error: RealtimeError }) => ({ type: 'error' as const, error: params.error })),
    emitHeartbeat: emit((_, params: { status: HeartbeatStatus; rttMs?: number }) => ({
      type: 'connection' as const,
      kind: 'heartbeat' as const,
      ...heartbeatFields(params),
    })),

    // ── tokens ──
    storeManualToken: assign({ manualToken: ({ context, event }) => (event.type === 'setAuth' ? event.token : context.manualToken) }),
    useManualToken: assign({ token: ({ context }) => context.manualToken ?? context.token }),
    useToken: assign({ token: (_, params: { token: string }) => params.token }),
    /** The token function failed: the static token, then the apikey (never nothing: the apikey is required). */
    useFallbackToken: assign({ token: ({ context }) => context.accessToken || context.apikey }),

    // ── reconnect bookkeeping ──
    countAttempt: assign({ attempt: ({ context }) => context.attempt + 1 }),
    resetAttempts: assign({ attempt: 0 }),
    /** Entering `open`: a new connection owes nothing to the previous one (no stale heartbeat, no backoff). */
    // The attempt counter is NOT reset on open: a server that accepts and drops at once would otherwise
    // be retried every 0–250 ms forever. It resets once a heartbeat proves the connection works.
    resetConnectionState: assign({ pendingHeartbeat: null }),

    // ── sending ──
    transmit: enqueueActions(({ enqueue, event }) => {
      if (event.type === 'send') enqueue.sendTo('socket', { type: 'transmit', message: event.message })
    }),
    /** Keep a message for the next open; when full, drop the oldest and report it (never silently). */
    bufferMessage: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'send') return
      const buffer = [...context.buffer, event.message]
      while (buffer.length > context.sendBufferSize) {
        const dropped = buffer.shift()!
        enqueue.raise({ type: 'report.error', error: overflowError(dropped, context.sendBufferSize) })
      }
      enqueue.assign({ buffer })
    }),
    flushBuffer: enqueueActions(({ context, enqueue }) => {
      for (const message of context.buffer) enqueue.sendTo('socket', { type: 'transmit', message })
      enqueue.assign({ buffer: [] })
    }),
    closeSocket: sendTo('socket', (_, params: ClosingParams) => ({ type: 'close' as const, ...params })),

    // ── heartbeat ──
    sendHeartbeat: enqueueActions(({ context, enqueue }) => {
      const ref = context.makeRef ? context.makeRef() : String(context.lastRef + 1)
      enqueue.assign({ pendingHeartbeat: { ref, sentAt: context.now() }, lastRef: context.lastRef + 1 })
      enqueue.sendTo('socket', { type: 'transmit', message: { joinRef: null, ref, topic: HEARTBEAT_TOPIC, event: 'heartbeat', payload: {} } })
      enqueue.raise({ type: 'report.heartbeat', status: 'sent' })
    }),
    reportHeartbeatReply: enqueueActions(({ context, enqueue, event }) => {
      if (event.type !== 'socket.heartbeatReply' || context.pendingHeartbeat === null) return
      const rttMs = Math.max(0, context.now() - context.pendingHeartbeat.sentAt)
      enqueue.assign({ pendingHeartbeat: null })
      enqueue.raise({ type: 'report.heartbeat', status: event.status === 'ok' ? 'ok' : 'error', rttMs })
    }),
  },
})

function overflowError(dropped: PhoenixMessage, capacity: number): RealtimeError {
  return new RealtimeError('buffer_overflow', `send buffer full (${capacity}): dropped the oldest message (${dropped.topic} ${dropped.event})`, {
    message: dropped,
    capacity,
  })
}

function tokenError(reason: string, cause?: unknown): RealtimeError {
  const detail = cause instanceof Error ? `: ${cause.message}` : ''
  return new RealtimeError('token_fetch_failed', `access token function ${reason}${detail}; using the static token or the apikey`)
}

function socketCrashError(cause: unknown): RealtimeError {
  const detail = cause instanceof Error ? cause.message : String(cause)
  return new RealtimeError('transport_error', `could not open the WebSocket: ${detail}`)
}

const machine = connectionSetup.createMachine({
  id: 'connection',
  description: 'One WebSocket to Realtime: connect, heartbeat, reconnect with backoff, buffer while not open.',
  initial: 'closed',
  context: ({ input }) => ({
    vsn: input.vsn,
    apikey: input.apikey,
    accessToken: input.accessToken ?? null,
    manualToken: null,
    token: input.accessToken || input.apikey,
    sendBufferSize: Math.max(0, input.sendBufferSize ?? DEFAULT_SEND_BUFFER_SIZE),
    buffer: [],
    attempt: 0,
    pendingHeartbeat: null,
    reported: 'closed',
    lastRef: 0,
    deliver: input.deliver,
    reconnectDelays: input.reconnectDelays,
    random: input.random ?? Math.random,
    now: input.now ?? Date.now,
    makeRef: input.makeRef,
  }),
  on: {
    // Not open: keep it for the next open. Heartbeats are never buffered (a late one would mean nothing).
    send: [
      { guard: 'isHeartbeatMessage', actions: { type: 'reportHeartbeat', params: { status: 'disconnected' } } },
      { actions: 'bufferMessage' },
    ],
    setAuth: { actions: 'storeManualToken' },
    // Every report is emitted (actor.on) and told to the parent; a state name only when it changes.
    'report.state': {
      guard: 'isStateChange',
      actions: [
        { type: 'emitStateChange', params: ({ context, event }) => ({ old: context.reported, new: event.state }) },
        { type: 'notifyParent', params: ({ context, event }) => stateNotification(context, event) },
        { type: 'recordState', params: ({ event }) => ({ state: event.state }) },
      ],
    },
    'report.error': {
      actions: [
        { type: 'emitError', params: ({ event }) => ({ error: event.error }) },
        { type: 'notifyParent', params: ({ event }) => ({ type: 'connection.error', error: event.error }) },
      ],
    },
    'report.heartbeat': {
      actions: [
        { type: 'emitHeartbeat', params: ({ event }) => heartbeatFields(event) },
        { type: 'notifyParent', params: ({ event }) => ({ type: 'connection.heartbeat', ...heartbeatFields(event) }) },
      ],
    },
  },
  states: {
    closed: {
      description: 'Idle: not connected and not trying to. Only `connect` leaves it; `send` fills the buffer.',
      tags: 'closed',
      entry: [{ type: 'announce', params: { state: 'closed' } }, 'resetAttempts'],
      on: { connect: 'connecting' },
    },

    retrying: {
      description:
        'Reconnect wait after an unclean close (reported as `closed`). Any close not requested by `disconnect` lands here. ' +
        '`online`, `visible`, `resume` and `connect` retry at once; `disconnect` stops for good.',
      tags: 'closed',
      entry: [{ type: 'announce', params: { state: 'closed' } }, 'countAttempt'],
      initial: 'waiting',
      states: {
        waiting: {
          description: 'Backoff timer running: a random 0–250 ms, then 1, 2, 5, 10, 10 … s, each ±10 %.',
          after: { reconnectDelay: '#connection.connecting' },
          // The device says the network is gone or the app is suspended: retrying would only fail and
          // drain the battery. Wait for `online` / `resume` / `visible` instead. `hidden` does not pause:
          // a background tab should come back to a live connection (Phoenix skips retries when hidden;
          // we prefer freshness, and browsers throttle background timers anyway).
          // Signals are not remembered across states: an `offline` that arrived while open or
          // connecting does not pause a later wait (those states ignore it, see `open`).
          on: { offline: 'paused', suspend: 'paused' },
        },
        paused: {
          description: 'Offline or suspended: no timer. Waits for `online`, `visible`, `resume` or `connect`.',
        },
      },
      on: {
        connect: 'connecting',
        online: 'connecting',
        visible: 'connecting',
        resume: 'connecting',
        disconnect: 'closed',
      },
    },

    connecting: {
      description: 'Resolving the token for this upgrade: setAuth token, else the token function, else the static token, else the apikey.',
      tags: 'connecting',
      entry: { type: 'announce', params: { state: 'connecting' } },
      initial: 'choosingToken',
      states: {
        choosingToken: {
          always: [{ guard: 'hasManualToken', target: '#connection.socket', actions: 'useManualToken' }, { target: 'fetchingToken' }],
        },
        fetchingToken: {
          description: 'The access-token function runs before every upgrade; failure, no token or no answer falls back.',
          invoke: {
            src: 'accessToken',
            id: 'accessToken',
            onDone: [
              {
                guard: { type: 'isToken', params: ({ event }) => ({ value: event.output }) },
                target: '#connection.socket',
                actions: { type: 'useToken', params: ({ event }) => ({ token: event.output ?? '' }) },
              },
              { target: '#connection.socket', actions: 'useFallbackToken' },
            ],
            onError: {
              target: '#connection.socket',
              actions: ['useFallbackToken', { type: 'reportError', params: ({ event }) => ({ error: tokenError('threw', event.error) }) }],
            },
          },
          after: {
            tokenTimeout: {
              target: '#connection.socket',
              actions: ['useFallbackToken', { type: 'reportError', params: { error: tokenError('timed out') } }],
            },
          },
        },
      },
      on: { disconnect: 'closed' },
    },

    socket: {
      description: 'A WebSocket exists. An unclean close from any sub-state reconnects.',
      invoke: {
        src: 'socket',
        id: 'socket',
        input: ({ context }) => ({ vsn: context.vsn, apikey: context.apikey, token: context.token, deliver: context.deliver }),
        onError: [
          {
            guard: 'disconnectRequested',
            target: 'closed',
            actions: { type: 'reportError', params: ({ event }) => ({ error: socketCrashError(event.error) }) },
          },
          { target: 'retrying', actions: { type: 'reportError', params: ({ event }) => ({ error: socketCrashError(event.error) }) } },
        ],
      },
      on: {
        'socket.closed': 'retrying',
        'socket.error': { actions: { type: 'reportError', params: ({ event }) => ({ error: event.error }) } },
      },
      initial: 'opening',
      states: {
        opening: {
          description: 'Waiting for the WebSocket upgrade.',
          tags: 'connecting',
          entry: { type: 'announce', params: { state: 'connecting' } },
          on: {
            'socket.opened': 'open',
            disconnect: { target: 'closing', actions: { type: 'closeSocket', params: ({ event }) => closingParams(event) } },
          },
        },

        open: {
          description: 'Connected. Flushes the buffer on entry; heartbeats every `heartbeatInterval`.',
          tags: 'open',
          entry: ['resetConnectionState', { type: 'announce', params: { state: 'open' } }, 'flushBuffer'],
          on: {
            send: { actions: 'transmit' },
            disconnect: { target: 'closing', actions: { type: 'closeSocket', params: ({ event }) => closingParams(event) } },
            // `offline`, `hidden`, `suspend` while open keep the socket: these signals are unreliable
            // (VPN switches, tab switches) and a dead socket is found by the heartbeat anyway.
          },
          initial: 'idle',
          states: {
            idle: {
              description: 'One `heartbeatInterval` until the next heartbeat (the first goes one interval after open).',
              after: { heartbeatInterval: 'beating' },
              // Coming back (network, tab, app) is when a socket is most likely dead: check now.
              on: { online: 'beating', visible: 'beating', resume: 'beating' },
            },
            beating: {
              description: 'A heartbeat is out; its reply must come within `heartbeatTimeout`.',
              entry: 'sendHeartbeat',
              on: {
                'socket.heartbeatReply': { guard: 'isPendingHeartbeat', target: 'idle', actions: ['reportHeartbeatReply', 'resetAttempts'] },
              },
              after: {
                heartbeatTimeout: {
                  target: '#connection.socket.closing.restarting',
                  actions: [
                    { type: 'reportHeartbeat', params: { status: 'timeout' } },
                    { type: 'closeSocket', params: { code: 1000, reason: 'heartbeat timeout' } },
                  ],
                },
              },
            },
          },
        },

        closing: {
          description: 'Close handshake under way; given up after `closeTimeout` (a dead peer never answers).',
          tags: 'closing',
          entry: { type: 'announce', params: { state: 'closing' } },
          initial: 'disconnecting',
          states: {
            disconnecting: {
              description: 'Requested by `disconnect`: ends in `closed`, no reconnect.',
              on: { 'socket.closed': '#connection.closed', connect: 'restarting' },
              after: { closeTimeout: '#connection.closed' },
            },
            restarting: {
              description: 'After a heartbeat timeout (or `connect` during a disconnect): ends in the reconnect wait.',
              on: { 'socket.closed': '#connection.retrying', disconnect: 'disconnecting' },
              after: { closeTimeout: '#connection.retrying' },
            },
          },
        },
      },
    },
  },
})

function stateNotification(context: ConnectionContext, event: Extract<ReportEvent, { type: 'report.state' }>): ConnectionNotification {
  const notification: ConnectionNotification = { type: 'connection.state', old: context.reported, new: event.state }
  // The parent needs the token of this connection for its join payloads.
  return event.state === 'open' ? { ...notification, accessToken: context.token } : notification
}

/** `rttMs` only when measured (an absent key, not `undefined`, so the events compare cleanly). */
function heartbeatFields(report: { status: HeartbeatStatus; rttMs?: number | undefined }): { status: HeartbeatStatus; rttMs?: number } {
  return report.rttMs === undefined ? { status: report.status } : { status: report.status, rttMs: report.rttMs }
}

function closingParams(event: ConnectionMachineEvent): ClosingParams {
  if (event.type !== 'disconnect') return {}
  const params: ClosingParams = {}
  if (event.code !== undefined) params.code = event.code
  if (event.reason !== undefined) params.reason = event.reason
  return params
}

/** The connection statechart (pure). Its explicit type keeps declaration emit stable (xstate-notes §11c). */
export type ConnectionMachine = typeof machine
export const connectionMachine: ConnectionMachine = machine

export type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>
export type ConnectionActorRef = ActorRefFrom<ConnectionMachine>

const STATE_NAMES: readonly ConnectionStateName[] = ['connecting', 'open', 'closing', 'closed']

/** `connecting | open | closing | closed` of a connection snapshot (the reconnect wait reports `closed`). */
export function connectionStateOf(snapshot: Pick<ConnectionSnapshot, 'hasTag'>): ConnectionStateName {
  return STATE_NAMES.find((name) => snapshot.hasTag(name)) ?? 'closed'
}
