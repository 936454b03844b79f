/** What a capture path (PGlite triggers, wal2json) gives the dev server. */
import type { SqlClient } from './sql-client.js'

export interface ChangeFeed {
  readonly kind: 'pglite' | 'postgres'
  /** For the hub's checks and filter comparisons. */
  readonly sql: SqlClient
  /** What `server.db.query` runs. */
  query(sql: string, params?: readonly unknown[]): Promise<{ rows: Record<string, unknown>[] }>
  exec(sql: string): Promise<void>
  /** Receives each batch of captured changes (JSON texts, commit order). One handler. */
  onChanges(handler: (changes: string[]) => void): void
  /** Stops capture and releases the database (and, for wal2json, drops the slot). */
  close(): Promise<void>
}
