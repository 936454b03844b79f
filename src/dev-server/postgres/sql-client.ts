/** The one database call the change machinery needs; PGlite and `pg` clients both fit it. */
export interface SqlClient {
  query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>
}

/** `server.db`: the dev server's database, for tests and demos to write rows that arrive as changes. */
export interface DevServerDatabase {
  /** `'pglite'` for the embedded default, `'postgres'` with `databaseUrl`. */
  readonly kind: 'pglite' | 'postgres'
  /** One statement with `$1 …` parameters. Rows are typed by the driver (PGlite or `pg`). */
  query<Row extends Record<string, unknown> = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: Row[] }>
  /** Several `;`-separated statements without parameters (schema setup). */
  exec(sql: string): Promise<void>
}

/** Quotes a type or column name for SQL text (`"_int4"`, `"my ""odd"" name"`). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}
