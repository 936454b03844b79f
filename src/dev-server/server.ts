/**
 * `startDevServer`: one node:http server carrying the WebSocket endpoint, the REST broadcast API and
 * (optionally) the fault endpoint, plus the state they share (rooms, sessions, faults).
 */
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import type { ServerContext } from './context.js'
import { FAULT_PATH, handleFaultRequest } from './fault-endpoint.js'
import { Faults, type DevServerFaults, type FaultHost } from './faults.js'
import { BodyTooLargeError, sendEmpty, sendJson } from './http-util.js'
import { signJwt } from './jwt.js'
import { createLog } from './log.js'
import { resolveOptions, type DevServerOptions } from './options.js'
import { openDatabase, type DatabaseChoice } from './postgres/database.js'
import type { DevServerDatabase } from './postgres/sql-client.js'
import { BATCH_PATH, handleBatchBroadcast, handleSingleBroadcast, SINGLE_PATH } from './rest.js'
import { RoomRegistry } from './rooms.js'
import { SocketSession } from './session.js'
import { checkHandshake, refuseAfterBackoff, WEBSOCKET_PATHS } from './upgrade.js'

export interface DevServer {
  /** HTTP base URL to give a client, e.g. `http://127.0.0.1:4000`. */
  readonly url: string
  /** The WebSocket endpoint, `ws://…/realtime/v1/websocket` (what realtime-js wants, minus `/websocket`). */
  readonly websocketUrl: string
  readonly port: number
  /** An anon key: a JWT with role `anon` valid for ten years, signed with `jwtSecret`. */
  readonly apikey: string
  readonly jwtSecret: string
  /** Signs `claims` with HS256 and the server's secret, adding `iat` and `exp` (1 h ahead) unless given. */
  signToken(claims: Readonly<Record<string, unknown>>): string
  readonly faults: DevServerFaults
  /**
   * The database behind postgres_changes: rows written here arrive as changes. The embedded PGlite
   * starts on the first call; with `database: false` or a `changeSource` every call rejects.
   */
  readonly db: DevServerDatabase
  /** Drops every socket and stops listening. Idempotent. */
  close(): Promise<void>
}

const TEN_YEARS_S = 10 * 365 * 24 * 3600

export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const log = createLog(options.logger)
  const choice: DatabaseChoice =
    options.changeSource || options.database === false ? { kind: 'none' } : options.databaseUrl ? { kind: 'postgres', databaseUrl: options.databaseUrl } : { kind: 'pglite' }
  const database = await openDatabase(choice, log)
  const configured = resolveOptions(options, () => randomBytes(32).toString('hex'))
  const resolved = choice.kind === 'none' ? configured : { ...configured, changeSource: database.hub }
  const faults = new Faults()
  const rooms = new RoomRegistry()
  const sessions = new Set<SocketSession>()
  const wakeSleepers = new Set<() => void>()
  let closing = false

  const sleep = (ms: number): Promise<void> => {
    if (ms <= 0 || closing) return Promise.resolve()
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer)
        wakeSleepers.delete(wake)
        resolve()
      }
      const timer = setTimeout(wake, ms)
      wakeSleepers.add(wake)
    })
  }
  const ctx: ServerContext = { options: resolved, rooms, faults, log, sleep }

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: resolved.maxFrameBytes,
    // The real endpoint runs with `validate_utf8: false`.
    skipUTF8Validation: true,
    perMessageDeflate: false,
    clientTracking: false,
  })

  const handleUpgrade = async (request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    socket.on('error', () => {})
    if (closing) return void socket.destroy()
    const url = new URL(request.url ?? '/', 'http://localhost')
    const result = checkHandshake(ctx, request, url)
    if (!result.ok) return refuseAfterBackoff(ctx, socket, result.status, result.body)
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (closing) return ws.terminate()
      sessions.add(new SocketSession(ws, result.vsn, result.token, ctx, (gone) => sessions.delete(gone)))
    })
  }

  const handleRequest = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://localhost')
    if (request.method === 'OPTIONS') return sendEmpty(response, 204)
    const fault = FAULT_PATH.exec(url.pathname)
    if (fault && resolved.faultEndpoint) return handleFaultRequest(ctx, request, response, fault[1])
    const single = SINGLE_PATH.exec(url.pathname)
    if (single || BATCH_PATH.test(url.pathname)) {
      if (request.method !== 'POST') return sendJson(response, 405, { error: 'Method not allowed' })
      return single ? handleSingleBroadcast(ctx, request, response, url, single) : handleBatchBroadcast(ctx, request, response)
    }
    if (WEBSOCKET_PATHS.has(url.pathname)) return sendJson(response, 400, { error: 'WebSocket upgrade required' })
    sendJson(response, 404, { error: 'Not found' })
  }

  const http = createServer((request, response) => {
    handleRequest(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy()
      if (error instanceof BodyTooLargeError) return sendJson(response, 413, { error: 'Payload too large' })
      log('error', `request failed: ${error instanceof Error ? error.message : String(error)}`)
      sendJson(response, 500, { error: 'Internal server error' })
    })
  })
  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    handleUpgrade(request, socket, head).catch((error: unknown) => {
      log('error', `upgrade failed: ${error instanceof Error ? error.message : String(error)}`)
      socket.destroy()
    })
  })
  http.on('clientError', (_error, socket) => socket.destroy())

  const host: FaultHost = {
    dropAllSockets(close) {
      const all = [...sessions]
      for (const session of all) session.drop(close)
      return all.length
    },
    errorChannel(topic) {
      const full = topic.startsWith('realtime:') ? topic : `realtime:${topic}`
      let count = 0
      for (const session of [...sessions]) {
        const channel = session.channels.get(full)
        if (!channel) continue
        session.endChannel(channel, 'error')
        count += 1
      }
      return count
    },
    async restart() {
      for (const session of [...sessions]) session.drop()
      rooms.clear()
      faults.reset()
      log('info', 'restarted: sockets dropped, state forgotten')
    },
  }
  faults.host = host

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject)
    http.listen(resolved.port, resolved.host, () => {
      http.off('error', reject)
      resolve()
    })
  }).catch(async (error: unknown) => {
    await database.close()
    throw error
  })
  const port = (http.address() as AddressInfo).port
  const hostInUrl = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host
  const url = `http://${hostInUrl}:${port}`

  const signToken = (claims: Readonly<Record<string, unknown>>): string => {
    const now = Math.floor(Date.now() / 1000)
    return signJwt({ iat: now, exp: now + 3600, ...claims }, resolved.jwtSecret)
  }
  const apikey = signToken({ role: 'anon', iss: 'realtime-xstate-dev-server', exp: Math.floor(Date.now() / 1000) + TEN_YEARS_S })

  let closed: Promise<void> | null = null
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true
      for (const wake of [...wakeSleepers]) wake()
      for (const session of [...sessions]) session.drop()
      faults.host = null
      wss.close()
      const stopped = new Promise<void>((resolve) => http.close(() => resolve()))
      http.closeAllConnections()
      await stopped
      await database.close()
    })()
    return closed
  }

  log('info', `listening on ${url}`)
  return { url, websocketUrl: `${url.replace(/^http/, 'ws')}/realtime/v1/websocket`, port, apikey, jwtSecret: resolved.jwtSecret, signToken, faults, db: database.db, close }
}
