/**
 * `RealtimeChannel`: the facade of one topic's channel actor. Lifecycle calls become events for the
 * root actor; broadcasts arrive from the router straight into the listener lists. The listeners live
 * here, not in the actor, so they survive rejoins, reconnects and even a remove / subscribe cycle.
 */
import type { Subscription } from 'xstate'
import { channelStateOf, type ChannelActorRef } from '../machines/channel.machine.js'
import type { ChannelConfigInput, ChannelEmitted, ChannelStateName } from '../machines/channel.types.js'
import type { ClientEvent } from '../machines/client.types.js'
import type { AckOutcome } from './acks.js'
import { BroadcastListeners, type BroadcastCallback, type BroadcastMessage } from './broadcast-listeners.js'
import { RealtimeError } from './errors.js'
import type { RealtimeEvent } from './events.js'
import type { HttpSendResult } from './http-send.js'
import { isBinary } from './protocol/binary.js'
import { TOPIC_PREFIX, VSN_1, type BroadcastPayload, type PhoenixMessage, type Vsn } from './protocol/types.js'
import type { RouteTarget } from './router.js'

export interface ChannelOptions extends ChannelConfigInput {
  /** realtime-js's spelling (`{ config: { broadcast: { self: true } } }`), merged under the options above. */
  config?: ChannelConfigInput
}

export type UnsubscribeResult = 'ok' | 'timed out'

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
  send(event: ClientEvent): void
  makeRef(): string
  trackAck(ref: string): void
  settleAck(ref: string, outcome: AckOutcome): void
  emit(event: RealtimeEvent): void
  hasListeners(): boolean
  reportListenerError(topic: string, error: unknown): void
  /** Re-register a removed channel; false when another channel now owns the topic. */
  reattach(channel: RealtimeChannel): boolean
  httpSend(channel: RealtimeChannel, event: string, payload: unknown, options: PushOptions): Promise<HttpSendResult>
}

type Waiter = { kind: 'join'; resolve: () => void; reject: (error: RealtimeError) => void } | { kind: 'leave'; resolve: (result: UnsubscribeResult) => void }

const MAX_NAME_BYTES = 255
const encoder = new TextEncoder()

export function normalizeTopic(topic: string): string {
  if (typeof topic !== 'string' || topic.length === 0) throw new RealtimeError('invalid_argument', 'a channel needs a topic name', { topic })
  const full = topic.startsWith(TOPIC_PREFIX) ? topic : TOPIC_PREFIX + topic
  // `realtime:` alone is refused by the server for good (TopicNameRequired): say so now.
  if (full === TOPIC_PREFIX) throw new RealtimeError('invalid_argument', 'a channel needs a topic name after `realtime:`', { topic })
  return full
}

export function mergeChannelOptions(options: ChannelOptions = {}): ChannelConfigInput {
  const { config = {}, ...direct } = options
  const merged: ChannelConfigInput = { ...config }
  if (direct.broadcast) merged.broadcast = { ...config.broadcast, ...direct.broadcast }
  if (direct.presence) merged.presence = { ...config.presence, ...direct.presence }
  if (direct.postgres_changes) merged.postgres_changes = direct.postgres_changes
  if (direct.private !== undefined) merged.private = direct.private
  return merged
}

export class RealtimeChannel implements RouteTarget {
  /** Full topic, e.g. `realtime:room:lobby`. */
  readonly topic: string
  /** Topic without `realtime:`, as the REST endpoint wants it. */
  readonly subTopic: string
  readonly config: ChannelConfigInput
  private actor: ChannelActorRef | null = null
  private emitted: Subscription | null = null
  private readonly broadcasts = new BroadcastListeners()
  private readonly frameHandlers = new Map<string, (message: PhoenixMessage) => void>()
  private readonly waiters = new Set<Waiter>()

  constructor(
    private readonly host: ChannelHost,
    topic: string,
    config: ChannelConfigInput,
  ) {
    this.topic = topic
    this.subTopic = topic.slice(TOPIC_PREFIX.length)
    this.config = config
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
  on(type: 'broadcast', filter: { event: string }, callback: BroadcastCallback): () => void {
    if (type !== 'broadcast') throw new RealtimeError('invalid_argument', `on('${String(type)}') is not supported by this channel yet`, { type })
    return this.broadcasts.add(filter?.event, callback)
  }

  /**
   * Join. Resolves when joined; rejects with a RealtimeError when the join times out (`timeout`), is
   * refused (`join_failed`, the server's reason in `metadata.reason`), errors (`channel_error`,
   * `connection_closed`) or the channel closes. The channel keeps retrying after a rejection unless the
   * reason is final (see machines/join-policy.ts).
   */
  subscribe(options: SubscribeOptions = {}): Promise<void> {
    if (!this.actor && !this.host.reattach(this)) {
      return Promise.reject(new RealtimeError('channel_closed', `${this.topic} was removed and another channel now owns the topic`, { topic: this.topic }))
    }
    if (this.state === 'joined') return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      this.waiters.add({ kind: 'join', resolve, reject })
      const event: ClientEvent = options.timeoutMs === undefined ? { type: 'channel.subscribe', topic: this.topic } : { type: 'channel.subscribe', topic: this.topic, timeoutMs: options.timeoutMs }
      this.host.send(event)
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
      this.waiters.add({ kind: 'leave', resolve })
      this.host.send({ type: 'channel.remove', topic: this.topic })
    })
  }

  /**
   * Broadcast over the socket. On a joining (or rejoining) channel it waits in the channel's buffer.
   * @throws RealtimeError `not_joined` on a channel never subscribed, leaving or removed (use
   *   `httpSend` for REST), `invalid_argument` / `name_too_long` for a bad event or payload.
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
    if (this.actor) this.host.send({ type: 'channel.setAuth', topic: this.topic, token })
  }

  // ── used by the client and the router ──

  /** @internal Binds the channel actor of a new incarnation of the topic. */
  attach(actor: ChannelActorRef): void {
    if (this.actor === actor) return
    this.emitted?.unsubscribe()
    this.actor = actor
    this.emitted = actor.on('*', (event) => this.onEmitted(event))
  }

  /** @internal The client removed the channel actor. */
  detach(): void {
    this.emitted?.unsubscribe()
    this.emitted = null
    this.actor = null
    this.settleWaiters('closed', null)
  }

  /** @internal Feature modules (presence, postgres_changes) register their frame handlers here. */
  handleFrames(event: string, handler: (message: PhoenixMessage) => void): () => void {
    this.frameHandlers.set(event, handler)
    return () => {
      if (this.frameHandlers.get(event) === handler) this.frameHandlers.delete(event)
    }
  }

  /** @internal */
  dispatchBroadcast(payload: BroadcastPayload): void {
    this.broadcasts.dispatch(payload as BroadcastMessage, this.onListenerError)
    if (this.host.hasListeners()) {
      const event: RealtimeEvent =
        payload.meta === undefined
          ? { type: 'broadcast', topic: this.topic, event: payload.event, payload: payload.payload }
          : { type: 'broadcast', topic: this.topic, event: payload.event, payload: payload.payload, meta: payload.meta }
      this.host.emit(event)
    }
  }

  /** @internal */
  dispatchFrame(message: PhoenixMessage): void {
    this.frameHandlers.get(message.event)?.(message)
  }

  private readonly onListenerError = (error: unknown): void => this.host.reportListenerError(this.topic, error)

  private pushBroadcast(event: string, payload: unknown, expectReply: boolean, timeoutMs?: number, track = false): string {
    this.checkBroadcast(event, payload)
    const state = this.state
    if (!this.actor || state === 'closed' || state === 'leaving') {
      const why = this.actor ? `is ${state}` : 'was removed'
      throw new RealtimeError('not_joined', `cannot broadcast '${event}' on ${this.topic}: the channel ${why}; call subscribe() first (or httpSend() for REST)`, {
        topic: this.topic,
        state,
      })
    }
    const ref = this.host.makeRef()
    if (track) this.host.trackAck(ref)
    const body = { type: 'broadcast', event, payload }
    this.host.send(
      timeoutMs === undefined
        ? { type: 'channel.push', topic: this.topic, ref, event: 'broadcast', payload: body, expectReply }
        : { type: 'channel.push', topic: this.topic, ref, event: 'broadcast', payload: body, expectReply, timeoutMs },
    )
    return ref
  }

  private checkBroadcast(event: string, payload: unknown): void {
    if (typeof event !== 'string' || event.length === 0) {
      throw new RealtimeError('invalid_argument', `broadcast on ${this.topic}: the event must be a non-empty string`, { topic: this.topic })
    }
    if (this.host.vsn === VSN_1) {
      if (isBinary(payload)) {
        throw new RealtimeError('invalid_argument', 'binary payloads need vsn 2.0.0 (vsn 1.0.0 frames are JSON text)', { topic: this.topic, event })
      }
      return
    }
    // vsn 2.0.0 sends broadcasts as binary frames whose names are limited to 255 UTF-8 bytes.
    const bytes = encoder.encode(event).length
    if (bytes > MAX_NAME_BYTES) {
      throw new RealtimeError('name_too_long', `user_event length ${bytes} exceeds maximum of ${MAX_NAME_BYTES} bytes`, { field: 'user_event', bytes })
    }
  }

  private onEmitted(event: ChannelEmitted): void {
    switch (event.type) {
      case 'push.reply':
        this.host.settleAck(
          event.ref,
          event.status === 'ok'
            ? { ok: 'acknowledged' }
            : { error: new RealtimeError('push_failed', `the server refused the push: ${describe(event.response)}`, { topic: this.topic, ref: event.ref, response: event.response }) },
        )
        return
      case 'push.timeout':
        this.host.settleAck(event.ref, { error: 'timeout' })
        return
      case 'push.failed':
        this.host.settleAck(event.ref, { error: event.error })
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
    if (this.waiters.size === 0) return
    for (const waiter of [...this.waiters]) {
      if (waiter.kind === 'join') {
        if (state === 'joined') waiter.resolve()
        else if (state === 'errored') waiter.reject(error ?? new RealtimeError('channel_error', `joining ${this.topic} failed`, { topic: this.topic }))
        else if (state === 'closed') waiter.reject(error ?? new RealtimeError('channel_closed', `${this.topic} closed before it joined`, { topic: this.topic }))
        else continue
      } else {
        if (state !== 'closed') continue
        waiter.resolve(error?.code === 'timeout' ? 'timed out' : 'ok')
      }
      this.waiters.delete(waiter)
    }
  }
}

function describe(response: unknown): string {
  if (typeof response === 'string') return response
  try {
    return JSON.stringify(response) ?? 'error'
  } catch {
    return 'error'
  }
}
