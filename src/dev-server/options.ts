/** Options of `startDevServer`, each with its default and why. */
import { allowAuthenticated, type Authorize } from './auth.js'
import type { ChangeSource } from './change-source.js'
import type { DevServerLogger } from './log.js'

export interface DevServerOptions {
  /** TCP port. `0` picks a free port (read it from the result). @default 0 */
  port?: number
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string
  /** HS256 secret for every token. @default 32 random bytes, hex */
  jwtSecret?: string
  /**
   * Decides `private: true` channels and private REST broadcasts, per extension and action.
   * @default any role other than `anon` may read and write
   */
  authorize?: Authorize
  /**
   * A socket that sends nothing for this long is closed (Phoenix transport `timeout`).
   * @default 60000 ms, as the real server
   */
  idleTimeoutMs?: number
  /**
   * Wait before answering a refused handshake. The real server waits 2000 ms
   * (`CONNECT_ERROR_BACKOFF_MS`); a dev server has no one to slow down.
   * @default 0 ms
   */
  connectErrorBackoffMs?: number
  /**
   * Wait before a join error reply. The real server waits 5000 ms (`CHANNEL_ERROR_BACKOFF_MS`);
   * while it waits the socket handles nothing else, as there.
   * @default 0 ms
   */
  channelErrorBackoffMs?: number
  /**
   * Upper bound between two checks of a joined channel's token; the check runs at the token's
   * `exp` or after this, whichever is first (newer servers: 1 h).
   * @default 3600000 ms
   */
  tokenRecheckMaxMs?: number
  /** Largest WebSocket frame; bigger ones close the socket with 1009. @default 5000000 bytes */
  maxFrameBytes?: number
  /**
   * Largest broadcast or presence payload (the real `max_payload_size_in_kb * 1000 + 500`).
   * Bigger broadcasts get a `payload_size_exceeded` error reply; bigger REST messages 422.
   * @default 3000500 bytes
   */
  maxPayloadBytes?: number
  /** Serve `POST /__faults/…` so another process can inject faults. @default false */
  faultEndpoint?: boolean
  /**
   * A real PostgreSQL (`postgres://user@host:port/db`) whose changes are read through logical
   * replication with the `wal2json` plugin, as the real service does: the server needs
   * `wal_level=logical` and wal2json installed; a temporary slot is created at start and dropped on
   * close. Needs the `pg` package. @default none: the embedded PGlite database
   */
  databaseUrl?: string
  /**
   * `false`: no database at all; postgres_changes bindings are acknowledged and nothing flows.
   * @default true: the embedded PGlite database (`@electric-sql/pglite`), started on first use
   */
  database?: boolean
  /** Where postgres_changes come from, instead of the database. @default the database's changes */
  changeSource?: ChangeSource
  /** Receives log entries (secrets redacted). @default none */
  logger?: DevServerLogger
}

export interface ResolvedOptions {
  readonly port: number
  readonly host: string
  readonly jwtSecret: string
  readonly authorize: Authorize
  readonly idleTimeoutMs: number
  readonly connectErrorBackoffMs: number
  readonly channelErrorBackoffMs: number
  readonly tokenRecheckMaxMs: number
  readonly maxFrameBytes: number
  readonly maxPayloadBytes: number
  readonly faultEndpoint: boolean
  readonly changeSource: ChangeSource | undefined
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a non-negative number, got ${value}`)
  return value
}

export function resolveOptions(options: DevServerOptions, generatedSecret: () => string): ResolvedOptions {
  return {
    port: nonNegative('port', options.port, 0),
    host: options.host ?? '127.0.0.1',
    jwtSecret: options.jwtSecret ?? generatedSecret(),
    authorize: options.authorize ?? allowAuthenticated,
    idleTimeoutMs: nonNegative('idleTimeoutMs', options.idleTimeoutMs, 60_000),
    connectErrorBackoffMs: nonNegative('connectErrorBackoffMs', options.connectErrorBackoffMs, 0),
    channelErrorBackoffMs: nonNegative('channelErrorBackoffMs', options.channelErrorBackoffMs, 0),
    tokenRecheckMaxMs: nonNegative('tokenRecheckMaxMs', options.tokenRecheckMaxMs, 3_600_000),
    maxFrameBytes: nonNegative('maxFrameBytes', options.maxFrameBytes, 5_000_000),
    maxPayloadBytes: nonNegative('maxPayloadBytes', options.maxPayloadBytes, 3_000_500),
    faultEndpoint: options.faultEndpoint ?? false,
    changeSource: options.changeSource,
  }
}
