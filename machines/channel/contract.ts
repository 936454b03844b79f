/**
 * The channel actor's contract: input, context, events, emitted facts, and the join config. Kept apart
 * from the statechart so the root machine and the facade can import the types without the machine.
 */
import type { RealtimeError } from '../../src/errors.js'
import type { Push } from './pushes.js'

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

/** The ids the join reply gives the bindings, when they match (protocol.md §4.3); null on a mismatch. */
export function bindingIdsOf(bindings: readonly PostgresChangesFilter[], response: unknown): number[] | null {
  const answered = (response as { postgres_changes?: unknown } | null)?.postgres_changes
  if (answered === undefined) return bindings.length === 0 ? [] : null
  if (!Array.isArray(answered) || answered.length !== bindings.length) return null
  const ids: number[] = []
  for (let i = 0; i < bindings.length; i++) {
    const mine = bindings[i]!
    const theirs = answered[i] as Partial<PostgresChangesFilter> & { id?: unknown }
    const same =
      theirs?.event === mine.event && theirs.schema === mine.schema && (theirs.table ?? undefined) === (mine.table ?? undefined) && (theirs.filter ?? undefined) === (mine.filter ?? undefined)
    if (!same || typeof theirs.id !== 'number') return null
    ids.push(theirs.id)
  }
  return ids
}

/** What a user may pass; everything missing takes the realtime-js default. */
export interface ChannelConfigInput {
  broadcast?: { self?: boolean; ack?: boolean }
  presence?: { key?: string; enabled?: boolean }
  postgres_changes?: PostgresChangesFilter[]
  private?: boolean
}

/**
 * realtime-js's defaults, frozen and shared by every channel created without options (one copy
 * instead of four objects per channel). A config is never changed in place: `configure` and `track`
 * build a new one.
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

/**
 * The join config of these options. A presence key turns presence on by itself: a channel that names
 * its presence key means to be present (realtime-js turns it on only with a presence listener, so the
 * seed's pattern — a key, then presence events in one callback — never saw any).
 */
export function channelConfig(input: ChannelConfigInput = {}): ChannelConfig {
  if (isDefaultConfigInput(input)) return DEFAULT_CHANNEL_CONFIG
  const key = input.presence?.key ?? ''
  return {
    broadcast: { self: input.broadcast?.self ?? false, ack: input.broadcast?.ack ?? false },
    presence: { key, enabled: input.presence?.enabled ?? key !== '' },
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
/** Join, leave and push timeout (Phoenix's and realtime-js's). */
export const DEFAULT_TIMEOUT_MS = 10_000
export const DEFAULT_CHANNEL_BUFFER_SIZE = 100

export interface ChannelInput {
  /** A parent listens for `channel.closed` (the client chart's channel group). @default false */
  hasParent?: boolean
  /** Full topic, `realtime:` included. */
  topic: string
  config?: ChannelConfigInput
  /** Sent as `access_token` in the join payload; null: the server uses the connection's token. */
  accessToken?: string | null
  /** A token function can give fresh tokens: a token the server expired means rejoin, not stop. @default false */
  refreshTokens?: boolean
  /** Join, leave and push timeout. @default 10000 */
  timeoutMs?: number
  /** Rejoin delay after the 1st, 2nd, … consecutive failure; the last one repeats. @default [1000, 2000, 5000, 10000] */
  rejoinDelays?: readonly number[]
  /** Pushes kept while not joined; beyond it the oldest is dropped (`buffer_overflow`). @default 100 */
  bufferSize?: number
  /**
   * The socket is open as the channel starts (a channel group spawning it on an open connection): it
   * stays in `closed.online`, with no `socket.open` to wait for; without it the channel goes on to
   * `closed.offline` at once. Read once, at the start (`xstate.init`), and not kept: from then on
   * `socket.open` / `socket.closed` move it. @default false
   */
  socketOpen?: boolean
}

/** Plain data: `JSON.stringify(snapshot)` works. */
export interface ChannelContext {
  /** Whether a parent listens for `channel.closed`. */
  hasParent: boolean
  topic: string
  config: ChannelConfig
  accessToken: string | null
  /** Whether an expired token can be replaced (a token function exists): see `TOKEN_EXPIRED`. */
  refreshTokens: boolean
  /** Ref of the current join push; every frame with another non-null join ref is stale. */
  joinRef: string | null
  /** The server's ids of `config.postgres_changes`, in the same order, from the last join reply. */
  bindingIds: readonly number[]
  /** The last ref this channel made (joins, leaves, token pushes, re-tracks); refs callers give are theirs. */
  refSeq: number
  /** Consecutive failed joins since the last success or socket open; indexes the rejoin delays. */
  attempts: number
  /** Pushes made while not joined, oldest first, sent when the join succeeds. */
  buffer: readonly Push[]
  /** Pushes sent that wait for their reply (acks, presence, the re-track, the leave). */
  inFlight: readonly Push[]
  /**
   * The presence state the user asked to track (null: none). The server forgets it with the channel
   * process, so every successful join sends it again unless a track/untrack already waits in the buffer.
   */
  tracked: Record<string, unknown> | null
  /** Why the channel is errored or closed, for the facade's rejected promises. */
  error: RealtimeError | null
  /** When the channel stopped being joined without being asked to; cleared by the next join. */
  gapSince: number | null
  joinTimeoutMs: number | null
  timeoutMs: number
  rejoinDelays: readonly number[]
  bufferSize: number
}

/** A push the caller names with its own `ref` (unique on the channel; the channel's own refs are plain integers). */
export interface ChannelPush {
  type: 'push'
  ref: string
  event: string
  payload: unknown
  /** Whether the server answers this push (broadcast with ack, …); without, it is done once sent. */
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

/** What a user (or the root) tells a channel. */
export type ChannelCommand =
  | { type: 'subscribe'; timeoutMs?: number }
  | { type: 'unsubscribe' }
  | ChannelPush
  | ChannelTrack
  | ChannelUntrack
  /** Replace parts of the join config; used at the next join. */
  | { type: 'configure'; config: ChannelConfigInput }
  | { type: 'setAuth'; token: string | null }

/**
 * Lifecycle frames of this channel, classified once where they are decoded (src/router.ts): a
 * `phx_reply` to the current join is `JOIN_OK` / `JOIN_ERROR`, any other reply is `REPLY`; stale
 * frames never arrive. Broadcasts, presence and postgres changes never enter this machine.
 */
export type ChannelFrameEvent =
  | { type: 'JOIN_OK'; response: unknown }
  | { type: 'JOIN_ERROR'; response: unknown }
  | { type: 'REPLY'; ref: string; status: string; response: unknown }
  | { type: 'SERVER_CLOSE' }
  | { type: 'SERVER_ERROR' }
  | { type: 'SYSTEM'; status: string; message: string; extension: string | null }
  /** The server's `system` shutdown for an expired token (`Token has expired <n> seconds ago`, protocol.md §8.1); a phx_close follows. */
  | { type: 'TOKEN_EXPIRED'; message: string; extension: string | null }

/** What the parent tells every channel about the socket. */
export type ChannelSocketEvent =
  | { type: 'socket.open' }
  /**
   * The socket is gone. `error` is the one error the root made for this loss, shared by every channel
   * (no error, stack and redaction per channel); without it the channel makes its own.
   */
  | { type: 'socket.closed'; error?: RealtimeError }
  /** The server refused the upgrade (401/403/…): a join waiting for the socket fails now with this error. */
  | { type: 'socket.rejected'; error: RealtimeError }

export type ChannelEvent =
  | ChannelCommand
  | ChannelFrameEvent
  | ChannelSocketEvent
  /** Internal: a push's timer fired. */
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

/** What the channel tells its parent. */
export type ChannelNotification = { type: 'channel.closed'; topic: string }
