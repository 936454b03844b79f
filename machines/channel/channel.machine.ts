/**
 * One Realtime channel (one topic) as a statechart: closed → joining → joined → leaving → closed, and
 * errored → (rejoin backoff) → joining. Pure: frames leave through the `transmit` action (by default a
 * `channel.transmit` to the parent, the root client actor) and arrive as `message` events for lifecycle
 * frames only — broadcasts never enter this machine (the router calls listeners directly).
 *
 * Timers are named delays: `joinTimeout`, `rejoinDelay`, `pushTimeout`.
 */
import { assign, emit, enqueueActions, setup, type ActorRefFrom, type SnapshotFrom } from 'xstate'
import { RealtimeError } from '../../src/errors.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'
import {
  channelConfig,
  DEFAULT_CHANNEL_BUFFER_SIZE,
  DEFAULT_REJOIN_DELAYS,
  DEFAULT_TIMEOUT_MS,
  joinPayload,
  type BufferedPush,
  type ChannelContext,
  type ChannelPush,
  type ChannelEmitted,
  type ChannelEvent,
  type ChannelInput,
  type ChannelStateName,
} from './contract.js'
import { classifyJoinError } from './join-policy.js'

/** The id of a push's delayed `push.expired` event, so a reply can cancel exactly that timer. */
export function pushTimerId(ref: string): string {
  return `push:${ref}`
}

/** Delay before the rejoin that follows the n-th consecutive failure (attempts ≥ 1); the last delay repeats. */
export function rejoinDelayFor(delays: readonly number[], attempts: number): number {
  if (delays.length === 0) return DEFAULT_TIMEOUT_MS
  const index = Math.min(Math.max(attempts, 1), delays.length) - 1
  return delays[index]!
}

/** The top-level state of a channel snapshot, whatever substate it is in. */
export function channelStateOf(snapshot: { value: unknown }): ChannelStateName {
  const value = snapshot.value
  return (typeof value === 'string' ? value : Object.keys(value as object)[0]) as ChannelStateName
}

type MessageEvent = Extract<ChannelEvent, { type: 'message' }>

function messageOf(event: ChannelEvent): PhoenixMessage | null {
  return event.type === 'message' ? (event as MessageEvent).message : null
}

function replyOf(message: PhoenixMessage): { status: string; response: unknown } {
  const payload = message.payload as { status?: unknown; response?: unknown } | null
  return { status: typeof payload?.status === 'string' ? payload.status : 'error', response: payload?.response }
}

/** The `presence` push payload of a track or untrack (protocol.md §6.1: untrack has no `payload` key). */
export function presenceBody(tracked: Record<string, unknown> | null): { type: 'presence'; event: 'track'; payload: Record<string, unknown> } | { type: 'presence'; event: 'untrack' } {
  return tracked === null ? { type: 'presence', event: 'untrack' } : { type: 'presence', event: 'track', payload: tracked }
}

/** The push an event stands for: a push as is, a track or untrack as a `presence` push that expects a reply. */
function pushOf(event: ChannelEvent): ChannelPush | null {
  switch (event.type) {
    case 'push':
      return event
    case 'track':
    case 'untrack': {
      const payload = presenceBody(event.type === 'track' ? event.payload : null)
      const push: ChannelPush = { type: 'push', ref: event.ref, event: 'presence', payload, expectReply: true }
      return event.timeoutMs === undefined ? push : { ...push, timeoutMs: event.timeoutMs }
    }
    default:
      return null
  }
}

function isEvent(event: ChannelEvent, name: string): boolean {
  return messageOf(event)?.event === name
}

/**
 * phx_close / phx_error carry the join ref as `ref` (vsn 1.0.0 has no join_ref field, protocol.md §3.6);
 * one whose ref is another join's is stale. The router already dropped stale non-null join refs.
 */
function ofCurrentJoin(context: ChannelContext, message: PhoenixMessage): boolean {
  return message.ref === null || message.ref === context.joinRef
}

// ── outgoing frames (params of the `transmit` action) ──

function joinFrames({ context }: { context: ChannelContext }): { messages: PhoenixMessage[] } {
  const ref = context.joinRef!
  return { messages: [{ joinRef: ref, ref, topic: context.topic, event: 'phx_join', payload: joinPayload(context.config, context.accessToken) }] }
}

function leaveFrames({ context }: { context: ChannelContext }): { messages: PhoenixMessage[] } {
  return { messages: [{ joinRef: context.joinRef, ref: context.leaveRef, topic: context.topic, event: 'phx_leave', payload: {} }] }
}

/** No reply within the join timeout: leave whatever the server may still join (protocol.md §4.5). */
function abandonJoinFrames({ context }: { context: ChannelContext }): { messages: PhoenixMessage[] } {
  if (context.joinRef === null || !context.socketOpen) return { messages: [] }
  return { messages: [{ joinRef: context.joinRef, ref: context.makeRef(), topic: context.topic, event: 'phx_leave', payload: {} }] }
}

/** A joined channel tells the server about a new token at once (protocol.md §8.3); the server never replies. */
function tokenFrames({ context, event }: { context: ChannelContext; event: ChannelEvent }): { messages: PhoenixMessage[] } {
  if (event.type !== 'setAuth' || event.token === null || event.token === context.accessToken) return { messages: [] }
  const payload = { access_token: event.token }
  return { messages: [{ joinRef: context.joinRef, ref: context.makeRef(), topic: context.topic, event: 'access_token', payload }] }
}

function pushFrames({ context, event }: { context: ChannelContext; event: ChannelEvent }): { messages: PhoenixMessage[] } {
  const push = pushOf(event)
  if (!push) return { messages: [] }
  return { messages: [{ joinRef: context.joinRef, ref: push.ref, topic: context.topic, event: push.event, payload: push.payload }] }
}

/**
 * What waited for the join, in order, under the new join ref; then the automatic re-track, if
 * `retrackRef` says there is one.
 */
function joinedFrames(context: ChannelContext, retrackRef: string | null): { messages: PhoenixMessage[] } {
  const messages: PhoenixMessage[] = context.buffer.map((push) => ({ joinRef: context.joinRef, ref: push.ref, topic: context.topic, event: push.event, payload: push.payload }))
  if (retrackRef !== null && context.tracked !== null) {
    messages.push({ joinRef: context.joinRef, ref: retrackRef, topic: context.topic, event: 'presence', payload: presenceBody(context.tracked) })
  }
  return { messages }
}

const channelSetup = setup({
  types: {
    context: {} as ChannelContext,
    events: {} as ChannelEvent,
    input: {} as ChannelInput,
    emitted: {} as ChannelEmitted,
  },
  delays: {
    joinTimeout: ({ context }) => context.joinTimeoutMs ?? context.timeoutMs,
    rejoinDelay: ({ context }) => rejoinDelayFor(context.rejoinDelays, context.attempts),
    pushTimeout: ({ context, event }) => pushOf(event)?.timeoutMs ?? context.timeoutMs,
  },
  guards: {
    socketOpen: ({ context }) => context.socketOpen,
    expectsReply: ({ event }) => event.type === 'push' && event.expectReply,
    isFinalError: ({ context }) => context.error?.code === 'join_failed' && context.error.metadata['final'] === true,
    isJoinOk: ({ context, event }) => {
      const message = messageOf(event)
      return message?.event === 'phx_reply' && message.ref === context.joinRef && replyOf(message).status === 'ok'
    },
    isJoinError: ({ context, event }) => {
      const message = messageOf(event)
      return message?.event === 'phx_reply' && message.ref === context.joinRef && replyOf(message).status !== 'ok'
    },
    isLeaveReply: ({ context, event }) => {
      const message = messageOf(event)
      return message?.event === 'phx_reply' && context.leaveRef !== null && message.ref === context.leaveRef
    },
    isReply: ({ event }) => isEvent(event, 'phx_reply'),
    isSystem: ({ event }) => isEvent(event, 'system'),
    isChannelError: ({ context, event }) => {
      const message = messageOf(event)
      return message?.event === 'phx_error' && ofCurrentJoin(context, message)
    },
    isChannelClose: ({ context, event }) => {
      const message = messageOf(event)
      return message?.event === 'phx_close' && ofCurrentJoin(context, message)
    },
  },
  actions: {
    /**
     * Hands a frame to the parent (the root, which forwards it to the connection). Without a parent —
     * a channel actor started alone — the frame goes nowhere instead of throwing.
     */
    transmit: enqueueActions(({ self, enqueue }, params: { messages: PhoenixMessage[] }) => {
      if (!self._parent) return
      for (const message of params.messages) enqueue.sendParent({ type: 'channel.transmit', message })
    }),
    /** Tells the parent the channel closed. A channel created closed (`xstate.init`) has nothing to tell. */
    notifyClosed: enqueueActions(({ self, enqueue, context, event }) => {
      if (self._parent && (event as { type: string }).type !== 'xstate.init') enqueue.sendParent({ type: 'channel.closed', topic: context.topic })
    }),
    /**
     * Every state change is announced (`state_change`, with the state it leaves) and recorded as the next
     * `old`: two plain actions rather than one `enqueueActions`, as a reconnect runs them for every
     * channel (issue 6). `joined` records its status in `joinSucceeded`, with the rest of its assign.
     */
    announce: emit(({ context }, params: { state: ChannelStateName }) => ({ type: 'channel', kind: 'state_change', topic: context.topic, old: context.status, new: params.state })),
    recordStatus: assign({ status: (_, params: { state: ChannelStateName }) => params.state }),
    /** `announce` + `recordStatus` for `closed`, which is also where a channel starts: nothing to say then. */
    enterClosed: enqueueActions(({ context, enqueue }) => {
      if (context.status === 'closed') return
      enqueue.emit({ type: 'channel', kind: 'state_change', topic: context.topic, old: context.status, new: 'closed' })
      enqueue.assign({ status: 'closed' })
    }),
    openSocket: assign({ socketOpen: true }),
    /** A new socket: a fresh start for the rejoin backoff too. */
    openSocketAndResetAttempts: assign({ socketOpen: true, attempts: 0 }),
    closeSocket: assign({ socketOpen: false }),
    resetAttempts: assign({ attempts: 0 }),
    countFailure: assign({ attempts: ({ context }) => context.attempts + 1 }),
    /** This subscribe's join timeout (if it gives one) and no error yet; no snapshot copy when nothing changes. */
    prepareJoin: enqueueActions(({ context, event, enqueue }) => {
      const joinTimeoutMs = event.type === 'subscribe' && event.timeoutMs !== undefined ? event.timeoutMs : null
      if (joinTimeoutMs !== context.joinTimeoutMs || context.error !== null) enqueue.assign({ joinTimeoutMs, error: null })
    }),
    configure: assign({
      config: ({ context, event }) => {
        if (event.type !== 'configure') return context.config
        const next = event.config
        return channelConfig({
          broadcast: { ...context.config.broadcast, ...next.broadcast },
          presence: { ...context.config.presence, ...next.presence },
          postgres_changes: next.postgres_changes ?? context.config.postgres_changes,
          private: next.private ?? context.config.private,
        })
      },
    }),
    updateToken: assign({ accessToken: ({ context, event }) => (event.type === 'setAuth' ? event.token : context.accessToken) }),
    /** Every join attempt gets a fresh ref, which becomes the join ref of everything after it (protocol.md §3.3). */
    newJoinRef: assign({ joinRef: ({ context }) => context.makeRef() }),
    forgetJoin: assign({ joinRef: null }),
    newLeaveRef: assign({ leaveRef: ({ context }) => context.makeRef() }),
    /**
     * Closed: no join, no leave, nothing to re-track later. Leaving the context as it is when it already
     * is (a channel created closed) spares a snapshot copy per channel.
     */
    clearJoinState: enqueueActions(({ context, enqueue }) => {
      if (context.joinRef === null && context.leaveRef === null && context.gapSince === null && context.attempts === 0 && context.tracked === null && context.retrackRef === null) return
      enqueue.assign({ joinRef: null, leaveRef: null, gapSince: null, attempts: 0, tracked: null, retrackRef: null })
    }),
    /**
     * Joined: records the status (what `recordStatus` does for the other states), starts the backoff
     * over and clears the error; after a gap (a rejoin of a channel that was joined), `resubscribed`
     * says how long it lasted. One assign for all of it: every join and rejoin runs this (issue 6).
     */
    joinSucceeded: enqueueActions(({ context, enqueue }) => {
      const { gapSince } = context
      if (gapSince !== null) enqueue.emit({ type: 'channel', kind: 'resubscribed', topic: context.topic, gapMs: Math.max(0, context.now() - gapSince) })
      enqueue.assign({ status: 'joined', attempts: 0, error: null, gapSince: null })
    }),
    recordJoinTimeout: enqueueActions(({ context, enqueue }) => {
      const ms = context.joinTimeoutMs ?? context.timeoutMs
      const error = new RealtimeError('timeout', `joining ${context.topic} timed out after ${ms} ms`, { topic: context.topic, timeoutMs: ms })
      enqueue.assign({ error })
      enqueue.emit({ type: 'error', topic: context.topic, error })
    }),
    recordJoinError: enqueueActions(({ context, event, enqueue }) => {
      const message = messageOf(event)
      if (!message) return
      const failure = classifyJoinError(replyOf(message).response)
      const error = new RealtimeError('join_failed', `joining ${context.topic} failed: ${failure.reason}`, {
        topic: context.topic,
        reason: failure.reason,
        reasonCode: failure.code,
        final: failure.final,
      })
      enqueue.assign({ error })
      enqueue.emit({ type: 'error', topic: context.topic, error })
    }),
    recordChannelError: enqueueActions(({ context, enqueue }) => {
      const error = new RealtimeError('channel_error', `the server reported an error on ${context.topic} (phx_error)`, { topic: context.topic })
      enqueue.assign({ error })
      enqueue.emit({ type: 'error', topic: context.topic, error })
    }),
    /**
     * The socket is gone, and with it the join; for a joined channel (`gap`) a gap starts too. One
     * assign for all of it: a reconnect runs this for every channel (issue 6).
     */
    recordSocketLoss: assign(({ context, event }, params: { gap: boolean }) => {
      const error =
        (event.type === 'socket.closed' ? event.error : undefined) ??
        new RealtimeError('connection_closed', `the socket closed while ${context.topic} was ${context.status}`, { topic: context.topic })
      return params.gap ? { socketOpen: false, error, gapSince: context.gapSince ?? context.now() } : { socketOpen: false, error }
    }),
    recordServerClose: assign({
      error: ({ context }) => new RealtimeError('channel_closed', `the server closed ${context.topic}`, { topic: context.topic }),
    }),
    recordLeaveTimeout: enqueueActions(({ context, enqueue }) => {
      const error = new RealtimeError('timeout', `leaving ${context.topic} timed out`, { topic: context.topic })
      enqueue.assign({ error })
      if (context.leaveRef !== null) enqueue.emit({ type: 'push.timeout', topic: context.topic, ref: context.leaveRef })
    }),
    clearError: assign({ error: null }),
    markGap: assign({ gapSince: ({ context }) => context.gapSince ?? context.now() }),
    emitSystem: enqueueActions(({ context, event, enqueue }) => {
      const payload = (messageOf(event)?.payload ?? {}) as { status?: unknown; message?: unknown; extension?: unknown }
      const status = typeof payload.status === 'string' ? payload.status : 'ok'
      const text = typeof payload.message === 'string' ? payload.message : ''
      const extension = typeof payload.extension === 'string' ? payload.extension : null
      enqueue.emit({ type: 'channel', kind: 'system', topic: context.topic, status, message: text, extension })
      if (status === 'error') {
        const error = new RealtimeError('channel_error', `${context.topic}: ${text || 'system error'}`, { topic: context.topic, extension })
        enqueue.emit({ type: 'error', topic: context.topic, error })
      }
    }),
    /** A reply to one of our pushes: stop its timer and report the outcome (acks, leave). */
    settlePush: enqueueActions(({ context, event, enqueue }) => {
      const message = messageOf(event)
      if (!message || message.ref === null) return
      const { status, response } = replyOf(message)
      enqueue.cancel(pushTimerId(message.ref))
      enqueue.emit({ type: 'push.reply', topic: context.topic, ref: message.ref, status, response })
    }),
    /** A sent push that expects a reply gets a timer; one that does not (broadcast without ack) costs nothing more. */
    armReplyTimer: enqueueActions(({ event, enqueue }) => {
      const push = pushOf(event)
      if (push?.expectReply) enqueue.raise({ type: 'push.expired', ref: push.ref }, { id: pushTimerId(push.ref), delay: 'pushTimeout' })
    }),
    /**
     * Keeps a push until the join succeeds. Its timer starts now (as Phoenix does): a push that waited
     * longer than its timeout is reported and never sent. Beyond `bufferSize` the oldest is dropped.
     */
    bufferPush: enqueueActions(({ context, event: source, enqueue }) => {
      const event = pushOf(source)
      if (!event) return
      let buffer = context.buffer
      if (buffer.length >= context.bufferSize) {
        const [oldest, ...rest] = buffer
        buffer = rest
        if (oldest) {
          const error = new RealtimeError('buffer_overflow', `push buffer of ${context.topic} is full (${context.bufferSize}): dropped '${oldest.event}'`, {
            topic: context.topic,
            push: oldest,
          })
          enqueue.cancel(pushTimerId(oldest.ref))
          enqueue.emit({ type: 'error', topic: context.topic, error })
          enqueue.emit({ type: 'push.failed', topic: context.topic, ref: oldest.ref, error })
        }
      }
      const push: BufferedPush = { ref: event.ref, event: event.event, payload: event.payload, expectReply: event.expectReply }
      enqueue.assign({ buffer: [...buffer, push] })
      enqueue.raise({ type: 'push.expired', ref: event.ref }, { id: pushTimerId(event.ref), delay: 'pushTimeout' })
    }),
    /** The channel is leaving or closed: nothing that waited will be sent. */
    failBuffered: enqueueActions(({ context, enqueue }) => {
      if (context.buffer.length === 0) return
      for (const push of context.buffer) {
        const error = new RealtimeError('channel_closed', `${context.topic} closed before '${push.event}' was sent`, { topic: context.topic, ref: push.ref })
        enqueue.cancel(pushTimerId(push.ref))
        enqueue.emit({ type: 'push.failed', topic: context.topic, ref: push.ref, error })
      }
      enqueue.assign({ buffer: [] })
    }),
    rejectPush: enqueueActions(({ context, event: source, enqueue }) => {
      const event = pushOf(source)
      if (!event) return
      const error = new RealtimeError('not_joined', `cannot push '${event.event}' to ${context.topic}: the channel is ${context.status}`, {
        topic: context.topic,
        ref: event.ref,
      })
      enqueue.emit({ type: 'push.failed', topic: context.topic, ref: event.ref, error })
    }),
    /** What to re-track after a rejoin; tracking also turns presence on for every later join. */
    rememberTracking: assign(({ context, event }) => {
      if (event.type === 'untrack') return { tracked: null }
      if (event.type !== 'track') return {}
      const config = context.config.presence.enabled ? context.config : { ...context.config, presence: { ...context.config.presence, enabled: true } }
      return { tracked: event.payload, config }
    }),
    /** Leaving (or being closed) ends the presence on the server: nothing to re-track at a later subscribe. */
    forgetTracking: assign({ tracked: null, retrackRef: null }),
    /**
     * Joined: what waited goes out under the new join ref, in order; then, after a (re)join, presence is
     * tracked again as it was (the server forgot it), unless a track/untrack was among what waited (it
     * says what the user wants last). Pushes that expect no reply are done once sent, so their timers
     * stop; the re-track gets a timer of its own (its failure is reported by `checkRetrack`). With
     * nothing waiting, nothing tracked and no re-track pending this is a no-op, as on most joins.
     */
    flushBuffer: enqueueActions(({ context, enqueue }) => {
      const { buffer, tracked } = context
      // A re-track of an earlier join still pending is forgotten below (its timer then finds no match).
      if (buffer.length === 0 && tracked === null && context.retrackRef === null) return
      const retrackRef = tracked === null || buffer.some((push) => push.event === 'presence') ? null : context.makeRef()
      // The named `transmit` (by name, so `.provide({ actions: { transmit } })` applies); the action's own
      // type is not known to itself while `setup` is being typed, hence the cast.
      enqueue({ type: 'transmit', params: joinedFrames(context, retrackRef) } as unknown as Parameters<typeof enqueue>[0])
      if (retrackRef !== null) enqueue.raise({ type: 'push.expired', ref: retrackRef }, { id: pushTimerId(retrackRef), delay: 'pushTimeout' })
      for (const push of buffer) if (!push.expectReply) enqueue.cancel(pushTimerId(push.ref))
      enqueue.assign({ buffer: [], retrackRef })
    }),
    /** Nobody awaits the automatic re-track, so its failure becomes an `error` event. */
    checkRetrack: enqueueActions(({ context, event, enqueue }) => {
      if (context.retrackRef === null) return
      let failure: string | null = null
      if (event.type === 'push.expired' && event.ref === context.retrackRef) failure = `no reply within ${context.timeoutMs} ms`
      else if (event.type === 'message' && event.message.event === 'phx_reply' && event.message.ref === context.retrackRef) {
        const { status, response } = replyOf(event.message)
        if (status === 'ok') return void enqueue.assign({ retrackRef: null })
        failure = `the server answered ${status}: ${typeof response === 'string' ? response : JSON.stringify(response)}`
      } else return
      const error = new RealtimeError(event.type === 'push.expired' ? 'timeout' : 'push_failed', `re-tracking presence on ${context.topic} after the rejoin failed: ${failure}`, {
        topic: context.topic,
        ref: context.retrackRef,
      })
      enqueue.assign({ retrackRef: null })
      enqueue.emit({ type: 'error', topic: context.topic, error })
    }),
    expirePush: enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'push.expired') return
      if (context.buffer.some((push) => push.ref === event.ref)) {
        enqueue.assign({ buffer: context.buffer.filter((push) => push.ref !== event.ref) })
      }
      enqueue.emit({ type: 'push.timeout', topic: context.topic, ref: event.ref })
    }),
  },
})

const machine = channelSetup.createMachine({
  id: 'channel',
  context: ({ input }) => ({
    topic: input.topic,
    config: channelConfig(input.config),
    accessToken: input.accessToken ?? null,
    joinRef: null,
    leaveRef: null,
    attempts: 0,
    socketOpen: input.socketOpen ?? false,
    buffer: [],
    tracked: null,
    retrackRef: null,
    error: null,
    gapSince: null,
    status: 'closed',
    joinTimeoutMs: null,
    timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    rejoinDelays: input.rejoinDelays ?? DEFAULT_REJOIN_DELAYS,
    bufferSize: input.bufferSize ?? DEFAULT_CHANNEL_BUFFER_SIZE,
    makeRef: input.makeRef,
    now: input.now ?? Date.now,
  }),
  initial: 'closed',
  on: {
    'push.expired': { actions: ['checkRetrack', 'expirePush'] },
    configure: { actions: 'configure' },
    setAuth: { actions: 'updateToken' },
    'socket.open': { actions: 'openSocketAndResetAttempts' },
    'socket.closed': { actions: 'closeSocket' },
    message: [
      { guard: 'isSystem', actions: 'emitSystem' },
      { guard: 'isReply', actions: ['checkRetrack', 'settlePush'] },
    ],
  },
  states: {
    closed: {
      description: 'Not joined and not trying to. The only state a push is refused in (with leaving).',
      entry: ['enterClosed', 'clearJoinState', 'failBuffered', 'notifyClosed'],
      on: {
        subscribe: [
          { guard: 'socketOpen', target: 'joining.sending', actions: 'prepareJoin' },
          { target: 'joining.waitingForSocket', actions: 'prepareJoin' },
        ],
        unsubscribe: { actions: 'notifyClosed' },
        push: { actions: 'rejectPush' },
        track: { actions: 'rejectPush' },
        untrack: { actions: 'rejectPush' },
      },
    },
    joining: {
      description: 'A join is wanted. The join push goes out only while the socket is open; the join timeout runs either way.',
      entry: [{ type: 'announce', params: { state: 'joining' } }, { type: 'recordStatus', params: { state: 'joining' } }],
      initial: 'start',
      after: {
        joinTimeout: { target: 'errored', actions: ['recordJoinTimeout', { type: 'transmit', params: abandonJoinFrames }, 'countFailure'] },
      },
      states: {
        start: {
          description: 'Picks the child by the socket. The frequent transitions (a first subscribe, a new socket, the end of a backoff) go straight to the child instead.',
          always: [{ guard: 'socketOpen', target: 'sending' }, { target: 'waitingForSocket' }],
        },
        waitingForSocket: {
          entry: 'forgetJoin',
          on: {
            'socket.open': { target: 'sending', actions: 'openSocket' },
            unsubscribe: { target: '#channel.closed' },
          },
        },
        sending: {
          entry: ['newJoinRef', { type: 'transmit', params: joinFrames }],
          on: {
            // A new socket knows nothing of the join sent on the old one: join again with a fresh ref.
            'socket.open': { target: 'sending', reenter: true, actions: 'openSocket' },
            'socket.closed': { target: '#channel.errored.waitingForSocket', actions: { type: 'recordSocketLoss', params: { gap: false } } },
            // The server may already have joined: leave properly.
            unsubscribe: { target: '#channel.leaving' },
          },
        },
      },
      on: {
        push: { actions: 'bufferPush' },
        track: { actions: ['rememberTracking', 'bufferPush'] },
        untrack: { actions: ['rememberTracking', 'bufferPush'] },
        message: [
          { guard: 'isJoinOk', target: 'joined' },
          { guard: 'isJoinError', target: 'errored', actions: ['recordJoinError', 'countFailure'] },
          { guard: 'isChannelError', target: 'errored', actions: ['recordChannelError', 'countFailure'] },
          { guard: 'isChannelClose', target: 'closed', actions: 'recordServerClose' },
        ],
      },
    },
    joined: {
      description: 'The server accepted the join. Pushes go out at once; broadcasts reach listeners without entering this machine.',
      entry: [
        { type: 'announce', params: { state: 'joined' } },
        'flushBuffer',
        'joinSucceeded',
      ],
      on: {
        push: [
          { guard: 'expectsReply', actions: [{ type: 'transmit', params: pushFrames }, 'armReplyTimer'] },
          // A broadcast without ack: sent, and done (the most frequent push).
          { actions: { type: 'transmit', params: pushFrames } },
        ],
        track: { actions: ['rememberTracking', { type: 'transmit', params: pushFrames }, 'armReplyTimer'] },
        untrack: { actions: ['rememberTracking', { type: 'transmit', params: pushFrames }, 'armReplyTimer'] },
        setAuth: { actions: [{ type: 'transmit', params: tokenFrames }, 'updateToken'] },
        unsubscribe: { target: 'leaving' },
        // An open socket we did not see close is a new socket: the server no longer has this channel.
        'socket.open': { target: 'joining.sending', actions: ['openSocket', 'markGap'] },
        'socket.closed': { target: 'errored.waitingForSocket', actions: { type: 'recordSocketLoss', params: { gap: true } } },
        message: [
          { guard: 'isChannelError', target: 'errored', actions: ['recordChannelError', 'countFailure', 'markGap'] },
          { guard: 'isChannelClose', target: 'closed', actions: 'recordServerClose' },
        ],
      },
    },
    leaving: {
      description: 'phx_leave sent; closed on its reply, on phx_close, on the push timeout, or when the socket goes.',
      entry: [{ type: 'announce', params: { state: 'leaving' } }, { type: 'recordStatus', params: { state: 'leaving' } }, 'clearError', 'failBuffered', 'forgetTracking', 'newLeaveRef', { type: 'transmit', params: leaveFrames }],
      after: { pushTimeout: { target: 'closed', actions: 'recordLeaveTimeout' } },
      on: {
        push: { actions: 'rejectPush' },
        track: { actions: 'rejectPush' },
        untrack: { actions: 'rejectPush' },
        // The server channel dies with the socket: nothing left to leave.
        'socket.closed': { target: 'closed', actions: 'closeSocket' },
        message: [
          { guard: 'isLeaveReply', target: 'closed', actions: 'settlePush' },
          { guard: 'isChannelClose', target: 'closed' },
          { guard: 'isChannelError', target: 'closed' },
        ],
      },
    },
    errored: {
      description: 'Not joined against our will. Rejoins after the backoff while the socket is open, at once when it opens.',
      entry: [{ type: 'announce', params: { state: 'errored' } }, { type: 'recordStatus', params: { state: 'errored' } }],
      initial: 'start',
      states: {
        start: {
          always: [{ guard: 'isFinalError', target: 'halted' }, { guard: 'socketOpen', target: 'backoff' }, { target: 'waitingForSocket' }],
        },
        backoff: {
          // Backing off only while the socket is open (it moves to waitingForSocket when the socket goes).
          after: { rejoinDelay: { target: '#channel.joining.sending' } },
          on: { 'socket.closed': { target: 'waitingForSocket', actions: 'closeSocket' } },
        },
        waitingForSocket: {},
        halted: {
          description: 'A join error no retry can fix (join-policy.ts). A new token or an explicit subscribe tries again.',
          on: {
            'socket.open': { actions: 'openSocket' },
            setAuth: { target: '#channel.joining', actions: ['updateToken', 'clearError', 'resetAttempts'] },
          },
        },
      },
      on: {
        'socket.open': { target: 'joining.sending', actions: 'openSocketAndResetAttempts' },
        subscribe: { target: 'joining', actions: ['prepareJoin', 'resetAttempts'] },
        // No server channel exists for an errored channel: closing needs no round trip.
        unsubscribe: { target: 'closed', actions: 'clearError' },
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
