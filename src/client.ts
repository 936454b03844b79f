/**
 * `createRealtimeClient(options)`: one root actor (`createRealtimeLogic`, machines/client/) that owns
 * the connection and every channel actor, plus the facades users call. The facade holds no lifecycle
 * state of its own: it sends events to the actors and reads their snapshots. What lives here: the
 * facade channels (which are also the router's table), the listener lists, and the push outcomes.
 */
import { createActor, type Subscription } from 'xstate'
import { DEFAULT_TIMEOUT_MS, type ChannelConfigInput } from '../machines/channel/contract.js'
import { channelActorOf, channelGroupActorOf, connectionStateOfClient, type ClientActorRef } from '../machines/client/client.machine.js'
import { groupAddOf } from '../machines/client/setup.js'
import { CLIENT_SYSTEM_ID, type ClientEmitted, type ClientEvent } from '../machines/client/contract.js'
import type { ConnectionStateName } from '../machines/connection/contract.js'
import { mergeChannelOptions, normalizeTopic, RealtimeChannel, sameChannelOptions, type ChannelHost, type ChannelOptions, type PushOptions, type UnsubscribeResult } from './channel.js'
import { checkClientEvent } from './client-events.js'
import { validateOptions, type RealtimeClientOptions } from './client-options.js'
import { wireBrowserLifecycle } from './connection.js'
import { RealtimeError } from './errors.js'
import { defaultLogger, ListenerList, type Logger, type RealtimeEvent, type RealtimeEventListener } from './events.js'
import { httpSend, type HttpSendResult } from './http-send.js'
import { DEFAULT_VSN, type PhoenixMessage, type Vsn } from './protocol/types.js'
import { PushOutcomes, type AckOutcome } from './push-outcomes.js'
import { redactInspection } from './inspect-redaction.js'
import { createRealtimeLogic } from './realtime-logic.js'
import { createRouter } from './router.js'

export interface WaitForAckOptions {
  /** Give up after this many ms with `{ error: 'timeout' }`. @default the push's own timeout */
  timeout?: number
}

export class RealtimeClient {
  /** The root actor, for XState apps and inspection (`client.actor.system.get('realtime-channel:<topic>')`). */
  readonly actor: ClientActorRef
  /** The facade channels by topic: the router's table too. */
  private readonly channels = new Map<string, RealtimeChannel>()
  private readonly outcomes = new PushOutcomes()
  private readonly listeners = new ListenerList<RealtimeEvent>()
  private readonly logger: Logger
  private readonly vsn: Vsn
  private readonly timeoutMs: number
  private readonly host: ChannelHost
  private readonly rootEvents: Subscription
  private readonly unwireLifecycle: () => void
  private refCounter = 0
  private closed = false

  constructor(private readonly options: RealtimeClientOptions) {
    validateOptions(options)
    this.logger = options.logger ?? defaultLogger
    this.vsn = options.vsn ?? DEFAULT_VSN
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    if (options.handleEvent) this.listeners.add(options.handleEvent)
    const heartbeatCallback = options.heartbeatCallback
    if (heartbeatCallback) {
      this.listeners.add((event) => {
        if (event.type === 'connection' && event.kind === 'heartbeat') heartbeatCallback(event.status, event.rttMs)
      })
    }
    this.host = this.createHost()

    const route = createRouter((topic) => this.channels.get(topic))
    const clock = options.clock
    const now = clock?.now !== undefined ? (): number => clock.now!() : Date.now
    const deliver = (message: PhoenixMessage, _system?: unknown, raw?: string): void => route(message, raw)
    const logic = createRealtimeLogic({ ...options, deliver, now })
    const connection = typeof options.connectionLogic === 'function' ? options.connectionLogic({ deliver, now }) : options.connectionLogic
    const input = {
      url: options.url,
      apikey: options.apikey,
      vsn: this.vsn,
      accessToken: options.accessToken ?? null,
      timeoutMs: this.timeoutMs,
      // A token function can replace an expiring or expired token (rotation, rejoin after expiry).
      refreshTokens: options.accessTokenFn !== undefined,
      ...(options.tokenRefreshMarginMs !== undefined && { tokenRefreshMarginMs: options.tokenRefreshMarginMs }),
      ...(options.sendBufferSize !== undefined && { sendBufferSize: options.sendBufferSize }),
      ...(options.channelBufferSize !== undefined && { channelBufferSize: options.channelBufferSize }),
      ...(options.rejoinDelays !== undefined && { rejoinDelays: options.rejoinDelays }),
      ...(Array.isArray(options.reconnectDelays) && { reconnectDelays: options.reconnectDelays as readonly number[] }),
      ...(options.heartbeatIntervalMs !== undefined && { heartbeatIntervalMs: options.heartbeatIntervalMs }),
      ...(options.emptyChannelsGraceMs !== undefined && { emptyChannelsGraceMs: options.emptyChannelsGraceMs }),
    }
    this.actor = createActor(connection ? logic.provide({ actors: { connection } }) : logic, {
      input,
      systemId: options.systemId ?? CLIENT_SYSTEM_ID,
      // What the inspector sees carries no token (src/inspect-redaction.ts).
      ...(options.inspect !== undefined && { inspect: redactInspection(options.inspect) }),
      ...(options.clock !== undefined && { clock: options.clock }),
    })
    this.rootEvents = this.actor.on('*', (event) => this.onRootEvent(event))
    this.actor.subscribe({ error: (error) => this.log('error', 'the client actor stopped on an error', error) })
    this.actor.start()
    this.unwireLifecycle = wireBrowserLifecycle((event) => this.actor.send(event), options)
  }

  /** Open the socket (also happens on the first `subscribe()`). */
  connect(): void {
    this.assertOpen('connect')
    this.actor.send({ type: 'connect' })
  }

  /** `connecting | open | closing | closed` (the reconnect wait counts as `closed`). */
  connectionState(): ConnectionStateName {
    return connectionStateOfClient(this.actor.getSnapshot())
  }

  /**
   * The channel of `topic` (`realtime:` is added when missing). The same topic gives the same channel;
   * asking for it again with other options is an `invalid_argument` error (they would be ignored).
   */
  channel(topic: string, options: ChannelOptions = {}): RealtimeChannel {
    this.assertOpen('channel')
    const full = normalizeTopic(topic)
    const config = mergeChannelOptions(options)
    const existing = this.channels.get(full)
    if (existing) {
      if (!sameChannelOptions(existing.createdWith, config)) {
        throw new RealtimeError('invalid_argument', `channel('${full}') exists with other options; remove it first or reuse it as is`, {
          topic: full,
          existing: existing.createdWith,
          requested: config,
        })
      }
      return existing
    }
    const channel = new RealtimeChannel(this.host, full, config)
    this.channels.set(full, channel)
    this.addChannelActor(full, channel.config)
    channel.expectActor()
    return channel
  }

  getChannels(): RealtimeChannel[] {
    return [...this.channels.values()]
  }

  /** Leave and forget a channel; resolves after the server's reply or the timeout. */
  removeChannel(channel: RealtimeChannel): Promise<UnsubscribeResult> {
    return channel.unsubscribe()
  }

  /** Remove every channel, then disconnect (as realtime-js does). */
  async removeAllChannels(): Promise<UnsubscribeResult[]> {
    const results = await Promise.all(this.getChannels().map((channel) => channel.unsubscribe()))
    await this.disconnect()
    return results
  }

  /**
   * A token for every channel and the next connections; null goes back to `accessToken` / the apikey.
   * @throws RealtimeError `invalid_argument` for anything but a non-empty string or null.
   */
  setAuth(token: string | null): void {
    this.assertOpen('setAuth')
    this.actor.send(checkClientEvent({ type: 'setAuth', token }))
  }

  /** The outcome of a `broadcastWithAck`: acknowledged, timed out, or the server's error. */
  waitForAck(ref: string, options: WaitForAckOptions = {}): Promise<AckOutcome> {
    return this.outcomes.wait(ref, options.timeout)
  }

  /** Every `RealtimeEvent` of this client. Returns an idempotent disposer. */
  subscribe(listener: RealtimeEventListener): () => void {
    if (typeof listener !== 'function') throw new RealtimeError('invalid_argument', 'client.subscribe(listener): the listener must be a function')
    return this.listeners.add(listener)
  }

  /**
   * An event for the root actor (see `ClientEvent`).
   * @throws RealtimeError `invalid_argument` for a malformed event or one only the machines may send.
   */
  send(event: ClientEvent): void {
    this.assertOpen('send')
    const checked = checkClientEvent(event)
    this.actor.send(checked)
    // A channel created through the root's events gets a facade too, as one from channel() would.
    if (checked.type === 'channel.add') this.adopt(checked.topic)
  }

  /** Close the socket (no reconnect). Resolves `'ok'` once closed, `'timeout'` if it does not close in time. */
  disconnect(): Promise<'ok' | 'timeout'> {
    if (this.closed || this.connectionState() === 'closed') {
      if (!this.closed) this.actor.send({ type: 'disconnect' })
      return Promise.resolve('ok')
    }
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined
      const stop = this.subscribe((event) => {
        if (event.type === 'connection' && event.kind === 'state_change' && event.new === 'closed') finish('ok')
      })
      const finish = (result: 'ok' | 'timeout'): void => {
        clearTimeout(timer)
        stop()
        resolve(result)
      }
      timer = setTimeout(() => finish('timeout'), this.timeoutMs)
      this.actor.send({ type: 'disconnect' })
    })
  }

  /**
   * Disconnect, close every channel, and stop every actor of this client; it cannot be used
   * afterwards. The socket is closed whatever happened before (the root actor stopping closes it).
   */
  async close(): Promise<void> {
    if (this.closed) return
    await this.disconnect()
    this.closed = true
    // The socket is gone: every channel closes without a round trip (errored and joining ones at once).
    for (const channel of this.channels.values()) channel.closeForGood()
    this.unwireLifecycle()
    this.rootEvents.unsubscribe()
    for (const channel of this.channels.values()) channel.detach()
    this.channels.clear()
    this.outcomes.failAll(new RealtimeError('connection_closed', 'the client was closed before the push was answered'))
    this.actor.stop()
  }

  private readonly makeRef = (): string => `p${++this.refCounter}`

  private assertOpen(what: string): void {
    if (this.closed) throw new RealtimeError('connection_closed', `${what}(): this client was closed`)
  }

  /** Every line the client logs goes through here (the test run's secret scan watches it). */
  private log(...entry: Parameters<Logger>): void {
    this.logger(...entry)
  }

  private emit(event: RealtimeEvent): void {
    if (this.listeners.size > 0) this.listeners.dispatch(event, (error) => this.log('error', `a listener threw on a ${event.type} event`, error))
  }

  private onRootEvent(event: ClientEmitted): void {
    switch (event.type) {
      case 'connection':
      case 'error':
        this.emit(event)
        return
      case 'channel':
        this.unbind(event.topic)
        return
      default: {
        const unreachable: never = event
        return unreachable
      }
    }
  }

  /**
   * The channel actor of `topic`: asked of its channel group directly when the group exists (the
   * facade's own actors; one event instead of the root's `channel.add` and its forward), else through
   * the root's `channel.add`, which makes the group. Either way the group decides; it starts the
   * channel online when the root's connection region is `open`.
   */
  private addChannelActor(topic: string, config: ChannelConfigInput): void {
    const snapshot = this.actor.getSnapshot()
    const group = channelGroupActorOf(snapshot, topic)
    if (group === undefined) this.actor.send({ type: 'channel.add', topic, config })
    else group.send(groupAddOf(snapshot.context, topic, config, connectionStateOfClient(snapshot) === 'open'))
  }

  /** A raw `channel.add` (through `send`): the topic gets a facade channel bound to its actor. */
  private adopt(topic: string): void {
    let channel = this.channels.get(topic)
    if (!channel) {
      channel = new RealtimeChannel(this.host, topic, {})
      this.channels.set(topic, channel)
    }
    channel.expectActor()
  }

  private unbind(topic: string): void {
    const channel = this.channels.get(topic)
    if (!channel) return
    this.channels.delete(topic)
    channel.detach()
  }

  private createHost(): ChannelHost {
    return {
      vsn: this.vsn,
      postgresTypes: this.options.postgresTypes,
      connect: () => {
        const state = this.connectionState()
        if (state !== 'open' && state !== 'connecting') this.actor.send({ type: 'connect' })
      },
      remove: (topic) => this.actor.send({ type: 'channel.remove', topic }),
      actorFor: (topic) => channelActorOf(this.actor.getSnapshot(), topic),
      makeRef: this.makeRef,
      outcomes: this.outcomes,
      emit: (event) => this.emit(event),
      hasListeners: () => this.listeners.size > 0,
      reportListenerError: (topic, error) => this.log('error', `a listener of ${topic} threw`, error),
      reattach: (channel) => {
        if (this.closed) return false
        const current = this.channels.get(channel.topic)
        if (current && current !== channel) return false
        this.channels.set(channel.topic, channel)
        this.addChannelActor(channel.topic, channel.config)
        channel.expectActor()
        return channel.attached
      },
      httpSend: (channel, event, payload, options) => this.httpSend(channel, event, payload, options),
    }
  }

  private async httpSend(channel: RealtimeChannel, event: string, payload: unknown, options: PushOptions): Promise<HttpSendResult> {
    const fetchImpl = this.options.fetch ?? globalThis.fetch
    if (typeof fetchImpl !== 'function') throw new RealtimeError('no_transport', 'httpSend(): no fetch implementation (pass the `fetch` option)')
    return httpSend({
      url: this.options.url,
      apikey: this.options.apikey,
      token: await this.currentToken(),
      subTopic: channel.subTopic,
      event,
      payload,
      private: channel.config.private === true,
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      fetch: fetchImpl,
    })
  }

  /** The token REST calls carry: the token function's answer, else the client's current token. */
  private async currentToken(): Promise<string | null> {
    const fallback = this.actor.getSnapshot().context.accessToken ?? this.options.accessToken ?? null
    if (!this.options.accessTokenFn) return fallback
    try {
      const token: unknown = await this.options.accessTokenFn()
      if (typeof token === 'string' && token.length > 0) return token
      // No token is a failure the app wants to hear of, here as before an upgrade (src/connection.ts).
      this.emit({ type: 'error', error: new RealtimeError('token_fetch_failed', `accessTokenFn returned ${token === null ? 'null' : typeof token} instead of a token`) })
      return fallback
    } catch (error) {
      this.emit({ type: 'error', error: new RealtimeError('token_fetch_failed', `accessTokenFn threw: ${(error as Error)?.message ?? String(error)}`) })
      return fallback
    }
  }
}

/** The client. See `RealtimeClientOptions` for the options and their defaults. */
export function createRealtimeClient(options: RealtimeClientOptions): RealtimeClient {
  return new RealtimeClient(options)
}

export type { AckOutcome }
