/**
 * Presence data as it crosses our boundaries: the wire shapes the server sends (protocol.md §6.2) and
 * the shapes users get, which are realtime-js's (protocol.md §6.4) so code written for it keeps working.
 */

/** One meta as the server sends it: the tracked state plus `phx_ref` (and `phx_ref_prev` after an update). */
export type RawMeta = { readonly phx_ref: string } & Readonly<Record<string, unknown>>

/** `{ [key]: { metas } }`: a `presence_state` payload, or `joins` / `leaves` of a diff. */
export type RawPresenceMap = Readonly<Record<string, { readonly metas: readonly RawMeta[] }>>

/** A `presence_diff` payload. */
export interface RawPresenceDiff {
  readonly joins: RawPresenceMap
  readonly leaves: RawPresenceMap
}

/** What a user tracks: any JSON object (the channel's `track(state)` argument). */
export type TrackedState = Record<string, unknown>

/** A presence entry as realtime-js hands it out: the tracked state plus `presence_ref`. */
export type PresenceEntry<T extends object = TrackedState> = T & { presence_ref: string }

/**
 * `presenceState()`: every key with its entries, oldest first. One live object, updated in place and
 * read-only to its readers (each key's array and entries are frozen and replaced when the key changes),
 * with a null prototype because keys come from the wire (`__proto__`, `constructor` are ordinary keys
 * here).
 */
export type PresenceState<T extends object = TrackedState> = { readonly [key: string]: readonly Readonly<PresenceEntry<T>>[] }

export interface PresenceJoinPayload<T extends object = TrackedState> {
  event: 'join'
  key: string
  /** The key's entries before this join; `[]` for a new key. */
  currentPresences: PresenceEntry<T>[]
  /** The metas this join brought (for a `presence_state`: only those whose `phx_ref` was not known). */
  newPresences: PresenceEntry<T>[]
}

export interface PresenceLeavePayload<T extends object = TrackedState> {
  event: 'leave'
  key: string
  /** The key's entries after this leave; `[]` when the key is gone. */
  currentPresences: PresenceEntry<T>[]
  leftPresences: PresenceEntry<T>[]
}

export interface PresenceSyncPayload {
  event: 'sync'
}

/** What presence listeners receive. Never shares an object with the state: mutate it freely. */
export type PresencePayload<T extends object = TrackedState> = PresenceJoinPayload<T> | PresenceLeavePayload<T> | PresenceSyncPayload

export type PresenceListenEvent = PresencePayload['event'] | '*'

/** The payload a listener for `event` receives. */
export type PresencePayloadOf<E extends PresenceListenEvent, T extends object = TrackedState> = E extends '*'
  ? PresencePayload<T>
  : Extract<PresencePayload<T>, { event: E }>

/** What `track()` / `untrack()` resolve to, as realtime-js's `send()`: the server's answer or the push timeout. */
export type PresenceResult = 'ok' | 'error' | 'timed out'
