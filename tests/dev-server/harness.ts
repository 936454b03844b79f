/** A dev server plus the raw clients a test opened, all closed by `close()` so no handle leaks. */
import { startDevServer, type DevServer, type DevServerOptions } from '../../src/dev-server/index.js'
import { RawClient, type ConnectOptions } from '../helpers/raw-client.js'

export interface Harness {
  readonly server: DevServer
  /** Connects with the server's apikey unless `apikey` is given. */
  connect(options?: ConnectOptions): Promise<RawClient>
  close(): Promise<void>
}

/** Protocol tests run without the embedded database (its start-up costs seconds); database tests ask for it. */
export async function harness(options: DevServerOptions = {}): Promise<Harness> {
  const server = await startDevServer({ database: false, ...options })
  const clients = new Set<RawClient>()
  return {
    server,
    async connect(connectOptions = {}) {
      const client = await RawClient.connect(server.url, { apikey: server.apikey, ...connectOptions })
      clients.add(client)
      return client
    },
    async close() {
      await Promise.all([...clients].map((client) => client.close()))
      await server.close()
    },
  }
}

/** Runs `body` with a fresh harness and always closes it. */
export async function withHarness(options: DevServerOptions, body: (h: Harness) => Promise<void>): Promise<void> {
  const h = await harness(options)
  try {
    await body(h)
  } finally {
    await h.close()
  }
}

export const ok = { response: {}, status: 'ok' }
