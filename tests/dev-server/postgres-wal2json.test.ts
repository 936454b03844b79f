/**
 * Issue 12: postgres_changes from a real PostgreSQL 15 through wal2json, on a throwaway cluster
 * (tests/helpers/postgres.ts). `.ci/run` installs the binaries; without them this file fails
 * rather than passing quietly.
 */
import { startDevServer } from '../../src/dev-server/index.js'
import { startTestCluster } from '../helpers/postgres.js'
import { postgresScenarios } from './postgres-scenarios.js'

postgresScenarios('PostgreSQL through wal2json', async () => {
  const cluster = await startTestCluster()
  try {
    const server = await startDevServer({ databaseUrl: cluster.databaseUrl })
    return {
      server,
      async close() {
        await server.close()
        await cluster.stop()
      },
    }
  } catch (error) {
    await cluster.stop()
    throw error
  }
})
