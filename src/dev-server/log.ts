/** The dev server's log: structured entries, secrets redacted before anything leaves the server. */
import { redactSecrets } from '../errors.js'
import type { LogLevel } from '../events.js'

// The same four levels as the client's logger.
export type { LogLevel }

export interface DevServerLogEntry {
  readonly level: LogLevel
  readonly message: string
}

export type DevServerLogger = (entry: DevServerLogEntry) => void

export type Log = (level: LogLevel, message: string) => void

/** The log of a server without a logger; hot paths compare against it to skip building messages. */
export const NO_LOG: Log = () => {}

export function createLog(logger: DevServerLogger | undefined): Log {
  if (!logger) return NO_LOG
  return (level, message) => {
    try {
      logger({ level, message: redactSecrets(message) })
    } catch {
      // A failing logger must not take the server down.
    }
  }
}
