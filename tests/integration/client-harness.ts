/**
 * Builders for end-to-end tests of the client against the dev server: short timeouts through the
 * options, every event recorded, waits on events (never on fixed sleeps), everything closed after.
 */
import type { RealtimeClient as SupabaseRealtimeClient } from '@supabase/realtime-js'
import { suite, type Test } from 'uvu'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import * as assert from 'uvu/assert'
import { createRealtimeClient, RealtimeError, type RealtimeClient, type RealtimeClientOptions, type RealtimeEvent } from '../../src/index.js'
import type { LogLevel } from '../../src/events.js'

/** Items in arrival order; `waitFor` looks at past items too, so a fast event is never missed. */
export class EventLog<T> {
  readonly all: T[] = []
  private waiters: Array<{ predicate: (item: T) => boolean; resolve: (item: T) => void }> = []

  push(item: T): void {
    this.all.push(item)
    for (const waiter of [...this.waiters]) {
      if (waiter.predicate(item)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        waiter.resolve(item)
      }
    }
  }

  count(predicate: (item: T) => boolean): number {
    return this.all.filter(predicate).length
  }

  waitFor(predicate: (item: T) => boolean, deadlineMs = 5000, what = 'event'): Promise<T> {
    const found = this.all.find(predicate)
    if (found !== undefined) return Promise.resolve(found)
    return this.listen(predicate, deadlineMs, what)
  }

  /** Resolves once `predicate` has matched `n` items (past ones included). */
  async waitForCount(predicate: (item: T) => boolean, n: number, deadlineMs = 5000, what = 'events'): Promise<void> {
    let seen = this.count(predicate)
    if (seen >= n) return
    await this.listen((item) => predicate(item) && ++seen >= n, deadlineMs, `${n} ${what} (saw ${seen})`)
  }

  /** The next future item matching `predicate`. */
  private listen(predicate: (item: T) => boolean, deadlineMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (item: T) => {
          clearTimeout(timer)
          resolve(item)
        },
      }
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1)
        reject(new Error(`no ${what} within ${deadlineMs} ms`))
      }, deadlineMs)
      this.waiters.push(waiter)
    })
  }
}

/**
 * `promise`, or a rejection after `deadlineMs`: for outcomes the client itself promises to deliver
 * (a push timeout, an ack), so a regression fails the test instead of hanging the suite.
 */
export function within<T>(promise: Promise<T>, deadlineMs: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${deadlineMs} ms`)), deadlineMs)
  })
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer))
}

/** `fn` throws a `RealtimeError` with code `invalid_argument` (a test failure otherwise). */
export function throwsInvalid(fn: () => unknown, what: string): void {
  try {
    fn()
  } catch (error) {
    assert.instance(error, RealtimeError, what)
    assert.is((error as RealtimeError).code, 'invalid_argument', what)
    return
  }
  assert.unreachable(`${what}: accepted without an error`)
}

export interface TestClient {
  client: RealtimeClient
  events: EventLog<RealtimeEvent>
  logs: Array<{ level: LogLevel; message: string; data: unknown }>
}

export interface World {
  server: DevServer
  clients: RealtimeClient[]
  makeClient(options?: Partial<RealtimeClientOptions>): TestClient
  close(): Promise<void>
}

/** Timings short enough for tests, long enough for a loaded CI machine. */
export const FAST: Partial<RealtimeClientOptions> = {
  timeoutMs: 3000,
  heartbeatIntervalMs: 5000,
  reconnectDelays: () => 20,
  rejoinDelays: [50, 100, 200],
  emptyChannelsGraceMs: 100,
}

export async function startWorld(): Promise<World> {
  const server = await startDevServer()
  const clients: RealtimeClient[] = []
  return {
    server,
    clients,
    makeClient(options = {}) {
      const events = new EventLog<RealtimeEvent>()
      const logs: TestClient['logs'] = []
      const client = createRealtimeClient({
        url: server.url,
        apikey: server.apikey,
        ...FAST,
        handleEvent: (event) => events.push(event),
        logger: (level, message, data) => void logs.push({ level, message, data }),
        ...options,
      })
      clients.push(client)
      return { client, events, logs }
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()))
      await server.close()
    },
  }
}

export const isChannelState = (topic: string, state: string) => (event: RealtimeEvent) =>
  event.type === 'channel' && event.kind === 'state_change' && event.topic === topic && event.new === state

export const isResubscribed = (topic?: string) => (event: RealtimeEvent) =>
  event.type === 'channel' && event.kind === 'resubscribed' && (topic === undefined || event.topic === topic)

export const isBroadcast = (event: string, topic?: string) => (item: RealtimeEvent) =>
  item.type === 'broadcast' && item.event === event && (topic === undefined || item.topic === topic)

/** A suite whose tests each get a fresh dev server world and a list of realtime-js clients closed after it. */
export interface InteropContext {
  world: World
  theirs: SupabaseRealtimeClient[]
}

export function interopSuite(name: string): Test<InteropContext> {
  const test = suite<InteropContext>(name, { world: undefined as unknown as World, theirs: [] })
  test.before.each(async (ctx) => {
    ctx.world = await startWorld()
    ctx.theirs = []
  })
  test.after.each(async (ctx) => {
    for (const client of ctx.theirs) {
      await client.removeAllChannels()
      client.disconnect()
    }
    await ctx.world.close()
  })
  return test
}
