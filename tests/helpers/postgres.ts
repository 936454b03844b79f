/**
 * A throwaway PostgreSQL 15 cluster for tests: `initdb` in a temp folder, `wal_level=logical`, a free
 * port on loopback, its unix socket in the temp folder, run as the `postgres` OS user when the tests
 * run as root (Postgres refuses root). `stop()` ends the server and removes the folder, so nothing
 * is left behind. The binaries come from `PG_BIN` or /usr/lib/postgresql/15/bin.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PG_BIN = process.env['PG_BIN'] ?? '/usr/lib/postgresql/15/bin'

export interface TestCluster {
  readonly databaseUrl: string
  readonly port: number
  stop(): Promise<void>
}

/** Whether the binaries are installed (`.ci/run` installs them; a developer may not have). */
export function postgresAvailable(): boolean {
  return existsSync(join(PG_BIN, 'initdb')) && existsSync(join(PG_BIN, 'postgres'))
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))))
    })
  })
}

/** The command line, wrapped in `runuser -u postgres --` when running as root. */
function asPostgres(command: string, args: readonly string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [command, [...args]]
  return ['runuser', ['-u', 'postgres', '--', command, ...args]]
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = ''
    const timer = setTimeout(() => done(new Error(`postgres did not start in ${timeoutMs} ms:\n${log}`)), timeoutMs)
    const done = (error?: Error): void => {
      clearTimeout(timer)
      child.stderr?.off('data', onData)
      child.off('exit', onExit)
      if (error) reject(error)
      else resolve()
    }
    const onData = (chunk: Buffer): void => {
      log += chunk.toString()
      if (log.includes('database system is ready to accept connections')) done()
    }
    const onExit = (code: number | null): void => done(new Error(`postgres exited with ${code}:\n${log}`))
    child.stderr?.on('data', onData)
    child.once('exit', onExit)
  })
}

/**
 * Newer PostgreSQL 15 builds list the output plugins replication may load (`output_plugin_libraries`)
 * and leave wal2json out; older builds do not know the setting at all.
 */
function pluginSettings(): string[] {
  const [command, args] = asPostgres(join(PG_BIN, 'postgres'), ['--describe-config'])
  const described = execFileSync(command, args, { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  return /^output_plugin_libraries\t/m.test(described) ? ['-c', 'output_plugin_libraries=pgoutput,test_decoding,wal2json'] : []
}

export async function startTestCluster(): Promise<TestCluster> {
  const root = mkdtempSync(join(tmpdir(), 'realtime-xstate-pg-'))
  const data = join(root, 'data')
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
    chownSync(root, uid, gid)
  }
  let child: ChildProcess | null = null
  const removeAll = (): void => rmSync(root, { recursive: true, force: true })
  try {
    const [initdb, initArgs] = asPostgres(join(PG_BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--locale=C'])
    execFileSync(initdb, initArgs, { stdio: 'pipe' })
    const port = await freePort()
    const [postgres, args] = asPostgres(join(PG_BIN, 'postgres'), [
      '-D', data, '-p', String(port), '-k', root,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'wal_level=logical', '-c', 'max_replication_slots=20', '-c', 'max_wal_senders=20',
      // A test cluster trades durability for speed.
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'TimeZone=UTC',
      ...pluginSettings(),
    ])
    child = spawn(postgres, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    await waitReady(child, 30_000)
    child.stderr?.resume()
    const running = child
    const exited = new Promise<void>((resolve) => (running.exitCode !== null ? resolve() : running.once('exit', () => resolve())))
    let stopped: Promise<void> | null = null
    return {
      port,
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres`,
      stop() {
        stopped ??= (async () => {
          // The postmaster's own pid (runuser may sit in between): SIGINT is Postgres's fast shutdown.
          const pid = Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0])
          try {
            process.kill(pid, 'SIGINT')
          } catch {
            running.kill('SIGINT')
          }
          await exited
          removeAll()
        })()
        return stopped
      },
    }
  } catch (error) {
    child?.kill('SIGKILL')
    removeAll()
    throw error
  }
}
