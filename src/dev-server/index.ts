/**
 * realtime-xstate/dev-server: a local Supabase Realtime-compatible server (WebSocket vsn 1.0.0 and
 * 2.0.0, broadcast, presence, JWT auth, REST broadcast) with fault injection for tests.
 */
export { startDevServer, type DevServer } from './server.js'
export type { DevServerOptions } from './options.js'
export type { DevServerFaults, FaultState, UpgradeRefusal } from './faults.js'
export type { Authorize, AuthorizationRequest } from './auth.js'
export type { JwtClaims } from './jwt.js'
export type { ChangeSource, ChangeSubscriber, ChangeSubscription, PostgresChangesBinding } from './change-source.js'
export type { DevServerDatabase } from './postgres/sql-client.js'
export type { DevServerLogEntry, DevServerLogger, LogLevel } from './log.js'
