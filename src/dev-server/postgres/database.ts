/**
 * The dev server's database and its change source. The embedded PGlite starts on first use (a
 * `server.db` call or a postgres_changes subscription), so servers that never touch the database
 * never pay its start-up; a `databaseUrl` connects at start so a wrong URL fails `startDevServer`.
 */
import type { Log } from '../log.js'
import { readChange, type CapturedChange } from './change.js'
import type { ChangeFeed } from './feed.js'
import { ChangeHub } from './hub.js'
import { startPGlite } from './pglite.js'
import type { DevServerDatabase } from './sql-client.js'
import { startWal2json } from './wal2json.js'

export interface ServerDatabase {
  readonly db: DevServerDatabase
  readonly hub: ChangeHub
  close(): Promise<void>
}

export type DatabaseChoice = { readonly kind: 'pglite' } | { readonly kind: 'postgres'; readonly databaseUrl: string } | { readonly kind: 'none' }

const NO_DATABASE = 'this dev server has no database (started with database: false or a custom changeSource)'

export async function openDatabase(choice: DatabaseChoice, log: Log): Promise<ServerDatabase> {
  let feed: Promise<ChangeFeed> | null = null
  let closing = false
  const connect = (hub: ChangeHub): Promise<ChangeFeed> => {
    if (choice.kind === 'none') return Promise.reject(new Error(NO_DATABASE))
    if (closing) return Promise.reject(new Error('the dev server is closing'))
    feed ??= (async () => {
      const started = choice.kind === 'pglite' ? await startPGlite() : await startWal2json(choice.databaseUrl, (error) => log('warn', `database: ${error.message}`))
      started.onChanges((texts) => void hub.publish(texts.map(readChange).filter((change): change is CapturedChange => change !== null)))
      log('info', choice.kind === 'pglite' ? 'database: embedded PGlite started' : 'database: reading PostgreSQL changes through wal2json')
      return started
    })()
    // A failed start may be retried by the next caller.
    feed.catch(() => (feed = null))
    return feed
  }
  const hub: ChangeHub = new ChangeHub(async () => (await connect(hub)).sql, log)
  if (choice.kind === 'postgres') await connect(hub)
  const db: DevServerDatabase = {
    kind: choice.kind === 'postgres' ? 'postgres' : 'pglite',
    query: async <Row extends Record<string, unknown>>(sql: string, params?: readonly unknown[]) => (await (await connect(hub)).query(sql, params)) as { rows: Row[] },
    exec: async (sql: string) => (await connect(hub)).exec(sql),
  }
  return {
    db,
    hub,
    async close() {
      closing = true
      await hub.close()
      const started = feed && (await feed.catch(() => null))
      if (started) await started.close()
    },
  }
}
