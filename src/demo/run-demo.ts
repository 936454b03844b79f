/**
 * The demo the README's quick start runs: the whole product at a glance. Two clients join one room on
 * the embedded dev server (or a real Supabase project when SUPABASE_URL and SUPABASE_ANON_KEY are set):
 * they see who is online, exchange broadcasts with and without ack, survive the server dropping every
 * connection (and say how long the gap was), and one receives a row inserted into the dev server's
 * database as a typed postgres change. Every connection and channel state change is printed.
 */
import { createRealtimeClient, type RealtimeChannel, type RealtimeClient, type RealtimeClientOptions, type RealtimeEvent } from '../index.js'
import { startDevServer, type DevServer } from '../dev-server/index.js'

export interface DemoOptions {
  /** Keep running (a broadcast every `tickMs`) until `signal` aborts. */
  follow?: boolean
  signal?: AbortSignal
  /** Time between two broadcasts with `follow`. @default 1000 ms */
  tickMs?: number
  env?: Record<string, string | undefined>
  print?: (line: string) => void
  /** An XState inspection observer given to both clients (`--visualize` passes the visualizer's bridge). */
  inspect?: RealtimeClientOptions['inspect']
}

export interface DemoResult {
  received: Record<string, string[]>
  acks: string[]
  /** The rows that arrived as postgres changes, converted (dev server only). */
  changes: Array<Record<string, unknown>>
  /** `resubscribed` gaps after the dropped connection, by client (dev server only). */
  gapsMs: Record<string, number[]>
  target: 'dev-server' | 'supabase'
}

const ROOM = 'room:demo'
/** Every column kind the demo's row shows converted: an int8 beyond 2^53 stays exact. */
const TABLE_SQL = 'create table todos (id int8 primary key, title text, done bool, due timestamptz, tags text[], meta jsonb, price numeric)'
const INSERT_SQL = `insert into todos values (9007199254740993, 'write the demo', false, '2026-12-24 18:00:00+01', '{demo,"two words"}', '{"by": "alice"}', 19.99)`
/** How long one step of the demo may take; PGlite's first start on a loaded machine is the slowest. */
const STEP_MS = 20_000

function describe(event: RealtimeEvent): string | undefined {
  switch (event.type) {
    case 'connection':
      return event.kind === 'state_change' ? `connection ${event.old} → ${event.new}` : undefined
    case 'channel':
      if (event.kind === 'state_change') return `channel ${event.topic} ${event.old} → ${event.new}`
      if (event.kind === 'resubscribed') return `channel ${event.topic} resubscribed after ${event.gapMs} ms`
      if (event.kind === 'system') return `channel ${event.topic} system: ${event.message}`
      return undefined
    case 'error':
      return `error ${event.error.code}: ${event.error.message}`
    default:
      return undefined
  }
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const env = options.env ?? process.env
  const print = options.print ?? ((line: string) => console.log(line))
  const remote = env['SUPABASE_URL'] && env['SUPABASE_ANON_KEY']
  const server = remote ? undefined : await startDevServer({ port: 0 })
  const url = remote ? env['SUPABASE_URL']! : server!.url
  const apikey = remote ? env['SUPABASE_ANON_KEY']! : server!.apikey
  print(remote ? `demo: using the Supabase project at ${url}` : `demo: dev server listening at ${url}`)
  // PGlite takes seconds to start: it starts now and runs beside the broadcasts and the drop. A
  // failure is kept for the step that needs the table (never an unhandled rejection meanwhile).
  const tableReady = server ? server.db.exec(TABLE_SQL).then(() => null, (error: unknown) => error) : undefined

  const received: Record<string, string[]> = { alice: [], bob: [] }
  const acks: string[] = []
  const changes: Array<Record<string, unknown>> = []
  const gapsMs: Record<string, number[]> = { alice: [], bob: [] }
  // Only the `system` messages are kept (the postgres step waits for one): with --follow the demo
  // runs for hours, and every broadcast is an event too.
  const systemMessages: Array<{ topic: string; message: string }> = []
  const wake = new Set<() => void>()
  const clients: RealtimeClient[] = []
  const makeClient = (name: string) => {
    const client = createRealtimeClient({
      url,
      apikey,
      ...(options.inspect !== undefined && { inspect: options.inspect }),
      handleEvent: (event) => {
        const line = describe(event)
        if (line) print(`[${name}] ${line}`)
        if (event.type === 'channel' && event.kind === 'resubscribed' && event.topic === `realtime:${ROOM}`) gapsMs[name]!.push(event.gapMs)
        if (event.type === 'channel' && event.kind === 'system') systemMessages.push({ topic: event.topic, message: event.message })
        for (const check of [...wake]) check()
      },
    })
    clients.push(client)
    return client
  }
  /** Resolves when `check` holds, re-checked on every client event and every 10 ms. */
  const until = (check: () => boolean, what: string) => waitFor(check, STEP_MS, what, wake)

  let succeeded = false
  try {
    const alice = makeClient('alice')
    const bob = makeClient('bob')
    // Alice sends fire-and-forget broadcasts; Bob's channel asks the server to acknowledge his. Each
    // has a presence key, so both see who is online.
    const aliceRoom = alice.channel(ROOM, { presence: { key: 'alice' } })
    const bobRoom = bob.channel(ROOM, { broadcast: { ack: true }, presence: { key: 'bob' } })
    const online: Record<string, string> = {}
    for (const [name, room] of [['alice', aliceRoom], ['bob', bobRoom]] as const) {
      room.on('broadcast', { event: '*' }, ({ event, payload }) => {
        const shown = payload instanceof ArrayBuffer ? `<${payload.byteLength} bytes: ${[...new Uint8Array(payload)].join(' ')}>` : JSON.stringify(payload)
        const line = `${event} ${shown}`
        received[name]!.push(line)
        print(`[${name}] received ${line}`)
      })
      // A sync comes after every presence change; the list is printed when it changed.
      room.on('presence', { event: 'sync' }, () => {
        const now = Object.keys(room.presenceState()).sort().join(', ') || 'nobody'
        // The first sync of an empty room says nothing worth a line.
        if (online[name] === now || (online[name] === undefined && now === 'nobody')) return
        online[name] = now
        print(`[${name}] online: ${now}`)
        for (const check of [...wake]) check()
      })
    }
    await Promise.all([aliceRoom.subscribe(), bobRoom.subscribe()])
    await Promise.all([aliceRoom.track({ name: 'alice' }), bobRoom.track({ name: 'bob' })])
    await until(() => online['alice'] === 'alice, bob' && online['bob'] === 'alice, bob', 'both clients to see each other online')

    const expectMessages = (name: string, count: number) => until(() => received[name]!.length >= count, `${name} to receive ${count} messages`)

    print('[alice] broadcast greeting (no ack)')
    aliceRoom.broadcast('greeting', { from: 'alice', text: 'hello bob' })
    await expectMessages('bob', 1)
    print('[alice] broadcast cursor as binary (no ack)')
    aliceRoom.broadcast('cursor', new Uint8Array([1, 2, 3, 4]))
    await expectMessages('bob', 2)

    print('[bob] broadcast greeting with ack')
    const ref = await bobRoom.broadcastWithAck('greeting', { from: 'bob', text: 'hello alice, with ack' })
    const outcome = await bob.waitForAck(ref, { timeout: 5000 })
    const ackLine = 'ok' in outcome ? `acknowledged` : `not acknowledged (${String(outcome.error instanceof Error ? outcome.error.message : outcome.error)})`
    acks.push(ackLine)
    print(`[bob] ack: ${ackLine}`)
    await expectMessages('alice', 1)

    if (server && tableReady) {
      await dropAndRejoin(server, print, until, gapsMs)
      await postgresChange(server, alice, tableReady, print, until, systemMessages, changes)
    }

    if (options.follow) {
      const endpoint = `${url.replace(/\/+$/, '')}/realtime/v1`
      print(`demo: join this room from outside: endpoint ${endpoint}, apikey ${apikey}, channel ${ROOM}`)
      print(`demo:   new RealtimeClient('${endpoint}', { params: { apikey: '${apikey}' } }).channel('${ROOM}').on('broadcast', { event: '*' }, console.log).subscribe()`)
      print('demo: following; press Ctrl-C to stop')
      let tick = 0
      while (!options.signal?.aborted) {
        await sleep(options.tickMs ?? 1000, options.signal)
        if (options.signal?.aborted) break
        tick += 1
        aliceRoom.broadcast('tick', { n: tick })
      }
    }

    // Bob leaves first, so Alice sees him go.
    await bobRoom.unsubscribe()
    await until(() => online['alice'] === 'alice', 'alice to see bob leave')
    succeeded = true
    return { received, acks, changes, gapsMs, target: remote ? 'supabase' : 'dev-server' }
  } finally {
    // Leave the room first, so the channels end `closed` rather than waiting for a socket to come back.
    await Promise.all(clients.map(async (client) => {
      await client.removeAllChannels()
      await client.close()
    }))
    await tableReady
    await server?.close()
    // Last, after every state change the shutdown printed.
    if (succeeded) print('demo: done')
  }
}

type Until = (check: () => boolean, what: string) => Promise<void>

/** The server cuts every TCP connection; both clients reconnect, rejoin and report the gap. */
async function dropAndRejoin(server: DevServer, print: (line: string) => void, until: Until, gapsMs: Record<string, number[]>): Promise<void> {
  print('demo: the server drops every connection')
  const before = { alice: gapsMs['alice']!.length, bob: gapsMs['bob']!.length }
  server.faults.dropAllSockets()
  await until(() => gapsMs['alice']!.length > before.alice && gapsMs['bob']!.length > before.bob, 'both clients to rejoin after the drop')
}

/** A row inserted with SQL reaches Alice's `postgres_changes` listener, converted. */
async function postgresChange(
  server: DevServer,
  alice: RealtimeClient,
  tableReady: Promise<unknown>,
  print: (line: string) => void,
  until: Until,
  systemMessages: ReadonlyArray<{ topic: string; message: string }>,
  changes: Array<Record<string, unknown>>,
): Promise<void> {
  const failure = await tableReady
  if (failure !== null) throw failure
  const todos: RealtimeChannel = alice.channel('db:todos')
  todos.on('postgres_changes', { event: 'INSERT', schema: 'public', table: 'todos' }, (change) => {
    changes.push(change.new)
    print(`[alice] postgres change ${change.eventType} ${change.schema}.${change.table}: ${JSON.stringify(change.new)}`)
  })
  await todos.subscribe()
  // The server subscribes to the database after the join reply: rows written before that are not sent.
  await until(
    () => systemMessages.some(({ topic, message }) => topic === todos.topic && message === 'Subscribed to PostgreSQL'),
    'Subscribed to PostgreSQL',
  )
  print(`demo: ${INSERT_SQL}`)
  await server.db.query(INSERT_SQL)
  await until(() => changes.length > 0, 'the inserted row to arrive')
}

/** Resolves after `ms`, or at once when `signal` aborts; it leaves no listener behind either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal?.addEventListener('abort', done, { once: true })
  })
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string, wake?: Set<() => void>): Promise<void> {
  if (check()) return
  await new Promise<void>((resolve, reject) => {
    const stop = (): void => {
      clearInterval(poll)
      clearTimeout(deadline)
      wake?.delete(test)
    }
    const test = (): void => {
      if (!check()) return
      stop()
      resolve()
    }
    // Events wake the check at once; the poll covers state that changes without an event.
    const poll = setInterval(test, 10)
    const deadline = setTimeout(() => {
      stop()
      reject(new Error(`demo: timed out waiting for ${what}`))
    }, timeoutMs)
    wake?.add(test)
  })
}
