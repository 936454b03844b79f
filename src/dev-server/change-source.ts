/**
 * The seam for Postgres changes. The dev server parses `postgres_changes` bindings and replies with
 * their ids; a `ChangeSource` given in the options is what turns database changes into frames.
 * Without one, bindings are acknowledged in the join reply and nothing else happens.
 */
import type { JwtClaims } from './jwt.js'
import type { PostgresChangesBinding } from './join-config.js'

export type { PostgresChangesBinding } from './join-config.js'

/** One joined channel with at least one postgres_changes binding. */
export interface ChangeSubscriber {
  /** The channel topic, e.g. `realtime:room1`. */
  readonly topic: string
  /** Claims of the channel's token; a source applies row-level security with them. */
  readonly claims: JwtClaims
  readonly bindings: readonly PostgresChangesBinding[]
  /**
   * Sends one change to this channel as `[null, null, topic, "postgres_changes", {ids, data}]`.
   * `ids` are the ids of the bindings the change matches; `data` is the change (protocol.md §7.3).
   * Does nothing once the channel has closed.
   */
  deliver(ids: readonly number[], data: unknown): void
}

export interface ChangeSubscription {
  /** Called once when the channel leaves, closes, errors or its socket goes away. */
  close(): void
}

export interface ChangeSource {
  /**
   * Called after the join reply. On success the server pushes the `system` message
   * "Subscribed to PostgreSQL"; a throw or rejection pushes a `system` error with its message.
   */
  subscribe(subscriber: ChangeSubscriber): ChangeSubscription | Promise<ChangeSubscription>
}
