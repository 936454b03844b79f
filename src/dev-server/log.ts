/** The dev server's log: structured entries, secrets redacted before anything leaves the server. */
import { redactSecrets } from '../errors.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error'

export interface DevServerLogEntry {
  readonly level: LogLevel
  readonly message: string
}

export type DevServerLogger = (entry: DevServerLogEntry) => void

export type Log = (level: LogLevel, message: string) => void

export function createLog(logger: DevServerLogger | undefined): Log {
  if (!logger) return () => {}
  return (level, message) => {
    try {
      logger({ level, message: redactSecrets(message) })
    } catch {
      // A failing logger must not take the server down.
    }
  }
}
