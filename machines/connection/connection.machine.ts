/**
 * The connection statechart: one WebSocket to Realtime, its heartbeat, its reconnects and its send
 * buffer (protocol.md §1–§3). Pure: the socket and the access-token function are named actors
 * (setup.ts) that `src/` provides.
 *
 *   closed ──connect──▶ connecting ──token──▶ socket.opening ──opened──▶ socket.open (idle ⇄ beating)
 *     ▲                    ▲                        │                         │
 *     │                    │ reconnectDelay         │ unclean close           ├ disconnect → closing.disconnecting → closed
 *     │                    │                        ▼                         └ heartbeat timeout → closing.restarting ┐
 *     └─── disconnect ─── retrying (waiting | paused) ◀────────────────────────────────────────────────────────────────┘
 *
 * While open, two regions: `heartbeat` (idle ⇄ beating) and `token` (current ⇄ refreshing): with a token
 * function, a token that expires within the margin is replaced, checked on every heartbeat
 * (token-policy.ts), and the root pushes the fresh one to every joined channel.
 *
 * `connectionState` is one of four names (`connecting | open | closing | closed`), carried as tags;
 * every transition between two names announces the move (`announce`, emitted as `state_change` and
 * told to the parent).
 */
import { assign, type ActorRefFrom, type SnapshotFrom } from 'xstate'
import { SOCKET_SYSTEM_ID } from '../system-ids.js'
import type { ConnectionStateName } from './contract.js'
import { reconnectDelayFor } from './reconnect-policy.js'
import { MIN_TOKEN_REFRESH_MARGIN_MS, tokenNeedsRefresh } from './token-policy.js'
import { connectionSetup, DEFAULT_SEND_BUFFER_SIZE, socketCrashError, tokenError, type ClosingParams, type ConnectionContext } from './setup.js'

function announce(from: ConnectionStateName, to: ConnectionStateName) {
  return { type: 'announce', params: { old: from, new: to } } as const
}

function closeWith({ event }: { event: { type: string; code?: number; reason?: string } }): ClosingParams {
  const params: ClosingParams = {}
  if (event.type !== 'disconnect') return params
  if (event.code !== undefined) params.code = event.code
  if (event.reason !== undefined) params.reason = event.reason
  return params
}

const crashed = { type: 'reportError', params: ({ event }: { event: { error?: unknown } }) => ({ error: socketCrashError(event.error) }) } as const

/** A frame that cannot go out now: buffered for the next open, except a heartbeat (reported as disconnected). */
const keepForNextOpen = [{ guard: 'isHeartbeatMessage', actions: { type: 'reportHeartbeat', params: { status: 'disconnected' } } }, { actions: 'bufferMessage' }] as const

const machine = connectionSetup.createMachine({
  id: 'connection',
  description: 'One WebSocket to Realtime: connect, heartbeat, reconnect with backoff, buffer while not open.',
  initial: 'closed',
  context: ({ input }): ConnectionContext => ({
    hasParent: input.hasParent ?? false,
    url: input.url,
    vsn: input.vsn,
    apikey: input.apikey,
    accessToken: input.accessToken ?? null,
    manualToken: null,
    token: input.accessToken || input.apikey,
    refreshTokens: input.refreshTokens ?? false,
    tokenRefreshMarginMs: input.tokenRefreshMarginMs ?? MIN_TOKEN_REFRESH_MARGIN_MS,
    sendBufferSize: Math.max(0, input.sendBufferSize ?? DEFAULT_SEND_BUFFER_SIZE),
    buffer: [],
    attempt: 0,
    reconnectDelays: input.reconnectDelays ?? null,
    heartbeatSeq: 0,
    heartbeatRef: null,
    heartbeatSentAt: 0,
    lastRttMs: null,
  }),
  on: {
    // Not open: keep it for the next open. Heartbeats are never buffered (a late one would mean nothing).
    send: keepForNextOpen,
    // A frame the socket could not write (it was not open yet, or closing any more): kept the same way, even
    // while `open` (the close is on its way; the buffer goes out on the next open).
    'socket.unsent': keepForNextOpen,
    setAuth: { actions: 'storeManualToken' },
  },
  states: {
    closed: {
      description: 'Idle: not connected and not trying to. Only `connect` leaves it; `send` fills the buffer.',
      tags: 'closed',
      entry: 'resetAttempts',
      on: { connect: { target: 'connecting', actions: announce('closed', 'connecting') } },
    },

    retrying: {
      description:
        'Reconnect wait after an unclean close (reported as `closed`). `online`, `visible`, `resume` and `connect` retry at once; `disconnect` stops for good.',
      tags: 'closed',
      entry: 'countAttempt',
      initial: 'waiting',
      states: {
        waiting: {
          description: 'Backoff timer running: a random 0–250 ms, then 1, 2, 5, 10, 10 … s, each ±10 %.',
          after: { reconnectDelay: { target: '#connection.connecting', actions: announce('closed', 'connecting') } },
          // The device says the network is gone or the app is suspended: retrying would only fail and drain
          // the battery. `hidden` does not pause: a background tab should come back to a live connection.
          on: { offline: 'paused', suspend: 'paused' },
        },
        paused: {
          description: 'Offline or suspended: no timer. Waits for `online`, `visible`, `resume` or `connect`.',
        },
      },
      on: {
        connect: { target: 'connecting', actions: announce('closed', 'connecting') },
        online: { target: 'connecting', actions: announce('closed', 'connecting') },
        visible: { target: 'connecting', actions: announce('closed', 'connecting') },
        resume: { target: 'connecting', actions: announce('closed', 'connecting') },
        disconnect: 'closed',
      },
    },

    connecting: {
      description: 'Resolving the token for this upgrade: setAuth token, else the token function, else the static token, else the apikey.',
      tags: 'connecting',
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
            tokenTimeout: { target: '#connection.socket', actions: ['useFallbackToken', { type: 'reportError', params: { error: tokenError('timed out') } }] },
          },
        },
      },
      on: { disconnect: { target: 'closed', actions: announce('connecting', 'closed') } },
    },

    socket: {
      description: 'A WebSocket exists. An unclean close or a crash of the socket actor reconnects, unless a disconnect was asked for.',
      invoke: {
        src: 'socket',
        id: 'socket',
        // Channels write to it directly while it exists (`transmit`); what it cannot write comes back as `socket.unsent`.
        systemId: SOCKET_SYSTEM_ID,
        input: ({ context }) => ({ url: context.url, vsn: context.vsn, apikey: context.apikey, token: context.token }),
        onError: [
          { guard: 'noSocketActor', target: 'closed', actions: [crashed, announce('connecting', 'closed')] },
          { guard: 'whileOpening', target: 'retrying', actions: [crashed, announce('connecting', 'closed')] },
          { guard: 'whileOpen', target: 'retrying', actions: [crashed, announce('open', 'closed')] },
          { guard: 'whileDisconnecting', target: 'closed', actions: [crashed, announce('closing', 'closed')] },
          { target: 'retrying', actions: [crashed, announce('closing', 'closed')] },
        ],
      },
      on: {
        'socket.error': { actions: { type: 'reportError', params: ({ event }) => ({ error: event.error }) } },
        // A 401/403 (or other HTTP error) to the upgrade: reported as such, and channels waiting to join stop waiting.
        'socket.rejected': { actions: { type: 'reportRejection', params: ({ event }) => ({ error: event.error }) } },
      },
      initial: 'opening',
      states: {
        opening: {
          description: 'Waiting for the WebSocket upgrade.',
          tags: 'connecting',
          on: {
            // What waited goes out before the open is announced: channels then write to the socket directly.
            'socket.opened': { target: 'open', actions: ['flushBuffer', announce('connecting', 'open')] },
            'socket.closed': { target: '#connection.retrying', actions: announce('connecting', 'closed') },
            disconnect: { target: 'closing', actions: [{ type: 'closeSocket', params: closeWith }, announce('connecting', 'closing')] },
          },
        },

        open: {
          description: 'Connected (the buffer was flushed on the way in). Heartbeats every `heartbeatInterval`; rotates the token before it expires.',
          tags: 'open',
          type: 'parallel',
          entry: 'forgetHeartbeat',
          on: {
            send: { actions: 'transmit' },
            'socket.closed': { target: '#connection.retrying', actions: announce('open', 'closed') },
            disconnect: { target: 'closing', actions: [{ type: 'closeSocket', params: closeWith }, announce('open', 'closing')] },
            // `offline`, `hidden`, `suspend` keep the socket: these signals are unreliable (VPN switches,
            // tab switches) and a dead socket is found by the heartbeat anyway.
          },
          states: {
            heartbeat: {
              initial: 'idle',
              states: {
                idle: {
                  description: 'One `heartbeatInterval` until the next heartbeat (the first goes one interval after open).',
                  // The token is checked with every heartbeat, so never more than once per interval (token-policy.ts).
                  after: { heartbeatInterval: [{ guard: 'tokenExpiring', target: 'beating', actions: 'requestRefresh' }, { target: 'beating' }] },
                  // Coming back (network, tab, app) is when a socket is most likely dead: check now.
                  on: { online: 'beating', visible: 'beating', resume: 'beating' },
                },
                beating: {
                  description: 'A heartbeat is out; its reply must come within `heartbeatTimeout`.',
                  entry: ['sendHeartbeat', 'stampHeartbeat', { type: 'reportHeartbeat', params: { status: 'sent' } }],
                  on: {
                    'socket.heartbeatReply': {
                      guard: 'isPendingHeartbeat',
                      target: 'idle',
                      actions: ['measureHeartbeat', 'forgetHeartbeat', { type: 'reportHeartbeat', params: ({ event }) => ({ status: event.status === 'ok' ? 'ok' : 'error' }) }, 'resetAttempts'],
                    },
                  },
                  after: {
                    heartbeatTimeout: {
                      target: '#connection.socket.closing.restarting',
                      actions: [
                        { type: 'reportHeartbeat', params: { status: 'timeout' } },
                        { type: 'closeSocket', params: { code: 1000, reason: 'heartbeat timeout' } },
                        announce('open', 'closing'),
                      ],
                    },
                  },
                },
              },
            },
            token: {
              description: 'Rotation: the token function is asked for a fresh token before expiry (or when a channel saw it expire).',
              initial: 'current',
              states: {
                current: { on: { refreshToken: { guard: 'refreshesTokens', target: 'refreshing' } } },
                refreshing: {
                  invoke: {
                    src: 'accessToken',
                    id: 'refreshToken',
                    onDone: [
                      {
                        guard: { type: 'isFreshToken', params: ({ event }) => ({ value: event.output }) },
                        target: 'current',
                        actions: [{ type: 'useToken', params: ({ event }) => ({ token: event.output ?? '' }) }, 'announceToken'],
                      },
                      // The same token again: nothing to push; the next heartbeat asks again.
                      { target: 'current' },
                    ],
                    onError: { target: 'current', actions: { type: 'reportError', params: ({ event }) => ({ error: tokenError('threw', event.error) }) } },
                  },
                  after: { tokenTimeout: { target: 'current', actions: { type: 'reportError', params: { error: tokenError('timed out') } } } },
                },
              },
            },
          },
        },

        closing: {
          description: 'Close handshake under way; given up after `closeTimeout` (a dead peer never answers).',
          tags: 'closing',
          initial: 'disconnecting',
          states: {
            disconnecting: {
              description: 'Requested by `disconnect`: ends in `closed`, no reconnect.',
              on: {
                'socket.closed': { target: '#connection.closed', actions: announce('closing', 'closed') },
                connect: 'restarting',
              },
              after: { closeTimeout: { target: '#connection.closed', actions: announce('closing', 'closed') } },
            },
            restarting: {
              description: 'After a heartbeat timeout (or `connect` during a disconnect): ends in the reconnect wait.',
              on: {
                'socket.closed': { target: '#connection.retrying', actions: announce('closing', 'closed') },
                disconnect: 'disconnecting',
              },
              after: { closeTimeout: { target: '#connection.retrying', actions: announce('closing', 'closed') } },
            },
          },
        },
      },
    },
  },
})

/** The connection statechart (pure). Its explicit type keeps declaration emit stable (xstate-notes §11c). */
export type ConnectionMachine = typeof machine
export const connectionMachine: ConnectionMachine = machine
export type ConnectionSnapshot = SnapshotFrom<ConnectionMachine>
export type ConnectionActorRef = ActorRefFrom<ConnectionMachine>

export interface ConnectionEnvironment {
  /** Clock for heartbeat round trips, in ms. @default Date.now */
  now?: () => number
  /** Randomness of the reconnect jitter, in [0, 1). @default Math.random */
  random?: () => number
  /** A function schedule replaces the chart's array schedule. */
  reconnectDelays?: (attempt: number) => number
}

/** The chart with another clock, randomness or schedule function (tests: the simulated clock). */
export function connectionMachineWith(machineToProvide: ConnectionMachine, environment: ConnectionEnvironment): ConnectionMachine {
  const { now, random, reconnectDelays } = environment
  return machineToProvide.provide({
    ...((random !== undefined || reconnectDelays !== undefined) && {
      delays: {
        reconnectDelay: ({ context }) => reconnectDelayFor(context.attempt, reconnectDelays ?? context.reconnectDelays ?? undefined, random ?? Math.random),
      },
    }),
    ...(now !== undefined && {
      guards: {
        tokenExpiring: ({ context }) => context.refreshTokens && context.manualToken === null && tokenNeedsRefresh(context.token, now(), context.tokenRefreshMarginMs),
      },
      actions: {
        stampHeartbeat: assign({ heartbeatSentAt: () => now() }),
        measureHeartbeat: assign(({ context }) => ({ lastRttMs: Math.max(0, now() - context.heartbeatSentAt) })),
      },
    }),
  })
}

const STATE_NAMES: readonly ConnectionStateName[] = ['connecting', 'open', 'closing', 'closed']

/** `connecting | open | closing | closed` of a connection snapshot (the reconnect wait reports `closed`). */
export function connectionStateOf(snapshot: Pick<ConnectionSnapshot, 'hasTag'>): ConnectionStateName {
  return STATE_NAMES.find((name) => snapshot.hasTag(name)) ?? 'closed'
}
