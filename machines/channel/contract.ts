/**
 * The channel actor's contract: input, context, events, emitted facts, and the helpers that build the
 * `phx_join` payload. Kept apart from the statechart so the root machine and the facade can import the
 * types without the machine.
 */
import type { PhoenixMessage } from '../../src/protocol/types.js'
import type { RealtimeError } from '../../src/errors.js'

export type ChannelStateName = 'closed' | 'joining' | 'joined' | 'leaving' | 'errored'

/** One `postgres_changes` binding as the server expects it in the join payload (protocol.md §4.2). */
export interface PostgresChangesFilter {
  event: string
  schema: string
  table?: string
  filter?: string
}

/** `config` of the `phx_join` payload (protocol.md §4.2). */
export interface ChannelConfig {
  broadcast: { self: boolean; ack: boolean }
  presence: { key: string; enabled: boolean }
  postgres_changes: PostgresChangesFilter[]
  private: boolean
}

/** What a user may pass; everything missing takes the realtime-js default. */
export interface ChannelConfigInput {
  broadcast?: { self?: boolean; ack?: boolean }
  presence?: { key?: string; enabled?: boolean }
  postgres_changes?: PostgresChangesFilter[]
  private?: boolean
}

/**
 * realtime-js's defaults, frozen and shared by every channel created without options (issue 6: one
 * copy instead of four objects per channel). A config is never changed in place: `configure` and
 * `track` build a new one.
 */
const DEFAULT_CHANNEL_CONFIG: ChannelConfig = Object.freeze({
  broadcast: Object.freeze({ self: false, ack: false }),
  presence: Object.freeze({ key: '', enabled: false }),
  postgres_changes: Object.freeze([]) as unknown as PostgresChangesFilter[],
  private: false,
})

/** No option set: the channel takes every default. */
export function isDefaultConfigInput(input: ChannelConfigInput): boolean {
  return input.broadcast === undefined && input.presence === undefined && input.postgres_changes === undefined && input.private === undefined
}

export function channelConfig(input: ChannelConfigInput = {}): ChannelConfig {
  if (isDefaultConfigInput(input)) return DEFAULT_CHANNEL_CONFIG
  return {
    broadcast: { self: input.broadcast?.self ?? false, ack: input.broadcast?.ack ?? false },
    presence: { key: input.presence?.key ?? '', enabled: input.presence?.enabled ?? false },
    postgres_changes: [...(input.postgres_changes ?? [])],
    private: input.private ?? false,
  }
}

export interface JoinPayload {
  config: ChannelConfig
  access_token?: string
}

export function joinPayload(config: ChannelConfig, accessToken: string | null): JoinPayload {
  return accessToken ? { config, access_token: accessToken } : { config }
}

/** Rejoin backoff after the n-th consecutive failure (protocol.md §3.3: Phoenix's default). */
export const DEFAULT_REJOIN_DELAYS: readonly number[] = [1000, 2000, 5000, 10000]
export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_CHANNEL_BUFFER_SIZE = 100

export interface ChannelInput {
  /** Full topic, `realtime:` included. */
  topic: string
  config?: ChannelConfigInput
  /** Sent as `access_token` in the join payload; null: the server uses the connection's token. */
  accessToken?: string | null
  /** Socket-wide ref counter owned by the client: refs never repeat across channels or rejoins. */
  makeRef: () => string
  /** Wall clock for `resubscribed.gapMs`; tests pass the simulated clock's `now`. @default Date.now */
  now?: () => number
  /** Whether the socket is open when the channel is created. @default false */
  socketOpen?: boolean
  /** Join, leave and push timeout. @default 10000 */
  timeoutMs?: number
  /** Rejoin delay after the 1st, 2nd, … consecutive failure; the last one repeats. @default [1000, 2000, 5000, 10000] */
  rejoinDelays?: readonly number[]
  /** Pushes kept while not joined; beyond it the oldest is dropped (`buffer_overflow`). @default 100 */
  bufferSize?: number
}

export interface BufferedPush {
  ref: string
  event: string
  payload: unknown
  expectReply: boolean
}

export interface ChannelContext {
  topic: string
  config: ChannelConfig
  accessToken: string | null
  /** Ref of the current join push; every frame with another non-null join ref is stale. */
  joinRef: string | null
  leaveRef: string | null
  /** Consecutive failed joins since the last success or socket open; indexes the rejoin delays. */
  attempts: number
  socketOpen: boolean
  /** Pushes made while not joined, oldest first, sent when the join succeeds. */
  buffer: BufferedPush[]
  /**
   * The presence state the user asked to track (null: none). The server forgets it with the channel
   * process, so every successful join sends it again unless a track/untrack already waits in the buffer.
   */
  tracked: Record<string, unknown> | null
  /** Ref of the automatic re-track after a rejoin, so its failure can be reported. */
  retrackRef: string | null
  /** Why the channel is errored or closed, for the facade's rejected promises. */
  error: RealtimeError | null
  /** When the channel stopped being joined without being asked to; cleared by the next join. */
  gapSince: number | null
  /** The top-level state last announced (state_change `old`). */
  status: ChannelStateName
  joinTimeoutMs: number | null
  timeoutMs: number
  rejoinDelays: readonly number[]
  bufferSize: number
  makeRef: () => string
  now: () => number
}

export interface ChannelPush {
  type: 'push'
  /** Made by the client's `makeRef()` so the caller knows it before the push goes out (acks). */
  ref: string
  event: string
  payload: unknown
  /** Whether the server answers this push (broadcast with ack, presence, …); without, no timer runs once sent. */
  expectReply: boolean
  timeoutMs?: number
}

/** `channel.track(state)`: becomes a `presence` push, and what the channel re-tracks after every rejoin. */
export interface ChannelTrack {
  type: 'track'
  ref: string
  /** JSON object; the server refuses anything else. */
  payload: Record<string, unknown>
  timeoutMs?: number
}

/** `channel.untrack()`: a `presence` push; nothing is re-tracked after it. */
export interface ChannelUntrack {
  type: 'untrack'
  ref: string
  timeoutMs?: number
}

export type ChannelEvent =
  | { type: 'subscribe'; timeoutMs?: number }
  | { type: 'unsubscribe' }
  | ChannelPush
  | ChannelTrack
  | ChannelUntrack
  /** Replace parts of the join config; used at the next join. */
  | { type: 'configure'; config: ChannelConfigInput }
  | { type: 'setAuth'; token: string | null }
  | { type: 'socket.open' }
  /**
   * The socket is gone. `error` is the one error the root made for this loss, shared by every channel
   * (issue 6: no error, stack and redaction per channel); without it the channel makes its own.
   */
  | { type: 'socket.closed'; error?: RealtimeError }
  /** A lifecycle frame for this topic: phx_reply, phx_close, phx_error, system. */
  | { type: 'message'; message: PhoenixMessage }
  /** Internal: the per-push timer fired. */
  | { type: 'push.expired'; ref: string }

/** Public facts the channel emits (`actor.on`). */
export type ChannelEmitted =
  | { type: 'channel'; kind: 'state_change'; topic: string; old: ChannelStateName; new: ChannelStateName }
  | { type: 'channel'; kind: 'resubscribed'; topic: string; gapMs: number }
  | { type: 'channel'; kind: 'system'; topic: string; status: string; message: string; extension: string | null }
  | { type: 'error'; topic: string; error: RealtimeError }
  | { type: 'push.reply'; topic: string; ref: string; status: string; response: unknown }
  | { type: 'push.timeout'; topic: string; ref: string }
  | { type: 'push.failed'; topic: string; ref: string; error: RealtimeError }

/** What the channel tells its parent (the root client actor). */
export type ChannelNotification =
  | { type: 'channel.transmit'; message: PhoenixMessage }
  | { type: 'channel.closed'; topic: string }
