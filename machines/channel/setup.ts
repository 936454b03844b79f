/**
 * The named actions, guards and delays of the channel chart (channel.machine.ts). Pure: frames leave
 * through `transmit`, whose default sends them to the socket (else the connection) actor of the same actor system;
 * the two time-reading actions (`markGap`, `reportResubscribed`) use `Date.now` unless
 * `channelMachineWithClock(now)` provides another clock.
 */
import { assign, emit, enqueueActions, setup, stateIn, type EventObject } from 'xstate'
import { RealtimeError } from '../../src/errors.js'
import { CONNECTION_SYSTEM_ID, SOCKET_SYSTEM_ID } from '../system-ids.js'
import {
  bindingIdsOf,
  channelConfig,
  DEFAULT_TIMEOUT_MS,
  type ChannelContext,
  type ChannelEmitted,
  type ChannelEvent,
  type ChannelInput,
  type ChannelNotification,
  type ChannelStateName,
} from './contract.js'
import { pushFrame, type Frames } from './frames.js'
import { classifyJoinError } from './join-policy.js'
import { findRef, presenceBody, pushOf, pushTimerId, retrackError, withoutRef, type Push } from './pushes.js'

/**
 * Whether a gap (the channel stopped being joined without being asked to) ends with this event: at the
 * rejoin, or — for a channel with postgres_changes bindings — when the server says it subscribed to
 * the database again (`system` from the `postgres_changes` extension): changes committed before that
 * are not sent, so until then the gap is still open.
 */
export function gapEnds(context: ChannelContext, event: ChannelEvent): boolean {
  if (context.gapSince === null) return false
  if (context.config.postgres_changes.length === 0) return true
  return event.type === 'SYSTEM' && event.extension === 'postgres_changes'
}

/** Delay before the rejoin that follows the n-th consecutive failure (attempts ≥ 1); the last delay repeats. */
export function rejoinDelayFor(delays: readonly number[], attempts: number): number {
  if (delays.length === 0) return DEFAULT_TIMEOUT_MS
  return delays[Math.min(Math.max(attempts, 1), delays.length) - 1]!
}

const types = {
  context: {} as ChannelContext,
  events: {} as ChannelEvent,
  input: {} as ChannelInput,
  emitted: {} as ChannelEmitted,
  tags: {} as ChannelStateName,
}

const delays = {
  joinTimeout: ({ context }: { context: ChannelContext }) => context.joinTimeoutMs ?? context.timeoutMs,
  rejoinDelay: ({ context }: { context: ChannelContext }) => rejoinDelayFor(context.rejoinDelays, context.attempts),
  /** A push's own timeout, else the channel's; the leave's is the channel's. */
  pushTimeout: ({ context, event }: { context: ChannelContext; event: ChannelEvent }) => pushOf(event)?.timeoutMs ?? context.timeoutMs,
}

/** A buffered push that will never be sent: its timer stops and it is reported failed (`channel_closed`). */
function failBufferedPush(topic: string, push: Push, enqueue: { cancel(id: string): void; emit(event: ChannelEmitted): void }): void {
  const error = new RealtimeError('channel_closed', `${topic} closed before '${push.event}' was sent`, { topic, ref: push.ref })
  enqueue.cancel(pushTimerId(push.ref))
  enqueue.emit({ type: 'push.failed', topic, ref: push.ref, error })
}

export const channelSetup = setup({
  types,
  delays,
  guards: {
    /** The join push is out (the socket was open): a timeout leaves what the server may have joined. */
    sendingJoin: stateIn({ joining: 'sending' }),
    expectsReply: ({ event }) => event.type === 'push' && event.expectReply,
    refreshesTokens: ({ context }) => context.refreshTokens,
    countedFailures: ({ context }) => context.attempts !== 0,
    isExpiredTokenRefreshable: ({ context, event }) => context.refreshTokens && event.type === 'JOIN_ERROR' && classifyJoinError(event.response).reason.includes('Token has expired'),
    isFinalJoinError: ({ event }) => event.type === 'JOIN_ERROR' && classifyJoinError(event.response).final,
    /** The start (`xstate.init`, which carries the input) of a channel whose input does not say the socket is open. */
    spawnedOffline: ({ event }) => {
      const start = event as { type: string; input?: ChannelInput }
      return start.type === 'xstate.init' && start.input?.socketOpen !== true
    },
    hasBindings: ({ context }) => context.config.postgres_changes.length > 0,
    bindingsMismatch: ({ context, event }) => event.type === 'JOIN_OK' && bindingIdsOf(context.config.postgres_changes, event.response) === null,
    isNewToken: ({ context, event }) => event.type === 'setAuth' && event.token !== null && event.token !== context.accessToken,
    isLeaveReply: ({ context, event }) => event.type === 'REPLY' && findRef(context.inFlight, event.ref)?.kind === 'leave',
  },
  actions: {
    /**
     * Frames out. Default: to the connection's socket actor while one exists (it hands back what it cannot
     * write yet or any more as `socket.unsent`, which the connection buffers), else to the connection
     * actor of this system (which buffers while not open); standalone tests provide a spy.
     */
    transmit: enqueueActions(({ system, enqueue }, params: Frames) => {
      const socket = system.get(SOCKET_SYSTEM_ID)
      if (socket !== undefined) {
        for (const message of params.messages) enqueue.sendTo(socket, { type: 'transmit', message } as EventObject)
        return
      }
      const connection = system.get(CONNECTION_SYSTEM_ID)
      if (connection === undefined) return
      for (const message of params.messages) enqueue.sendTo(connection, { type: 'send', message } as EventObject)
    }),
    /** Ask the connection for a fresh token (its token function); the root hands it to every channel as `setAuth`. */
    requestToken: enqueueActions(({ system, enqueue }) => {
      const connection = system.get(CONNECTION_SYSTEM_ID)
      if (connection !== undefined) enqueue.sendTo(connection, { type: 'refreshToken' } as EventObject)
    }),
    /** Tells the parent the channel is closed (a channel group stops one it is removing). */
    notifyClosed: enqueueActions(({ context, enqueue }) => {
      if (context.hasParent) enqueue.sendParent({ type: 'channel.closed', topic: context.topic } satisfies ChannelNotification)
    }),
    /** The move, emitted (`state_change`); the transitions to `closed` also run `notifyClosed`. */
    announce: emit(({ context }, params: { old: ChannelStateName; new: ChannelStateName }) => ({
      type: 'channel' as const,
      kind: 'state_change' as const,
      topic: context.topic,
      old: params.old,
      new: params.new,
    })),
    // ── the two actions that read a clock ──
    markGap: assign(({ context }) => (context.gapSince === null ? { gapSince: Date.now() } : {})),
    reportResubscribed: enqueueActions(({ context, event, enqueue }) => {
      if (!gapEnds(context, event)) return
      enqueue.emit({ type: 'channel', kind: 'resubscribed', topic: context.topic, gapMs: Math.max(0, Date.now() - context.gapSince!) })
      enqueue.assign({ gapSince: null })
    }),

    // ── join bookkeeping ──
    /** This subscribe's join timeout (if it gives one) and no error yet. */
    // The actions a join or rejoin runs for every channel copy no snapshot when nothing changes.
    prepareJoin: enqueueActions(({ context, event, enqueue }) => {
      const joinTimeoutMs = event.type === 'subscribe' ? (event.timeoutMs ?? null) : null
      if (joinTimeoutMs !== context.joinTimeoutMs || context.error !== null) enqueue.assign({ joinTimeoutMs, error: null })
    }),
    /** Every join attempt gets a fresh ref, which becomes the join ref of everything after it (protocol.md §3.3). */
    newJoinRef: assign(({ context }) => ({ refSeq: context.refSeq + 1, joinRef: String(context.refSeq + 1) })),
    /** A ref for a frame nobody answers (the token push, the leave after a join timeout). */
    newRef: assign(({ context }) => ({ refSeq: context.refSeq + 1 })),
    forgetJoin: assign({ joinRef: null }),
    /** The ids the server gave our postgres_changes bindings: the router matches changes with them (only run when there are bindings: `hasBindings`). */
    recordBindings: assign(({ context, event }) => (event.type === 'JOIN_OK' ? { bindingIds: bindingIdsOf(context.config.postgres_changes, event.response) ?? [] } : {})),
    joinSucceeded: enqueueActions(({ context, enqueue }) => {
      // The gap is ended by `reportResubscribed` (for a channel with bindings, later than the join).
      if (context.attempts !== 0 || context.error !== null || context.joinTimeoutMs !== null) enqueue.assign({ attempts: 0, error: null, joinTimeoutMs: null })
    }),
    countFailure: assign(({ context }) => ({ attempts: context.attempts + 1 })),
    // No snapshot copy when there is nothing to reset (a rejoin after a socket loss counted no failure).
    resetAttempts: enqueueActions(({ context, enqueue }) => {
      if (context.attempts !== 0) enqueue.assign({ attempts: 0 })
    }),
    clearError: enqueueActions(({ context, enqueue }) => {
      if (context.error !== null) enqueue.assign({ error: null })
    }),
    configure: assign(({ context, event }) => {
      if (event.type !== 'configure') return {}
      const next = event.config
      return {
        config: channelConfig({
          broadcast: { ...context.config.broadcast, ...next.broadcast },
          presence: { ...context.config.presence, ...next.presence },
          postgres_changes: next.postgres_changes ?? context.config.postgres_changes,
          private: next.private ?? context.config.private,
        }),
      }
    }),
    updateToken: assign(({ context, event }) => (event.type === 'setAuth' && event.token !== context.accessToken ? { accessToken: event.token } : {})),

    // ── why the channel is not joined: recorded, and reported as an `error` event ──
    fail: enqueueActions(({ context, event, enqueue }, params: { why: 'joinTimeout' | 'joinError' | 'bindingsMismatch' | 'serverError' | 'socketLoss' | 'leaveTimeout' | 'serverClose' | 'socketRejected' | 'tokenExpired' | 'staleToken' }) => {
      const { topic } = context
      let error: RealtimeError
      switch (params.why) {
        case 'joinTimeout': {
          const ms = context.joinTimeoutMs ?? context.timeoutMs
          error = new RealtimeError('timeout', `joining ${topic} timed out after ${ms} ms`, { topic, timeoutMs: ms })
          break
        }
        case 'joinError': {
          const joinFailure = classifyJoinError(event.type === 'JOIN_ERROR' ? event.response : undefined)
          const metadata = { topic, reason: joinFailure.reason, reasonCode: joinFailure.code, final: joinFailure.final }
          // No read permission (a private channel's policy) and an expired token have their own codes: the app acts on them.
          const code = joinFailure.code === 'Unauthorized' ? 'unauthorized' : joinFailure.reason.includes('Token has expired') ? 'token_expired' : 'join_failed'
          error = new RealtimeError(code, `joining ${topic} failed: ${joinFailure.reason}`, metadata)
          break
        }
        case 'tokenExpired': {
          const message = event.type === 'TOKEN_EXPIRED' ? event.message : 'Token has expired'
          error = new RealtimeError('token_expired', `${topic}: ${message}`, { topic, refreshing: context.refreshTokens })
          break
        }
        case 'bindingsMismatch': {
          const reason = 'mismatch between server and client bindings for postgres changes'
          error = new RealtimeError('join_failed', `joining ${topic} failed: ${reason}`, { topic, reason, reasonCode: null, final: true })
          break
        }
        case 'socketRejected':
          // The connection's error (unauthorized, token_expired, connection_failed), with this topic.
          error = event.type === 'socket.rejected' ? event.error : new RealtimeError('connection_failed', `the socket of ${topic} was refused`, { topic })
          break
        case 'serverError':
          error = new RealtimeError('channel_error', `the server reported an error on ${topic} (phx_error)`, { topic })
          break
        case 'socketLoss':
          // One error for the whole loss, made by the root and shared by every channel.
          error = (event.type === 'socket.closed' ? event.error : undefined) ?? new RealtimeError('connection_closed', `the socket of ${topic} closed`, { topic })
          enqueue.assign({ error })
          return
        case 'leaveTimeout':
          error = new RealtimeError('timeout', `leaving ${topic} timed out`, { topic })
          enqueue.assign({ error })
          return
        case 'staleToken':
          // A rejoin with the token that just expired: the expiry was reported once; kept for subscribe() only.
          enqueue.assign({ error: new RealtimeError('token_expired', `joining ${topic} failed: the token expired; waiting for a fresh one`, { topic, refreshing: true }) })
          return
        case 'serverClose':
          enqueue.assign({ error: new RealtimeError('channel_closed', `the server closed ${topic}`, { topic }) })
          return
        default: {
          const unreachable: never = params.why
          return unreachable
        }
      }
      enqueue.assign({ error })
      enqueue.emit({ type: 'error', topic, error })
    }),
    emitSystem: enqueueActions(({ context, event, enqueue }) => {
      if (event.type === 'TOKEN_EXPIRED') {
        // The message as the server sent it; the error (`token_expired`) comes from the transition that acts on it.
        enqueue.emit({ type: 'channel', kind: 'system', topic: context.topic, status: 'error', message: event.message, extension: event.extension })
        return
      }
      if (event.type !== 'SYSTEM') return
      const { status, message, extension } = event
      enqueue.emit({ type: 'channel', kind: 'system', topic: context.topic, status, message, extension })
      if (status === 'error') {
        const error = new RealtimeError('channel_error', `${context.topic}: ${message || 'system error'}`, { topic: context.topic, extension })
        enqueue.emit({ type: 'error', topic: context.topic, error })
      }
    }),

    // ── pushes (pushes.ts) ──
    /** Sent now; one that expects a reply waits in flight with a timer, one that does not is done. */
    sendPush: enqueueActions(({ context, event, enqueue }) => {
      const push = pushOf(event)
      if (push === null) return
      enqueue({ type: 'transmit', params: { messages: [pushFrame(context, push)] } } as never)
      if (!push.expectReply) return
      enqueue.assign({ inFlight: [...context.inFlight, push] })
      enqueue.raise({ type: 'push.expired', ref: push.ref }, { id: pushTimerId(push.ref), delay: 'pushTimeout' })
    }),
    /**
     * Keeps a push until the join succeeds. Its timer starts now (as Phoenix does): a push that waited
     * longer than its timeout is reported and never sent. Beyond `bufferSize` the oldest is dropped.
     */
    bufferPush: enqueueActions(({ context, event, enqueue }) => {
      const push = pushOf(event)
      if (push === null) return
      let buffer = context.buffer
      if (buffer.length >= context.bufferSize) {
        const [oldest, ...rest] = buffer
        buffer = rest
        if (oldest !== undefined) {
          const error = new RealtimeError('buffer_overflow', `push buffer of ${context.topic} is full (${context.bufferSize}): dropped '${oldest.event}'`, {
            topic: context.topic,
            push: oldest,
          })
          enqueue.cancel(pushTimerId(oldest.ref))
          enqueue.emit({ type: 'error', topic: context.topic, error })
          enqueue.emit({ type: 'push.failed', topic: context.topic, ref: oldest.ref, error })
        }
      }
      enqueue.assign({ buffer: [...buffer, push] })
      enqueue.raise({ type: 'push.expired', ref: push.ref }, { id: pushTimerId(push.ref), delay: 'pushTimeout' })
    }),
    /** The channel is leaving: nothing that waited will be sent. */
    failBuffered: enqueueActions(({ context, enqueue }) => {
      if (context.buffer.length === 0) return
      for (const push of context.buffer) failBufferedPush(context.topic, push, enqueue)
      enqueue.assign({ buffer: [] })
    }),
    rejectPush: enqueueActions(({ context, event, enqueue }, params: { state: ChannelStateName }) => {
      const push = pushOf(event)
      if (push === null) return
      const error = new RealtimeError('not_joined', `cannot push '${push.event}' to ${context.topic}: the channel is ${params.state}`, { topic: context.topic, ref: push.ref })
      enqueue.emit({ type: 'push.failed', topic: context.topic, ref: push.ref, error })
    }),
    /** What to re-track after a rejoin; tracking also turns presence on for every later join. */
    rememberTracking: assign(({ context, event }) => {
      if (event.type === 'untrack') return { tracked: null }
      if (event.type !== 'track') return {}
      const config = context.config.presence.enabled ? context.config : { ...context.config, presence: { ...context.config.presence, enabled: true } }
      return { tracked: event.payload, config }
    }),
    /** Leaving (or being closed) ends the presence on the server: nothing to re-track at a later subscribe. */
    forgetTracking: assign(({ context }) => (context.tracked === null ? {} : { tracked: null })),
    /**
     * Joined: what waited goes out under the new join ref, in order; then, after a (re)join, presence is
     * tracked again as it was (the server forgot it), unless a track/untrack was among what waited (it
     * says what the user wants last). Pushes that expect no reply are done once sent; the others wait
     * in flight with the timer they already have. A re-track of an earlier join still pending is
     * forgotten (its timer then finds nothing).
     */
    flushBuffer: enqueueActions(({ context, enqueue }) => {
      const { buffer, tracked } = context
      const stale = context.inFlight.find((push) => push.kind === 'retrack')
      if (buffer.length === 0 && tracked === null && stale === undefined) return
      let inFlight = stale === undefined ? context.inFlight : withoutRef(context.inFlight, stale.ref)
      if (stale !== undefined) enqueue.cancel(pushTimerId(stale.ref))
      const messages = buffer.map((push) => pushFrame(context, push))
      for (const push of buffer) {
        if (push.expectReply) inFlight = [...inFlight, push]
        else enqueue.cancel(pushTimerId(push.ref))
      }
      let refSeq = context.refSeq
      if (tracked !== null && !buffer.some((push) => push.kind === 'presence')) {
        const retrack: Push = { ref: String(++refSeq), kind: 'retrack', event: 'presence', payload: presenceBody(tracked), expectReply: true, timeoutMs: null }
        messages.push(pushFrame(context, retrack))
        inFlight = [...inFlight, retrack]
        enqueue.raise({ type: 'push.expired', ref: retrack.ref }, { id: pushTimerId(retrack.ref), delay: 'pushTimeout' })
      }
      enqueue({ type: 'transmit', params: { messages } } as never)
      enqueue.assign({ buffer: [], inFlight, refSeq })
    }),
    /** The leave is a push too: in flight, with the channel's timeout (the `leaving` state's own timer). */
    sendLeave: enqueueActions(({ context, enqueue }) => {
      const ref = String(context.refSeq + 1)
      const leave: Push = { ref, kind: 'leave', event: 'phx_leave', payload: {}, expectReply: true, timeoutMs: null }
      enqueue.assign({ refSeq: context.refSeq + 1, inFlight: [...context.inFlight, leave] })
      enqueue({ type: 'transmit', params: { messages: [pushFrame(context, leave)] } } as never)
    }),
    /** A reply to a push in flight: its timer stops and its outcome is reported (a failed re-track as an error). */
    settleReply: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'REPLY') return
      const push = findRef(context.inFlight, event.ref)
      if (push === undefined) return
      enqueue.cancel(pushTimerId(push.ref))
      enqueue.assign({ inFlight: withoutRef(context.inFlight, push.ref) })
      if (push.kind === 'retrack') {
        if (event.status !== 'ok') enqueue.emit({ type: 'error', topic: context.topic, error: retrackError(context.topic, push.ref, event, context.timeoutMs) })
        return
      }
      enqueue.emit({ type: 'push.reply', topic: context.topic, ref: push.ref, status: event.status, response: event.response })
    }),
    /** A push's timer fired: in the buffer it is dropped unsent, in flight it gave up waiting. */
    expirePush: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'push.expired') return
      const push = findRef(context.buffer, event.ref) ?? findRef(context.inFlight, event.ref)
      if (push === undefined) return
      enqueue.assign({ buffer: withoutRef(context.buffer, push.ref), inFlight: withoutRef(context.inFlight, push.ref) })
      if (push.kind === 'retrack') enqueue.emit({ type: 'error', topic: context.topic, error: retrackError(context.topic, push.ref, 'timeout', context.timeoutMs) })
      else enqueue.emit({ type: 'push.timeout', topic: context.topic, ref: push.ref })
    }),
    /** The leave timed out: reported as its push's timeout, and the leave is no longer in flight. */
    expireLeave: enqueueActions(({ context, enqueue }) => {
      const leave = context.inFlight.find((push) => push.kind === 'leave')
      if (leave === undefined) return
      enqueue.assign({ inFlight: withoutRef(context.inFlight, leave.ref) })
      enqueue.emit({ type: 'push.timeout', topic: context.topic, ref: leave.ref })
    }),
    /**
     * Closed: no join, no gap, nothing tracked, nothing buffered or in flight any more. What waited
     * fails now (`channel_closed`): buffered pushes are never sent, and a push still awaiting its reply
     * does not wait for a timer that means nothing any more. (One action: `closed` is entered by every
     * channel at its start, where there is nothing to do.)
     */
    clearJoinState: enqueueActions(({ context, enqueue }) => {
      if (context.joinRef === null && context.gapSince === null && context.attempts === 0 && context.tracked === null && context.inFlight.length === 0 && context.buffer.length === 0) return
      for (const push of context.inFlight) {
        enqueue.cancel(pushTimerId(push.ref))
        if (push.kind !== 'push' && push.kind !== 'presence') continue
        const error = new RealtimeError('channel_closed', `${context.topic} closed before '${push.event}' was answered`, { topic: context.topic, ref: push.ref })
        enqueue.emit({ type: 'push.failed', topic: context.topic, ref: push.ref, error })
      }
      for (const push of context.buffer) failBufferedPush(context.topic, push, enqueue)
      enqueue.assign({ joinRef: null, gapSince: null, attempts: 0, tracked: null, inFlight: [], buffer: [] })
    }),
  },
})
