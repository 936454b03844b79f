/**
 * `RealtimeChannel`: the facade of one topic's channel actor. Calls become events for its own channel
 * actor (only `channel()` goes through the root, which creates the actor); broadcasts arrive from the
 * router straight into the listener lists. The listeners live here, not in the actor, so they survive
 * rejoins, reconnects and even a remove / subscribe cycle.
 */
import { channelStateOf, type ChannelActorRef } from '../machines/channel/channel.machine.js'
import { channelConfig, isDefaultConfigInput, type ChannelCommand, type ChannelConfigInput, type ChannelEmitted, type ChannelStateName } from '../machines/channel/contract.js'
import { describeResponse } from '../machines/channel/pushes.js'
import { PostgresChangeListeners, type PostgresChangeCallback } from './postgres/changes.js'
import { normalizeBinding, type PostgresChangesBinding } from './postgres/filter.js'
import type { PostgresConvertOptions } from './postgres/types.js'
import type { AckOutcome, PushOutcomes } from './push-outcomes.js'
import { BroadcastListeners, type BroadcastCallback, type BroadcastMessage } from './broadcast-listeners.js'
import { RealtimeError } from './errors.js'
import type { RealtimeEvent } from './events.js'
import type { HttpSendResult } from './http-send.js'
import { ChannelPresence } from './presence/channel-presence.js'
import type { PresenceListenEvent, PresencePayloadOf, PresenceResult, PresenceState } from './presence/types.js'
import { fieldLength, isBinary } from './protocol/binary.js'
import { TOPIC_PREFIX, VSN_1, type BroadcastPayload, type PhoenixMessage, type Vsn } from './protocol/types.js'
import type { RouteTarget } from './router.js'

export interface ChannelOptions extends ChannelConfigInput {
  /** realtime-js's spelling (`{ config: { broadcast: { self: true } } }`), merged under the options above. */
  config?: ChannelConfigInput
}

export type UnsubscribeResult = 'ok' | 'timed out'

export type { PresenceResult }

export interface SubscribeOptions {
  /** Join timeout for this subscribe. @default the client's `timeoutMs` */
  timeoutMs?: number
}

export interface PushOptions {
  /** How long the push may wait for its reply (or in the buffer). @default the client's `timeoutMs` */
  timeoutMs?: number
}

/** What a channel needs from its client. */
export interface ChannelHost {
  readonly vsn: Vsn
  /** Open the socket unless it is open or opening (a subscribe needs it). */
  connect(): void
  /** Leave the topic's channel and stop its actor once it is closed (the root's `channel.remove`). */
  remove(topic: string): void
  /** The channel actor of `topic` in the client's actor system, if it exists. */
  actorFor(topic: string): ChannelActorRef | undefined
  makeRef(): string
  /** The outcomes of pushes someone waits for (acks, presence). */
  readonly outcomes: PushOutcomes
  /** How postgres change values are converted. */
  readonly postgresTypes: PostgresConvertOptions | undefined
  emit(event: RealtimeEvent): void
  hasListeners(): boolean
  reportListenerError(topic: string, error: unknown): void
  /** Re-register a removed channel; false when another channel now owns the topic. */
  reattach(channel: RealtimeChannel): boolean
  httpSend(channel: RealtimeChannel, event: string, payload: unknown, options: PushOptions): Promise<HttpSendResult>
}

type Waiter = { kind: 'join'; resolve: () => void; reject: (error: RealtimeError) => void } | { kind: 'leave'; resolve: (result: UnsubscribeResult) => void }

export function normalizeTopic(topic: string): string {
  if (typeof topic !== 'string' || topic.length === 0) throw new RealtimeError('invalid_argument', 'a channel needs a topic name', { topic })
  const full = topic.startsWith(TOPIC_PREFIX) ? topic : TOPIC_PREFIX + topic
  // `realtime:` alone is refused by the server for good (TopicNameRequired): say so now.
  if (full === TOPIC_PREFIX) throw new RealtimeError('invalid_argument', 'a channel needs a topic name after `realtime:`', { topic })
  return full
}

/** The options of a channel created without any: one frozen object shared by all of them (issue 6: heap per channel). */
const NO_OPTIONS: ChannelConfigInput = Object.freeze({})

/**
 * The options as one join config input; postgres_changes bindings are checked here, before any join.
 * @throws RealtimeError `invalid_argument` for a bad binding or filter.
 */
export function mergeChannelOptions(options: ChannelOptions = {}): ChannelConfigInput {
  const { config = {}, ...direct } = options
  const merged: ChannelConfigInput = { ...config }
  if (direct.broadcast) merged.broadcast = { ...config.broadcast, ...direct.broadcast }
  if (direct.presence) merged.presence = { ...config.presence, ...direct.presence }
  const bindings = direct.postgres_changes ?? config.postgres_changes
  if (bindings !== undefined) {
    if (!Array.isArray(bindings)) throw new RealtimeError('invalid_argument', 'postgres_changes must be an array of bindings', { postgres_changes: bindings })
    merged.postgres_changes = bindings.map(normalizeBinding)
  }
  if (direct.private !== undefined) merged.private = direct.private
  return isDefaultConfigInput(merged) ? NO_OPTIONS : merged
}

/** Whether two channel option sets give the same join config. */
export function sameChannelOptions(a: ChannelConfigInput, b: ChannelConfigInput): boolean {
  return a === b || JSON.stringify(channelConfig(a)) === JSON.stringify(channelConfig(b))
}

/** What `track` resolves with for each push outcome. */
function presenceResultOf(outcome: AckOutcome): PresenceResult {
  if ('ok' in outcome) return 'ok'
  return outcome.error === 'timeout' ? 'timed out' : 'error'
}

export class RealtimeChannel implements RouteTarget {
  /** Full topic, e.g. `realtime:room:lobby`. */
  readonly topic: string
  /** Topic without `realtime:`, as the REST endpoint wants it. */
  get subTopic(): string {
    return this.topic.slice(TOPIC_PREFIX.length)
  }
  private currentConfig: ChannelConfigInput
  /** The channel actor of the current incarnation; see `actor`. */
  private bound: ChannelActorRef | null = null
  /** A `channel.add` was sent and the actor not found yet (the root was busy): look it up on use. */
  private awaitingActor = false
  // Created on first use: most channels of a large client never need them (issue 6, heap per channel).
  private broadcastsOrNull: BroadcastListeners | null = null
  private frameHandlers: Map<string, (message: PhoenixMessage) => void> | null = null
  private waiters: Set<Waiter> | null = null
  private presenceOrNull: ChannelPresence | null = null
  private presenceWired = false
  private changesOrNull: PostgresChangeListeners | null = null
  /** The options `channel()` was called with (a second call must ask for the same). */
  readonly createdWith: ChannelConfigInput

  constructor(
    private readonly host: ChannelHost,
    topic: string,
    config: ChannelConfigInput,
  ) {
    this.topic = topic
    this.currentConfig = config
    this.createdWith = config
    // A presence key (or `enabled`) turns presence on: its frames reach the store from the first join.
    if (channelConfig(config).presence.enabled) this.wirePresence()
  }

  private get changes(): PostgresChangeListeners {
    return (this.changesOrNull ??= new PostgresChangeListeners())
  }

  private get broadcasts(): BroadcastListeners {
    return (this.broadcastsOrNull ??= new BroadcastListeners())
  }

  /** The presence store and listeners, made when presence is first used (listened to, tracked, read or wired). */
  private get presence(): ChannelPresence {
    if (this.presenceOrNull === null) {
      const host = this.host
      this.presenceOrNull = new ChannelPresence({
        topic: this.topic,
        joinRef: () => this.actor?.getSnapshot().context.joinRef ?? null,
        hasClientListeners: () => host.hasListeners(),
        emit: (event) => host.emit(event),
        onListenerError: this.onListenerError,
      })
    }
    return this.presenceOrNull
  }

  /** The options the channel was created with, plus `presence.enabled` once presence is listened to or tracked. */
  get config(): ChannelConfigInput {
    return this.currentConfig
  }

  /** The channel actor of the current incarnation; null once the channel is removed. */
  get actorRef(): ChannelActorRef | null {
    return this.actor
  }

  /** `closed | joining | joined | leaving | errored`; a removed channel is `closed`. */
  get state(): ChannelStateName {
    return this.actor ? channelStateOf(this.actor.getSnapshot()) : 'closed'
  }

  /** Whether the client still holds this channel (false after unsubscribe / removeChannel completed). */
  get attached(): boolean {
    return this.actor !== null
  }

  /**
   * Listen to broadcasts named `event` (case-insensitive) or to all of them with `'*'` / `'all'`.
   * The callback receives `{ type: 'broadcast', event, payload, meta? }`. Returns an idempotent disposer.
   */
  on(type: 'broadcast', filter: { event: string }, callback: BroadcastCallback): () => void
  /**
   * Listen to presence `join`, `leave`, `sync` or all three (`'*'`), with realtime-js's payloads
   * (`{ event: 'join', key, currentPresences, newPresences }`, …). Listening turns presence on in the
   * join config, so add presence listeners before `subscribe()` (afterwards only when presence is
   * already on: `presence: { enabled: true }` or a `track()`), else `invalid_argument` is thrown.
   * Returns an idempotent disposer.
   */
  on<E extends PresenceListenEvent>(type: 'presence', filter: { event: E }, callback: (payload: PresencePayloadOf<E>) => void): () => void
  /**
   * Listen to database changes: `{ event: 'INSERT' | 'UPDATE' | 'DELETE' | '*' (or 'insert' … 'all'),
   * schema, table?, filter? }` with a `column=op.value` filter (eq, neq, lt, lte, gt, gte, in; see
   * `PostgresFilter`). The callback gets realtime-js's `{ schema, table, commit_timestamp, eventType,
   * new, old, errors }`, values converted by `PostgresTypes`. Bindings go into the join config, so
   * add them before `subscribe()`: on a channel that is joining or joined this throws
   * `invalid_argument` (realtime-js would rejoin behind your back; unsubscribe, add, subscribe again).
   * Returns an idempotent disposer.
   */
  on(type: 'postgres_changes', filter: PostgresChangesBinding, callback: PostgresChangeCallback): () => void
  on(type: 'broadcast' | 'presence' | 'postgres_changes', filter: { event: string }, callback: (payload: never) => void): () => void {
    if (type === 'broadcast') return this.broadcasts.add(filter?.event, callback as BroadcastCallback)
    if (type === 'postgres_changes') return this.onChanges(filter, callback as PostgresChangeCallback)
    if (type !== 'presence') throw new RealtimeError('invalid_argument', `on('${String(type)}') is not supported by this channel yet`, { type })
    const dispose = this.presence.listeners.add(filter?.event as PresenceListenEvent, callback as (payload: PresencePayloadOf<'*'>) => void)
    try {
      this.enablePresence('listen')
    } catch (error) {
      dispose()
      throw error
    }
    return dispose
  }

  /**
   * Track `state` as this client's presence under the channel's presence key (`presence: { key }`, or
   * one the server makes up). Resolves with the server's answer — `'ok'`, `'error'` (refused, or the
   * channel closed before it was sent) — or `'timed out'` after the push timeout, as realtime-js's
   * `track` does. While the channel is joining it waits in the channel's buffer. The channel
   * remembers `state` and tracks it again by itself after every rejoin or reconnect, until `untrack()`
   * or `unsubscribe()`; a `'timed out'` track is remembered too.
   * @throws (rejects) RealtimeError `invalid_argument` when `state` is not a JSON object, `not_joined`
   *   on a channel that was never subscribed, is leaving or was removed.
   */
  track(state: Record<string, unknown>, options: PushOptions = {}): Promise<PresenceResult> {
    let payload: Record<string, unknown>
    try {
      payload = jsonObject(state, this.topic)
      this.assertPushable('track presence')
    } catch (error) {
      return Promise.reject(error)
    }
    this.enablePresence('track')
    return this.presencePush((ref) => ({ type: 'track', ref, payload, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) }))
  }

  /** Stop tracking (and re-tracking). Resolves as `track` does; rejects with `not_joined` as `track` does. */
  untrack(options: PushOptions = {}): Promise<PresenceResult> {
    try {
      this.assertPushable('untrack presence')
    } catch (error) {
      return Promise.reject(error)
    }
    return this.presencePush((ref) => ({ type: 'untrack', ref, ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) }))
  }

  /**
   * `{ [key]: [{ ...meta, presence_ref }] }` as the server last reported it; `{}` until presence is
   * listened to or tracked. One live, read-only object with a null prototype, updated in place (O(1) to
   * read in a sync callback, whatever the room's size); `structuredClone` it to keep a snapshot. Each
   * key's array is frozen and replaced when that key changes, so it compares by reference. Kept after a
   * disconnect until the next join's `presence_state` replaces it (as Phoenix does; the differences are
   * then reported as joins/leaves).
   */
  presenceState(): PresenceState {
    return this.presence.store.presenceState()
  }

  /**
   * Join. Resolves when joined; rejects with a RealtimeError when the join times out (`timeout`), is
   * refused (`join_failed`, the server's reason in `metadata.reason`), errors (`channel_error`,
   * `connection_closed`) or the channel closes. The channel keeps retrying after a rejection unless the
   * reason is final (see machines/channel/join-policy.ts).
   */
  subscribe(options: SubscribeOptions = {}): Promise<void> {
    if (!this.actor && !this.host.reattach(this)) {
      return Promise.reject(new RealtimeError('channel_closed', `${this.topic} was removed and another channel now owns the topic`, { topic: this.topic }))
    }
    if (this.state === 'joined') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      ;(this.waiters ??= new Set()).add({ kind: 'join', resolve, reject })
      this.tell(options.timeoutMs === undefined ? { type: 'subscribe' } : { type: 'subscribe', timeoutMs: options.timeoutMs })
      this.host.connect()
    })
  }

  /**
   * Leave and remove the channel from the client. Resolves after the server's reply (`'ok'`) or the
   * push timeout (`'timed out'`) — never before; at once when there is nothing to leave (offline,
   * never joined, already removed).
   */
  unsubscribe(): Promise<UnsubscribeResult> {
    if (!this.actor) return Promise.resolve('ok')
    return new Promise<UnsubscribeResult>((resolve) => {
      ;(this.waiters ??= new Set()).add({ kind: 'leave', resolve })
      this.host.remove(this.topic)
    })
  }

  /**
   * Broadcast over the socket. On a joining (or rejoining) channel it waits in the channel's buffer.
   * @throws RealtimeError `not_joined` on a channel never subscribed, leaving or removed (use
   *   `httpSend` for REST), `invalid_argument` / `name_too_long` for a bad event name or payload, or
   *   a topic a binary frame cannot carry (vsn 2.0.0: over 255 UTF-8 bytes, unpaired surrogates).
   */
  broadcast(event: string, payload: unknown): void {
    this.pushBroadcast(event, payload, this.config.broadcast?.ack === true)
  }

  /** realtime-js's form of `broadcast`: `send({ type: 'broadcast', event, payload })`. */
  send(message: { type: 'broadcast'; event: string; payload: unknown }): void {
    if (message?.type !== 'broadcast') {
      throw new RealtimeError('invalid_argument', `send(): only { type: 'broadcast' } messages are supported, got ${String(message?.type)}`)
    }
    this.broadcast(message.event, message.payload)
  }

  /**
   * Broadcast and get the ref of its ack, for `client.waitForAck(ref)`. Needs `broadcast.ack: true`
   * in the channel options (the server only acks then).
   */
  async broadcastWithAck(event: string, payload: unknown, options: PushOptions = {}): Promise<string> {
    if (this.config.broadcast?.ack !== true) {
      throw new RealtimeError('invalid_argument', `broadcastWithAck(): ${this.topic} was created without broadcast.ack: true, so the server sends no ack`, {
        topic: this.topic,
      })
    }
    return this.pushBroadcast(event, payload, true, options.timeoutMs, true)
  }

  /** Deliver one broadcast through the REST endpoint, whatever the socket's state. */
  httpSend(event: string, payload: unknown, options: PushOptions = {}): Promise<HttpSendResult> {
    return this.host.httpSend(this, event, payload, options)
  }

  /** A token for this channel only (sent at once when joined, used by the next join otherwise). */
  setAuth(token: string | null): void {
    if (token !== null && (typeof token !== 'string' || token.length === 0)) {
      throw new RealtimeError('invalid_argument', `setAuth(token) on ${this.topic}: the token must be a non-empty string or null`, { topic: this.topic })
    }
    this.tell({ type: 'setAuth', token })
  }

  /** @internal The client was closed: the socket is gone, so the channel closes without a round trip. */
  closeForGood(): void {
    this.tell({ type: 'unsubscribe' })
  }

  // ── used by the client and the router ──

  private get actor(): ChannelActorRef | null {
    if (this.bound === null && this.awaitingActor) {
      const found = this.host.actorFor(this.topic)
      if (found !== undefined) this.attach(found)
    }
    return this.bound
  }

  /** @internal The client sent `channel.add` for this channel: bind its actor now, or on first use. */
  expectActor(): void {
    this.awaitingActor = true
    void this.actor
  }

  /** @internal Binds the channel actor of a new incarnation of the topic. */
  attach(actor: ChannelActorRef): void {
    this.awaitingActor = false
    if (this.bound === actor) return
    this.bound = actor
    // The subscription is not kept (issue 6: heap per channel): an actor is stopped, and dropped,
    // when the channel is removed; until then only the current incarnation's events count.
    actor.on('*', (event) => {
      if (this.bound === actor) this.onEmitted(event)
    })
  }

  /** @internal The client removed the channel actor (its pending pushes were failed as it closed). */
  detach(): void {
    this.bound = null
    this.awaitingActor = false
    this.settleWaiters('closed', null)
  }

  /** @internal Feature modules (presence, postgres_changes) register their frame handlers here. */
  handleFrames(event: string, handler: (message: PhoenixMessage) => void): () => void {
    const handlers = (this.frameHandlers ??= new Map())
    handlers.set(event, handler)
    return () => {
      if (handlers.get(event) === handler) handlers.delete(event)
    }
  }

  /** @internal A data frame from the router (broadcasts only while joined; `raw`: a postgres_changes frame's text). */
  dispatchData(message: PhoenixMessage, raw?: string): void {
    if (message.event === 'broadcast') this.dispatchBroadcast(message.payload as BroadcastPayload)
    else if (message.event === 'postgres_changes') this.dispatchChange(message, raw)
    else this.frameHandlers?.get(message.event)?.(message)
  }

  private dispatchChange(message: PhoenixMessage, raw: string | undefined): void {
    const bindings = this.actor?.getSnapshot().context.bindingIds ?? []
    const result = this.changes.deliver(message, { topic: this.topic, bindingIds: bindings, raw, options: this.host.postgresTypes }, this.onListenerError)
    if (result instanceof RealtimeError) {
      this.host.emit({ type: 'error', error: result, topic: this.topic })
      return
    }
    if (this.host.hasListeners()) {
      const kind = result.eventType === 'INSERT' ? 'insert' : result.eventType === 'UPDATE' ? 'update' : 'delete'
      this.host.emit({ type: 'postgres_changes', kind, topic: this.topic, payload: result })
    }
  }

  /** A binding added before the join: into the join config (once per distinct binding), and a listener on it. */
  private onChanges(filter: unknown, callback: PostgresChangeCallback): () => void {
    if (typeof callback !== 'function') throw new RealtimeError('invalid_argument', "on('postgres_changes'): the callback must be a function", { topic: this.topic })
    const binding = normalizeBinding(filter)
    const state = this.state
    if (state !== 'closed') {
      throw new RealtimeError('invalid_argument', `on('postgres_changes') on ${this.topic}: add bindings before subscribe() (the channel is ${state}; unsubscribe, add, subscribe again)`, {
        topic: this.topic,
        state,
      })
    }
    const current = this.currentConfig.postgres_changes ?? []
    let index = current.findIndex((existing) => JSON.stringify(existing) === JSON.stringify(binding))
    if (index < 0) {
      index = current.length
      const postgres_changes = [...current, binding]
      this.currentConfig = { ...this.currentConfig, postgres_changes }
      this.tell({ type: 'configure', config: { postgres_changes } })
    }
    return this.changes.add(index, binding.event, callback)
  }

  private dispatchBroadcast(payload: BroadcastPayload): void {
    this.broadcastsOrNull?.dispatch(payload as BroadcastMessage, this.onListenerError)
    if (this.host.hasListeners()) {
      const event: RealtimeEvent =
        payload.meta === undefined
          ? { type: 'broadcast', topic: this.topic, event: payload.event, payload: payload.payload }
          : { type: 'broadcast', topic: this.topic, event: payload.event, payload: payload.payload, meta: payload.meta }
      this.host.emit(event)
    }
  }

  private listenerErrorHandler: ((error: unknown) => void) | null = null

  /** Made on first use (a channel without listeners never needs it). */
  private get onListenerError(): (error: unknown) => void {
    return (this.listenerErrorHandler ??= (error) => this.host.reportListenerError(this.topic, error))
  }

  /** Pushes need a channel that joins or is joined (a buffered push waits for the join). */
  private assertPushable(what: string, hint = ''): void {
    const state = this.state
    if (this.actor && state !== 'closed' && state !== 'leaving') return
    const why = this.actor ? `is ${state}` : 'was removed'
    throw new RealtimeError('not_joined', `cannot ${what} on ${this.topic}: the channel ${why}; call subscribe() first${hint}`, { topic: this.topic, state })
  }

  private presencePush(event: (ref: string) => ChannelCommand): Promise<PresenceResult> {
    const ref = this.host.makeRef()
    this.host.outcomes.expect(ref)
    const outcome = this.host.outcomes.wait(ref)
    this.tell(event(ref))
    return outcome.then(presenceResultOf)
  }

  /** A command for this channel's own actor (nothing without one: the callers checked). */
  private tell(command: ChannelCommand): void {
    this.actor?.send(command)
  }

  /**
   * Presence frames reach the store from now on, and every later join asks the server for presence.
   * A listener added after the join cannot get the state the join did not ask for (only a new join
   * would), so that is refused instead of silently never firing; `track` turns presence on in the
   * machine itself (the server sends the state when tracking switches presence on).
   */
  private enablePresence(reason: 'listen' | 'track'): void {
    if (!channelConfig(this.currentConfig).presence.enabled) {
      const state = this.state
      const joinAsked = this.actor?.getSnapshot().context.config.presence.enabled === true
      if (reason === 'listen' && state !== 'closed' && !joinAsked) {
        throw new RealtimeError(
          'invalid_argument',
          `cannot add presence listeners to ${this.topic} after subscribe(): its join did not enable presence (add them before subscribe(), or create the channel with presence: { enabled: true })`,
          { topic: this.topic, state },
        )
      }
      this.currentConfig = { ...this.currentConfig, presence: { ...this.currentConfig.presence, enabled: true } }
      if (reason === 'listen') this.tell({ type: 'configure', config: { presence: { enabled: true } } })
    }
    this.wirePresence()
  }

  private wirePresence(): void {
    if (this.presenceWired) return
    this.presenceWired = true
    // Late frames of a closed channel would only pile up as pending diffs.
    const live = (handler: (message: PhoenixMessage) => void) => (message: PhoenixMessage) => {
      if (this.state !== 'closed') handler(message)
    }
    this.handleFrames('presence_state', live(this.presence.onState))
    this.handleFrames('presence_diff', live(this.presence.onDiff))
  }

  private pushBroadcast(event: string, payload: unknown, expectReply: boolean, timeoutMs?: number, track = false): string {
    this.checkBroadcast(event, payload)
    this.assertPushable(`broadcast '${event}'`, ' (or httpSend() for REST)')
    const ref = this.host.makeRef()
    if (track) this.host.outcomes.expect(ref)
    const body = { type: 'broadcast', event, payload }
    this.tell(timeoutMs === undefined ? { type: 'push', ref, event: 'broadcast', payload: body, expectReply } : { type: 'push', ref, event: 'broadcast', payload: body, expectReply, timeoutMs })
    return ref
  }

  private checkBroadcast(event: string, payload: unknown): void {
    if (typeof event !== 'string' || event.length === 0) {
      throw new RealtimeError('invalid_argument', `broadcast on ${this.topic}: the event must be a non-empty string`, { topic: this.topic })
    }
    // A payload the socket could not encode (BigInt, a cycle) fails here, at the call, not later as an
    // `error` event for a push the caller believes sent.
    if (!isBinary(payload)) assertJson(payload, `broadcast '${event}' on ${this.topic}`, this.topic)
    if (this.host.vsn === VSN_1) {
      if (isBinary(payload)) {
        throw new RealtimeError('invalid_argument', 'binary payloads need vsn 2.0.0 (vsn 1.0.0 frames are JSON text)', { topic: this.topic, event })
      }
      return
    }
    // vsn 2.0.0 sends broadcasts as binary frames whose names are limited to 255 UTF-8 bytes: checked
    // here, so the caller gets the error rather than the socket.
    fieldLength('topic', this.topic)
    fieldLength('user_event', event)
  }

  private onEmitted(event: ChannelEmitted): void {
    switch (event.type) {
      case 'push.reply':
        this.host.outcomes.settle(
          event.ref,
          event.status === 'ok'
            ? { ok: 'acknowledged' }
            : { error: new RealtimeError('push_failed', `the server refused the push: ${describeResponse(event.response)}`, { topic: this.topic, ref: event.ref, response: event.response }) },
        )
        return
      case 'push.timeout':
        this.host.outcomes.settle(event.ref, { error: 'timeout' })
        return
      case 'push.failed':
        this.host.outcomes.settle(event.ref, { error: event.error })
        return
      case 'error':
        this.host.emit({ type: 'error', error: event.error, topic: event.topic })
        return
      case 'channel':
        if (event.kind === 'state_change') this.settleWaiters(event.new, this.actor ? this.actor.getSnapshot().context.error : null)
        this.host.emit(event)
        return
      default: {
        const unreachable: never = event
        return unreachable
      }
    }
  }

  private settleWaiters(state: ChannelStateName, error: RealtimeError | null): void {
    const waiters = this.waiters
    if (waiters === null || waiters.size === 0) return
    for (const waiter of [...waiters]) {
      if (waiter.kind === 'join') {
        if (state === 'joined') waiter.resolve()
        else if (state === 'errored') waiter.reject(error ?? new RealtimeError('channel_error', `joining ${this.topic} failed`, { topic: this.topic }))
        else if (state === 'closed') waiter.reject(error ?? new RealtimeError('channel_closed', `${this.topic} closed before it joined`, { topic: this.topic }))
        else continue
      } else {
        if (state !== 'closed') continue
        waiter.resolve(error?.code === 'timeout' ? 'timed out' : 'ok')
      }
      waiters.delete(waiter)
    }
    if (waiters.size === 0) this.waiters = null
  }
}

function assertJson(value: unknown, what: string, topic: string): void {
  try {
    JSON.stringify(value)
  } catch (error) {
    throw new RealtimeError('invalid_argument', `${what}: the payload is not JSON-serialisable: ${(error as Error)?.message ?? String(error)}`, { topic })
  }
}

/** What `track` sends: a JSON copy, so later changes to the caller's object change nothing. */
function jsonObject(state: unknown, topic: string): Record<string, unknown> {
  if (state === null || typeof state !== 'object' || Array.isArray(state)) {
    throw new RealtimeError('invalid_argument', `track(state) on ${topic}: state must be an object (the server refuses anything else)`, { topic })
  }
  try {
    return JSON.parse(JSON.stringify(state)) as Record<string, unknown>
  } catch (error) {
    throw new RealtimeError('invalid_argument', `track(state) on ${topic}: state is not JSON-serialisable: ${(error as Error)?.message ?? String(error)}`, { topic })
  }
}
