/** Issue 12: postgres_changes from the embedded PGlite database (the default), one instance for the file. */
import { startDevServer } from '../../src/dev-server/index.js'
import { postgresScenarios } from './postgres-scenarios.js'

postgresScenarios('embedded PGlite', async () => {
  const server = await startDevServer()
  return { server, close: () => server.close() }
})
