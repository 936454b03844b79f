/**
 * The demo the README's quick start runs: two clients join one room on the embedded dev server (or a
 * real Supabase project when SUPABASE_URL and SUPABASE_ANON_KEY are set), exchange broadcasts with and
 * without ack, and print what each receives and every connection and channel state change.
 */
import { createRealtimeClient, type RealtimeClient, type RealtimeClientOptions, type RealtimeEvent } from '../index.js'
import { startDevServer } from '../dev-server/index.js'

export interface DemoOptions {
  /** Keep running (a broadcast every second) until `signal` aborts. */
  follow?: boolean
  signal?: AbortSignal
  env?: Record<string, string | undefined>
  print?: (line: string) => void
  /** An XState inspection observer given to both clients (`--visualize` passes the visualizer's bridge). */
  inspect?: RealtimeClientOptions['inspect']
}

export interface DemoResult {
  received: Record<string, string[]>
  acks: string[]
  target: 'dev-server' | 'supabase'
}

function describe(event: RealtimeEvent): string | undefined {
  switch (event.type) {
    case 'connection':
      return event.kind === 'state_change' ? `connection ${event.old} → ${event.new}` : undefined
    case 'channel':
      if (event.kind === 'state_change') return `channel ${event.topic} ${event.old} → ${event.new}`
      if (event.kind === 'resubscribed') return `channel ${event.topic} resubscribed after ${event.gapMs} ms`
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

  const received: Record<string, string[]> = { alice: [], bob: [] }
  const acks: string[] = []
  const clients: RealtimeClient[] = []
  const makeClient = (name: string) => {
    const client = createRealtimeClient({
      url,
      apikey,
      ...(options.inspect !== undefined && { inspect: options.inspect }),
      handleEvent: (event) => {
        const line = describe(event)
        if (line) print(`[${name}] ${line}`)
      },
    })
    clients.push(client)
    return client
  }

  try {
    const alice = makeClient('alice')
    const bob = makeClient('bob')
    // Alice sends fire-and-forget broadcasts; Bob's channel asks the server to acknowledge his.
    const aliceRoom = alice.channel('room:demo')
    const bobRoom = bob.channel('room:demo', { broadcast: { ack: true } })
    for (const [name, room] of [['alice', aliceRoom], ['bob', bobRoom]] as const) {
      room.on('broadcast', { event: '*' }, ({ event, payload }) => {
        const shown = payload instanceof ArrayBuffer ? `<${payload.byteLength} bytes: ${[...new Uint8Array(payload)].join(' ')}>` : JSON.stringify(payload)
        const line = `${event} ${shown}`
        received[name]!.push(line)
        print(`[${name}] received ${line}`)
      })
    }
    await Promise.all([aliceRoom.subscribe(), bobRoom.subscribe()])

    const expectMessages = (name: string, count: number) => waitFor(() => received[name]!.length >= count, 5000, `${name} to receive ${count} messages`)

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

    if (options.follow) {
      print('demo: following; press Ctrl-C to stop')
      let tick = 0
      while (!options.signal?.aborted) {
        await sleep(1000, options.signal)
        if (options.signal?.aborted) break
        tick += 1
        aliceRoom.broadcast('tick', { n: tick })
      }
    }
    print('demo: done')
    return { received, acks, target: remote ? 'supabase' : 'dev-server' }
  } finally {
    // Leave the room first, so the channels end `closed` rather than waiting for a socket to come back.
    await Promise.all(clients.map(async (client) => {
      await client.removeAllChannels()
      await client.close()
    }))
    await server?.close()
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}

async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`demo: timed out waiting for ${what}`)
    await sleep(10)
  }
}
