/**
 * `realtime-xstate dev-server [--port 4000] [--host 127.0.0.1] [--jwt-secret S] [--database-url URL]
 * [--no-database] [--fault-endpoint] [--verbose]`
 * Starts the dev server, prints a banner (the first line: URL and apikey; then the database), and
 * closes cleanly on Ctrl-C / SIGTERM.
 */
import { parseArgs } from 'node:util'
import { startDevServer, type DevServerOptions } from './dev-server/index.js'
import packageJson from '../package.json' with { type: 'json' }

const USAGE =
  'usage: realtime-xstate dev-server [--port 4000] [--host 127.0.0.1] [--jwt-secret SECRET] [--database-url postgres://…] [--no-database] [--fault-endpoint] [--verbose]'

const HELP = `${USAGE}

  --database-url URL  read postgres_changes from a real PostgreSQL through wal2json
                      (wal_level=logical, wal2json installed; needs the pg package)
  --no-database       no database: postgres_changes bindings are acknowledged, nothing flows
                      (default: the embedded PGlite database, @electric-sql/pglite)
  --help, --version   print this or the version and exit
`

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (command === '--version' || rest.includes('--version')) {
    process.stdout.write(`${packageJson.version}\n`)
    return 0
  }
  if (command === 'dev-server' && (rest.includes('--help') || rest.includes('-h'))) {
    process.stdout.write(HELP)
    return 0
  }
  if (command !== 'dev-server') {
    process.stderr.write(`${USAGE}\n`)
    return command === undefined || command === '--help' || command === '-h' ? 0 : 2
  }
  let values: { port?: string; host?: string; 'jwt-secret'?: string; 'database-url'?: string; 'no-database'?: boolean; 'fault-endpoint'?: boolean; verbose?: boolean }
  try {
    ;({ values } = parseArgs({
      args: rest,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'jwt-secret': { type: 'string' },
        'database-url': { type: 'string' },
        'no-database': { type: 'boolean' },
        'fault-endpoint': { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
    }))
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`)
    return 2
  }
  const port = values.port === undefined ? 4000 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port ${values.port}\n`)
    return 2
  }
  const options: DevServerOptions = {
    port,
    ...(values.host ? { host: values.host } : {}),
    ...(values['jwt-secret'] ? { jwtSecret: values['jwt-secret'] } : {}),
    ...(values['database-url'] ? { databaseUrl: values['database-url'] } : {}),
    ...(values['no-database'] ? { database: false } : {}),
    faultEndpoint: values['fault-endpoint'] ?? false,
    ...(values.verbose ? { logger: ({ level, message }) => process.stderr.write(`[${level}] ${message}\n`) } : {}),
  }
  const server = await startDevServer(options)
  // The apikey is printed on purpose: it is a local anon key the developer must paste into a client.
  process.stdout.write(`Realtime dev server on ${server.url} · apikey ${server.apikey} · Ctrl-C to stop\n`)
  process.stdout.write(`realtime-js endpoint ${server.url.replace(/^http/, 'ws')}/realtime/v1 · JWT secret ${server.jwtSecret}\n`)
  const database = values['no-database'] ? 'none' : server.db.kind === 'postgres' ? 'PostgreSQL through wal2json' : 'embedded PGlite (starts with the first postgres_changes subscription)'
  process.stdout.write(`database: ${database}\n`)
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await server.close()
  return 0
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`dev server failed: ${error instanceof Error ? error.message : String(error)}\n`)
    process.exitCode = 1
  },
)
