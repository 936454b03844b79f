/**
 * The inspection bridge: an XState inspection observer plus a loopback HTTP server that serves the
 * visualizer page and streams what the observer sees to it over a WebSocket.
 *
 *   const bridge = await createInspectionBridge()
 *   const client = createRealtimeClient({ url, apikey, inspect: bridge.inspect })
 *   console.log(`visualizer: ${bridge.url}`)
 *   …
 *   await bridge.close()
 *
 * Tokens never leave it unredacted (see redact.ts), and it only talks to loopback.
 */
import { readFile, readdir } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import type { AnyStateMachine, InspectionEvent, Observer } from 'xstate'
import { isLoopbackAuthority, isLoopbackName } from './loopback.js'
import { BRIDGE_SOCKET_PATH, type BridgeMessage } from './messages.js'
import { defaultPageDir } from './page-dir.js'
import { InspectionRecorder } from './recorder.js'

export interface InspectionBridgeOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number
  /** A loopback address; anything else throws. @default '127.0.0.1' */
  host?: string
  /** Machines drawn (and exportable) before any actor of them runs, e.g. `clientMachine`. @default none */
  machines?: readonly AnyStateMachine[]
  /** Log entries kept for pages that open later. @default 2000 */
  backlog?: number
  /** The built page (index.html, main.js, style.css). @default this package's dist/visualizer/ */
  pageDir?: string
}

export interface InspectionBridge {
  /** Pass as `createRealtimeClient({ inspect })` (or any `createActor(logic, { inspect })`); one bridge takes many clients. */
  readonly inspect: Observer<InspectionEvent>
  /** The page to open, e.g. `http://127.0.0.1:54321/`. */
  readonly url: string
  /** Pages connected now. */
  readonly pages: number
  /** Makes a machine drawable before it runs; returns its chart key. */
  addMachine(machine: AnyStateMachine): string
  /** Closes every page connection and the server. Idempotent. */
  close(): Promise<void>
}

/** How long messages are gathered before one frame goes to the pages (keeps thousands of channel updates cheap). */
const FLUSH_MS = 25
/** A page that has this much unsent data is skipped, and re-sent the whole state once it has caught up. */
const MAX_BUFFERED_BYTES = 4 * 1024 * 1024

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
}

export async function createInspectionBridge(options: InspectionBridgeOptions = {}): Promise<InspectionBridge> {
  const host = options.host ?? '127.0.0.1'
  if (!isLoopbackName(host)) throw new Error(`createInspectionBridge: host must be a loopback address (127.0.0.1, ::1, localhost), got ${host}`)
  const recorder = new InspectionRecorder(options.backlog === undefined ? {} : { backlog: options.backlog })
  for (const machine of options.machines ?? []) recorder.addMachine(machine)
  const pageDir = options.pageDir ?? defaultPageDir()

  const server = createServer((request, response) => void servePage(pageDir, request, response))
  const sockets = new WebSocketServer({ noServer: true })
  const pages = new Set<Page>()
  let port = 0

  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path !== BRIDGE_SOCKET_PATH || !isLoopbackAuthority(request.headers.host) || !isOwnOrigin(request.headers.origin, port)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n')
      return
    }
    sockets.handleUpgrade(request, socket, head, (ws) => {
      const page: Page = { ws, stale: false }
      pages.add(page)
      send(page, [recorder.hello()])
      ws.on('close', () => pages.delete(page))
      ws.on('error', () => pages.delete(page))
    })
  })

  let pending: BridgeMessage[] = []
  let timer: ReturnType<typeof setTimeout> | undefined
  const unsubscribe = recorder.subscribe((message) => {
    if (pages.size === 0) return
    pending.push(message)
    timer ??= setTimeout(flush, FLUSH_MS)
  })
  function flush(): void {
    timer = undefined
    const batch = pending
    pending = []
    for (const page of pages) {
      if (page.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        page.stale = true
      } else if (page.stale) {
        // It missed messages: the current state replaces what it has.
        page.stale = false
        send(page, [recorder.hello()])
      } else {
        send(page, batch)
      }
    }
    // A page that fell behind gets its fresh state even if nothing else happens.
    if ([...pages].some((page) => page.stale)) timer = setTimeout(flush, FLUSH_MS)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}/`

  let closing: Promise<void> | undefined
  return {
    inspect: { next: recorder.observe },
    url,
    get pages() {
      return pages.size
    },
    addMachine: (machine) => recorder.addMachine(machine),
    close() {
      closing ??= closeAll(server, sockets, pages, () => {
        unsubscribe()
        if (timer !== undefined) clearTimeout(timer)
      })
      return closing
    },
  }
}

interface Page {
  ws: WebSocket
  /** Messages were skipped for it: the next flush sends a fresh `hello`. */
  stale: boolean
}

function send(page: Page, messages: BridgeMessage[]): void {
  if (messages.length === 0 || page.ws.readyState !== page.ws.OPEN) return
  page.ws.send(JSON.stringify(messages))
}

/** No Origin (a non-browser client) or this very server's origin; never another site's page. */
function isOwnOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true
  if (!isLoopbackAuthority(origin)) return false
  try {
    return Number(new URL(origin).port) === port
  } catch {
    return false
  }
}

async function servePage(pageDir: string | undefined, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!isLoopbackAuthority(request.headers.host)) return plain(response, 403, 'Forbidden: not a loopback host')
  if (request.method !== 'GET' && request.method !== 'HEAD') return plain(response, 405, 'Method not allowed')
  const path = new URL(request.url ?? '/', 'http://localhost').pathname
  const name = path === '/' ? 'index.html' : path.slice(1)
  if (pageDir === undefined) return plain(response, 503, 'The visualizer page was not found: build it with `npm run build` or pass `pageDir`.')
  // Only files of the page folder itself, by exact name: no path ever reaches the file system.
  let files: string[]
  try {
    files = await readdir(pageDir)
  } catch {
    return plain(response, 503, `The visualizer page is not built (${pageDir} is missing): run \`npm run build\`.`)
  }
  if (!files.includes(name)) return plain(response, 404, 'Not found')
  try {
    const body = await readFile(join(pageDir, name))
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(name)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    response.end(request.method === 'HEAD' ? undefined : body)
  } catch {
    plain(response, 500, 'Could not read the page')
  }
}

function plain(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' })
  response.end(text)
}

async function closeAll(server: Server, sockets: WebSocketServer, pages: Set<Page>, stop: () => void): Promise<void> {
  stop()
  for (const page of pages) page.ws.terminate()
  pages.clear()
  await new Promise<void>((resolve) => sockets.close(() => resolve()))
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}
