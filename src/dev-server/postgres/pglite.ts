/**
 * The embedded database: PGlite (Postgres in WebAssembly) in this process, loaded on first use with
 * a dynamic import so the package runs without it. Changes are captured by triggers (capture-sql.ts)
 * and drained, in order, each time the trigger notifies.
 */
import { CAPTURE_CHANNEL, CAPTURE_SQL, DRAIN_SQL } from './capture-sql.js'
import type { ChangeFeed } from './feed.js'
import type { SqlClient } from './sql-client.js'

interface PGliteInstance extends SqlClient {
  exec(sql: string): Promise<unknown>
  listen(channel: string, callback: (payload: string) => void): Promise<() => Promise<void>>
  close(): Promise<void>
}

interface PGliteModule {
  PGlite: { create(): Promise<PGliteInstance> }
}

export const MISSING_PGLITE =
  'the embedded database needs the optional peer dependency @electric-sql/pglite: npm install --save-dev @electric-sql/pglite (or pass databaseUrl for a real PostgreSQL)'

async function loadPGlite(): Promise<PGliteModule> {
  try {
    // A variable specifier keeps bundlers from resolving an optional peer at build time.
    const name = '@electric-sql/pglite'
    return (await import(name)) as PGliteModule
  } catch (error) {
    throw new Error(`${MISSING_PGLITE} (${error instanceof Error ? error.message : String(error)})`)
  }
}

export async function startPGlite(): Promise<ChangeFeed> {
  const { PGlite } = await loadPGlite()
  const db = await PGlite.create()
  await db.exec(CAPTURE_SQL)
  let handler: (texts: string[]) => void = () => {}
  let draining: Promise<void> = Promise.resolve()
  let closed = false
  const drain = (): void => {
    draining = draining.then(async () => {
      if (closed) return
      const { rows } = await db.query(DRAIN_SQL)
      if (rows.length > 0) handler(rows.map((row) => String(row['change'])))
    })
    draining.catch(() => {})
  }
  const unlisten = await db.listen(CAPTURE_CHANNEL, drain)
  return {
    kind: 'pglite',
    sql: db,
    query: (sql, params) => db.query(sql, params ? [...params] : undefined),
    exec: async (sql) => void (await db.exec(sql)),
    onChanges(next) {
      handler = next
    },
    async close() {
      await unlisten().catch(() => {})
      await draining.catch(() => {})
      closed = true
      await db.close()
    },
  }
}
