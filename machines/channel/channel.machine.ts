/**
 * One Realtime channel (one topic) as a statechart:
 *
 *   closed → joining → joined → leaving → closed, errored → (rejoin backoff) → joining
 *
 * Whether the socket is open is a state too: `closed.offline | closed.online`, `joining.waitingForSocket
 * | joining.sending`, `errored.waitingForSocket | errored.backoff`, `errored.halted.offline |
 * errored.halted.online`; `joined` and `leaving` exist only on an open socket. (One chart rather than a
 * parallel `socket` region: XState evaluates every region on every event, which made each channel's
 * join and rejoin ~40 % dearer.)
 *
 * Lifecycle frames arrive classified (`JOIN_OK`, `JOIN_ERROR`, `REPLY`, `SERVER_CLOSE`,
 * `SERVER_ERROR`, `SYSTEM`); broadcasts, presence and postgres changes never enter this machine (the
 * router hands them to listeners). Every move between two state names is announced (`state_change`)
 * on the transition that makes it. Timers are named delays: `joinTimeout`, `rejoinDelay`, `pushTimeout`.
 */
import { assign, enqueueActions, type ActorRefFrom, type SnapshotFrom } from 'xstate'
import { DEFAULT_CHANNEL_BUFFER_SIZE, DEFAULT_REJOIN_DELAYS, DEFAULT_TIMEOUT_MS, channelConfig, type ChannelStateName } from './contract.js'
import { abandonJoinFrames, commandFrames, joinFrames, tokenFrames } from './frames.js'
import { channelSetup, gapEnds } from './setup.js'

/** A new channel's empty lists, shared by every channel (frozen: the chart only ever replaces them). */
const NONE: readonly never[] = Object.freeze([])

/** `announce` with the move it makes: the chart says which names each transition goes between. (A move to `closed` also tells the parent: `notifyClosed`.) */
function announce(from: ChannelStateName, to: ChannelStateName) {
  return { type: 'announce', params: { old: from, new: to } } as const
}

function fail(why: 'joinTimeout' | 'joinError' | 'bindingsMismatch' | 'serverError' | 'socketLoss' | 'leaveTimeout' | 'serverClose' | 'socketRejected' | 'tokenExpired' | 'staleToken') {
  return { type: 'fail', params: { why } } as const
}

function reject(state: ChannelStateName) {
  return { type: 'rejectPush', params: { state } } as const
}

const machine = channelSetup.createMachine({
  id: 'channel',
  context: ({ input }) => ({
    hasParent: input.hasParent ?? false,
    topic: input.topic,
    config: channelConfig(input.config),
    accessToken: input.accessToken ?? null,
    refreshTokens: input.refreshTokens ?? false,
    joinRef: null,
    bindingIds: NONE,
    refSeq: 0,
    attempts: 0,
    buffer: NONE,
    inFlight: NONE,
    tracked: null,
    error: null,
    gapSince: null,
    joinTimeoutMs: null,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rejoinDelays: input.rejoinDelays ?? DEFAULT_REJOIN_DELAYS,
    bufferSize: input.bufferSize ?? DEFAULT_CHANNEL_BUFFER_SIZE,
  }),
  initial: 'closed',
  on: {
    'push.expired': { actions: 'expirePush' },
    configure: { actions: 'configure' },
    setAuth: { actions: 'updateToken' },
    SYSTEM: { actions: 'emitSystem' },
    // Only a joined channel loses anything: elsewhere it is reported as the system message it is.
    TOKEN_EXPIRED: { actions: 'emitSystem' },
    REPLY: { actions: 'settleReply' },
  },
  states: {
    closed: {
      description: 'Not joined and not trying to. Pushes are refused here and while leaving.',
      tags: 'closed',
      entry: 'clearJoinState',
      // A channel starts online: channels are mostly made on an open socket (an app adds them as it goes;
      // 5 000 in the join benchmark). One made without `socketOpen` in its input goes on to offline at
      // once (a microstep, cheaper than the socket.open event it needed before; callgrind: ~0.13M
      // instructions per channel saved on an open socket, the same paid by one made offline).
      initial: 'online',
      states: {
        offline: {
          on: {
            'socket.open': 'online',
            subscribe: { target: '#channel.joining.waitingForSocket', actions: ['prepareJoin', announce('closed', 'joining')] },
          },
        },
        online: {
          always: { guard: 'spawnedOffline', target: 'offline' },
          on: {
            'socket.closed': 'offline',
            subscribe: { target: '#channel.joining.sending', actions: ['prepareJoin', announce('closed', 'joining')] },
          },
        },
      },
      on: {
        // Closed already: the parent (which may be removing this channel) is told again.
        unsubscribe: { actions: 'notifyClosed' },
        push: { actions: reject('closed') },
        track: { actions: reject('closed') },
        untrack: { actions: reject('closed') },
      },
    },

    joining: {
      description: 'A join is wanted. The join push goes out only while the socket is open; the join timeout runs either way.',
      tags: 'joining',
      initial: 'sending',
      after: {
        joinTimeout: [
          {
            guard: 'sendingJoin',
            target: 'errored.backoff',
            actions: [fail('joinTimeout'), 'newRef', { type: 'transmit', params: abandonJoinFrames }, 'countFailure', announce('joining', 'errored')],
          },
          { target: 'errored.waitingForSocket', actions: [fail('joinTimeout'), 'countFailure', announce('joining', 'errored')] },
        ],
      },
      states: {
        waitingForSocket: {
          entry: 'forgetJoin',
          on: {
            'socket.open': 'sending',
            // The upgrade was refused (a wrong key, an expired token): say so now rather than as a join timeout.
            'socket.rejected': { target: '#channel.errored.waitingForSocket', actions: [fail('socketRejected'), 'countFailure', announce('joining', 'errored')] },
            unsubscribe: { target: '#channel.closed.offline', actions: [announce('joining', 'closed'), 'notifyClosed'] },
          },
        },
        sending: {
          entry: ['newJoinRef', { type: 'transmit', params: joinFrames }],
          on: {
            // A new socket knows nothing of the join sent on the old one: join again with a fresh ref.
            'socket.open': { target: 'sending', reenter: true },
            'socket.closed': { target: '#channel.errored.waitingForSocket', actions: [fail('socketLoss'), announce('joining', 'errored')] },
            // The server may already have joined: leave properly.
            unsubscribe: { target: '#channel.leaving', actions: announce('joining', 'leaving') },
          },
        },
      },
      on: {
        push: { actions: 'bufferPush' },
        track: { actions: ['rememberTracking', 'bufferPush'] },
        untrack: { actions: ['rememberTracking', 'bufferPush'] },
        JOIN_OK: [
          // The server's bindings are not ours: no change could be routed, so the channel leaves and stops (not retried).
          {
            guard: 'bindingsMismatch',
            target: 'errored.halted.online',
            actions: [fail('bindingsMismatch'), 'newRef', { type: 'transmit', params: abandonJoinFrames }, announce('joining', 'errored')],
          },
          { guard: 'hasBindings', target: 'joined', actions: ['recordBindings', announce('joining', 'joined')] },
          { target: 'joined', actions: announce('joining', 'joined') },
        ],
        JOIN_ERROR: [
          // Rejoined with a token that expired meanwhile: wait (halted) for the fresh one the connection fetches; the expiry was reported once already.
          { guard: 'isExpiredTokenRefreshable', target: 'errored.halted.online', actions: [fail('staleToken'), 'requestToken', 'countFailure', announce('joining', 'errored')] },
          { guard: 'isFinalJoinError', target: 'errored.halted.online', actions: [fail('joinError'), 'countFailure', announce('joining', 'errored')] },
          { target: 'errored.backoff', actions: [fail('joinError'), 'countFailure', announce('joining', 'errored')] },
        ],
        SERVER_ERROR: { target: 'errored.backoff', actions: [fail('serverError'), 'countFailure', announce('joining', 'errored')] },
        SERVER_CLOSE: { target: 'closed.online', actions: [fail('serverClose'), announce('joining', 'closed'), 'notifyClosed'] },
      },
    },

    joined: {
      description: 'The server accepted the join. Pushes go out at once; broadcasts reach listeners without entering this machine.',
      tags: 'joined',
      entry: ['reportResubscribed', 'flushBuffer', 'joinSucceeded'],
      on: {
        // A push nobody awaits is only a frame: no push object, no timer.
        push: [{ guard: 'expectsReply', actions: 'sendPush' }, { actions: { type: 'transmit', params: commandFrames } }],
        track: { actions: ['rememberTracking', 'sendPush'] },
        untrack: { actions: ['rememberTracking', 'sendPush'] },
        setAuth: [{ guard: 'isNewToken', actions: ['updateToken', 'newRef', { type: 'transmit', params: tokenFrames }] }, { actions: 'updateToken' }],
        unsubscribe: { target: 'leaving', actions: announce('joined', 'leaving') },
        // An open socket we did not see close is a new socket: the server no longer has this channel.
        'socket.open': { target: 'joining.sending', actions: ['markGap', announce('joined', 'joining')] },
        'socket.closed': { target: 'errored.waitingForSocket', actions: [fail('socketLoss'), 'markGap', announce('joined', 'errored')] },
        SERVER_ERROR: { target: 'errored.backoff', actions: [fail('serverError'), 'countFailure', 'markGap', announce('joined', 'errored')] },
        SERVER_CLOSE: { target: 'closed.online', actions: [fail('serverClose'), announce('joined', 'closed'), 'notifyClosed'] },
        // `Subscribed to PostgreSQL` again: a gap of a channel with bindings ends only now.
        SYSTEM: { actions: ['emitSystem', 'reportResubscribed'] },
        // The server closes the channel next (phx_close, ignored once errored). With a token function the
        // connection fetches a fresh token and the channel rejoins with backoff; without one it stops
        // (halted) until setAuth or subscribe(): the same token would only be refused again.
        TOKEN_EXPIRED: [
          {
            guard: 'refreshesTokens',
            target: 'errored.backoff',
            actions: ['emitSystem', fail('tokenExpired'), 'requestToken', 'countFailure', 'markGap', announce('joined', 'errored')],
          },
          { target: 'errored.halted.online', actions: ['emitSystem', fail('tokenExpired'), 'markGap', announce('joined', 'errored')] },
        ],
      },
    },

    leaving: {
      description: 'phx_leave sent; closed on its reply, on phx_close or phx_error, on the push timeout, or when the socket goes.',
      tags: 'leaving',
      entry: ['clearError', 'failBuffered', 'forgetTracking', 'sendLeave'],
      after: { pushTimeout: { target: 'closed.online', actions: [fail('leaveTimeout'), 'expireLeave', announce('leaving', 'closed'), 'notifyClosed'] } },
      on: {
        push: { actions: reject('leaving') },
        track: { actions: reject('leaving') },
        untrack: { actions: reject('leaving') },
        // The server channel dies with the socket: nothing left to leave.
        'socket.closed': { target: 'closed.offline', actions: [announce('leaving', 'closed'), 'notifyClosed'] },
        REPLY: { guard: 'isLeaveReply', target: 'closed.online', actions: ['settleReply', announce('leaving', 'closed'), 'notifyClosed'] },
        SERVER_CLOSE: { target: 'closed.online', actions: [announce('leaving', 'closed'), 'notifyClosed'] },
        SERVER_ERROR: { target: 'closed.online', actions: [announce('leaving', 'closed'), 'notifyClosed'] },
      },
    },

    errored: {
      description: 'Not joined against our will. Rejoins after the backoff while the socket is open, at once when it opens.',
      tags: 'errored',
      initial: 'waitingForSocket',
      states: {
        backoff: {
          after: { rejoinDelay: { target: '#channel.joining.sending', actions: announce('errored', 'joining') } },
          on: {
            'socket.closed': 'waitingForSocket',
            subscribe: { target: '#channel.joining.sending', actions: ['prepareJoin', 'resetAttempts', announce('errored', 'joining')] },
            unsubscribe: { target: '#channel.closed.online', actions: ['clearError', announce('errored', 'closed'), 'notifyClosed'] },
          },
        },
        waitingForSocket: {
          on: {
            subscribe: { target: '#channel.joining.waitingForSocket', actions: ['prepareJoin', 'resetAttempts', announce('errored', 'joining')] },
            unsubscribe: { target: '#channel.closed.offline', actions: ['clearError', announce('errored', 'closed'), 'notifyClosed'] },
          },
        },
        halted: {
          description: 'A join error no retry can fix (join-policy.ts). A new token or an explicit subscribe tries again.',
          initial: 'online',
          // Not even a new socket retries it.
          on: { 'socket.open': { actions: [] } },
          states: {
            online: {
              on: {
                'socket.closed': 'offline',
                setAuth: { target: '#channel.joining.sending', actions: ['updateToken', 'clearError', 'resetAttempts', announce('errored', 'joining')] },
                subscribe: { target: '#channel.joining.sending', actions: ['prepareJoin', 'resetAttempts', announce('errored', 'joining')] },
                unsubscribe: { target: '#channel.closed.online', actions: ['clearError', announce('errored', 'closed'), 'notifyClosed'] },
              },
            },
            offline: {
              on: {
                'socket.open': 'online',
                setAuth: { target: '#channel.joining.waitingForSocket', actions: ['updateToken', 'clearError', 'resetAttempts', announce('errored', 'joining')] },
                subscribe: { target: '#channel.joining.waitingForSocket', actions: ['prepareJoin', 'resetAttempts', announce('errored', 'joining')] },
                unsubscribe: { target: '#channel.closed.offline', actions: ['clearError', announce('errored', 'closed'), 'notifyClosed'] },
              },
            },
          },
        },
      },
      on: {
        // A socket that opens (again) is the moment to rejoin, whatever the backoff said (not when halted);
        // failures counted before start again (after a plain socket loss there are none).
        'socket.open': [
          { guard: 'countedFailures', target: 'joining.sending', actions: ['resetAttempts', announce('errored', 'joining')] },
          { target: 'joining.sending', actions: announce('errored', 'joining') },
        ],
        push: { actions: 'bufferPush' },
        track: { actions: ['rememberTracking', 'bufferPush'] },
        untrack: { actions: ['rememberTracking', 'bufferPush'] },
      },
    },
  },
})

/** The channel statechart. Its explicit type keeps declaration emit stable (xstate-notes §11c). */
export type ChannelMachine = typeof machine
export const channelMachine: ChannelMachine = machine
export type ChannelActorRef = ActorRefFrom<ChannelMachine>
export type ChannelSnapshot = SnapshotFrom<ChannelMachine>

/** The channel chart on another clock (tests: the simulated clock's `now`). */
export function channelMachineWithClock(now: () => number): ChannelMachine {
  return machine.provide({
    actions: {
      markGap: assign(({ context }) => (context.gapSince === null ? { gapSince: now() } : {})),
      reportResubscribed: enqueueActions(({ context, event, enqueue }) => {
        if (!gapEnds(context, event)) return
        enqueue.emit({ type: 'channel', kind: 'resubscribed', topic: context.topic, gapMs: Math.max(0, now() - context.gapSince!) })
        enqueue.assign({ gapSince: null })
      }),
    },
  })
}

const STATE_NAMES: readonly ChannelStateName[] = ['joined', 'joining', 'errored', 'leaving', 'closed']

/** `closed | joining | joined | leaving | errored` of a channel snapshot (its lifecycle state's tag). */
export function channelStateOf(snapshot: Pick<ChannelSnapshot, 'hasTag'>): ChannelStateName {
  return STATE_NAMES.find((name) => snapshot.hasTag(name)) ?? 'closed'
}
