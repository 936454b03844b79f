/** What every part of a running dev server shares. */
import type { Faults } from './faults.js'
import type { Log } from './log.js'
import type { ResolvedOptions } from './options.js'
import type { RoomRegistry } from './rooms.js'

export interface ServerContext {
  readonly options: ResolvedOptions
  readonly rooms: RoomRegistry
  readonly faults: Faults
  readonly log: Log
  /** Waits `ms`, or less if the server closes first (so a backoff never outlives the server). */
  sleep(ms: number): Promise<void>
}
