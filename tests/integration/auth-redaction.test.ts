/**
 * Issue 15: no token and no apikey in clear in anything a user sees, during a run that goes through
 * every auth path (a refused upgrade, a token function, rotation, a server expiry, setAuth, a private
 * channel): every event, every error (message and metadata), every log line and every inspection event.
 */
import * as assert from 'uvu/assert'
import type { InspectionEvent } from 'xstate'
import { startDevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, type RealtimeEvent } from '../../src/index.js'
import { FAST, within } from './client-harness.js'
import { suite } from 'uvu'

const test = suite('auth: nothing secret in clear')

/** JSON of anything, actor refs and cycles included (an inspection event names live actors). */
function serialise(value: unknown): string {
  const seen = new WeakSet<object>()
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return String(item)
    if (typeof item !== 'object' || item === null) return item
    if (typeof (item as { send?: unknown }).send === 'function' && 'sessionId' in item) return `[actor ${(item as { id?: string }).id}]`
    if (seen.has(item)) return '[seen]'
    seen.add(item)
    if (item instanceof Error) return { name: item.name, message: item.message, ...(item as object) }
    return item
  })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** What the run must go through (each seen in some recorded line), so the scan is not vacuous. */
const EXPECTED = ['token_expired', 'unauthorized', '"kind":"system"', 'connection.token', 'setAuth', 'access_token']

test('a representative run: events, errors, logs and inspection carry no token or apikey', async () => {
  const server = await startDevServer({ authorize: ({ claims }) => claims['role'] === 'authenticated' })
  const secrets: string[] = [server.apikey]
  const lines: string[] = []
  const record = (what: string, value: unknown): void => void lines.push(`${what} ${serialise(value)}`)
  const nowS = (): number => Math.floor(Date.now() / 1000)
  const issue = (role: string, lifeS: number): string => {
    const token = server.signToken({ role, exp: nowS() + lifeS })
    secrets.push(token)
    return token
  }
  const common = {
    url: server.url,
    ...FAST,
    heartbeatIntervalMs: 250,
    handleEvent: (event: RealtimeEvent) => record('event', event),
    logger: (level: string, message: string, data: unknown) => record(`log ${level} ${message}`, data),
    inspect: (event: InspectionEvent) => record('inspect', event),
  }
  try {
    // A wrong apikey: the refusal, its status and the server's error.
    // One signature character changed in the middle (the last one carries padding bits: changing it may change nothing).
    const signed = server.signToken({ role: 'anon', exp: nowS() + 60 })
    const at = signed.lastIndexOf('.') + 10
    const wrongKey = signed.slice(0, at) + (signed[at] === 'A' ? 'B' : 'A') + signed.slice(at + 1)
    secrets.push(wrongKey)
    const refused = createRealtimeClient({ ...common, apikey: wrongKey })
    await refused.channel('refused').subscribe().catch((error: unknown) => record('rejection', error))
    await refused.close()

    // A token function with short tokens (rotation), a server expiry (margin 0), setAuth, a private channel.
    const rotating = createRealtimeClient({ ...common, apikey: server.apikey, tokenRefreshMarginMs: 1500, accessTokenFn: async () => issue('authenticated', 2) })
    await within(rotating.channel('secret-room', { private: true }).subscribe(), 5000, 'private join')
    const expiring = createRealtimeClient({ ...common, apikey: server.apikey, tokenRefreshMarginMs: 0, accessTokenFn: async () => issue('authenticated', 2) })
    await within(expiring.channel('expiring').subscribe(), 5000, 'join')
    const manual = createRealtimeClient({ ...common, apikey: server.apikey, accessToken: issue('anon', 60) })
    const denied = manual.channel('private-denied', { private: true })
    await denied.subscribe().catch((error: unknown) => record('rejection', error))
    manual.setAuth(issue('authenticated', 60))
    // Until the rotation and the server's expiry have happened (2 s tokens): polled, not a fixed sleep,
    // so a loaded machine whose timers run late does not end the run before them.
    const deadline = Date.now() + 15_000
    while (!EXPECTED.every((expected) => lines.some((line) => line.includes(expected))) && Date.now() < deadline) await sleep(50)
    for (const client of [rotating, expiring, manual]) await client.close()
  } finally {
    await server.close()
  }
  const text = lines.join('\n')
  // Not vacuous: the run went through the paths whose traces are scanned.
  for (const expected of EXPECTED) assert.ok(text.includes(expected), `the run saw ${expected}`)
  assert.ok(secrets.length > 5)
  for (const secret of secrets) {
    const at = text.indexOf(secret)
    assert.is(at, -1, `a secret in clear: …${text.slice(Math.max(0, at - 200), at + 20)}`)
    // Nor its signature alone (a token split or partly redacted).
    assert.not.ok(text.includes(secret.split('.')[2]!), 'a signature in clear')
  }
})

test.run()
