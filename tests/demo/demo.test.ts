import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { getEventListeners } from 'node:events'
import { fileURLToPath } from 'node:url'
import { runDemo, sleep } from '../../src/demo/run-demo.js'
import { startDevServer } from '../../src/dev-server/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const ROOM = 'realtime:room:demo'

test('the demo: presence, broadcasts with and without ack, a dropped connection, a postgres change, on the embedded dev server', async () => {
  const lines: string[] = []
  const result = await runDemo({ env: {}, print: (line) => lines.push(line) })
  assert.is(result.target, 'dev-server')
  assert.equal(result.received['bob'], ['greeting {"from":"alice","text":"hello bob"}', 'cursor <4 bytes: 1 2 3 4>'])
  assert.equal(result.received['alice'], ['greeting {"from":"bob","text":"hello alice, with ack"}'])
  assert.equal(result.acks, ['acknowledged'])
  for (const name of ['alice', 'bob']) {
    assert.ok(lines.includes(`[${name}] connection closed → connecting`), `${name} connecting`)
    assert.ok(lines.includes(`[${name}] connection connecting → open`), `${name} open`)
    assert.ok(lines.includes(`[${name}] channel ${ROOM} joining → joined`), `${name} joined`)
    assert.ok(lines.includes(`[${name}] online: alice, bob`), `${name} sees both online`)
    // The drop: the channel errors, the client reconnects and rejoins, and says how long it was away.
    assert.ok(lines.includes(`[${name}] channel ${ROOM} joined → errored`), `${name} lost the room`)
    assert.ok(lines.includes(`[${name}] channel ${ROOM} errored → joining`), `${name} rejoins`)
    assert.is(result.gapsMs[name]!.length, 1, `${name}: one resubscribed`)
    assert.ok(lines.includes(`[${name}] channel ${ROOM} resubscribed after ${result.gapsMs[name]![0]} ms`), `${name} resubscribed line`)
    assert.ok(lines.includes(`[${name}] channel ${ROOM} leaving → closed`), `${name} left`)
    assert.ok(lines.includes(`[${name}] connection closing → closed`), `${name} closed`)
  }
  assert.ok(lines.indexOf('demo: the server drops every connection') < lines.indexOf(`[alice] channel ${ROOM} joined → errored`), 'the drop comes first')
  // Bob leaves before Alice: the last list she prints has her alone.
  const aliceLists = lines.filter((line) => line.startsWith('[alice] online: '))
  assert.is(aliceLists.at(-1), '[alice] online: alice')
  // The row written with SQL, converted: int8 beyond 2^53 exact, timestamptz in UTC, arrays, jsonb, numeric.
  const row = { id: '9007199254740993', title: 'write the demo', done: false, due: '2026-12-24T17:00:00Z', tags: ['demo', 'two words'], meta: { by: 'alice' }, price: 19.99 }
  assert.equal(result.changes, [row])
  const subscribed = lines.indexOf('[alice] channel realtime:db:todos system: Subscribed to PostgreSQL')
  const inserted = lines.findIndex((line) => line.startsWith('demo: insert into todos'))
  const arrived = lines.indexOf(`[alice] postgres change INSERT public.todos: ${JSON.stringify(row)}`)
  assert.ok(subscribed >= 0 && subscribed < inserted && inserted < arrived, `subscribed (${subscribed}), then the insert (${inserted}), then the change (${arrived})`)
  assert.is(lines.at(-1), 'demo: done')
  assert.is(lines.filter((line) => line.startsWith('[alice] error') || line.startsWith('[bob] error')).length, 0, lines.join('\n'))
})

test('with SUPABASE_URL and SUPABASE_ANON_KEY the demo uses that project instead of its own server', async () => {
  const project = await startDevServer({ port: 0 })
  try {
    const lines: string[] = []
    const result = await runDemo({ env: { SUPABASE_URL: project.url, SUPABASE_ANON_KEY: project.apikey }, print: (line) => lines.push(line) })
    assert.is(result.target, 'supabase')
    assert.is(lines[0], `demo: using the Supabase project at ${project.url}`)
    assert.equal(result.acks, ['acknowledged'])
    // A project's database and sockets are not ours to write or drop.
    assert.equal(result.changes, [])
    assert.equal(result.gapsMs, { alice: [], bob: [] })
    assert.is(lines.at(-1), 'demo: done')
  } finally {
    await project.close()
  }
})

test('--follow prints how to join from outside and keeps broadcasting until stopped, without piling up abort listeners', async () => {
  const controller = new AbortController()
  const lines: string[] = []
  const warnings: Error[] = []
  const onWarning = (warning: Error): void => void warnings.push(warning)
  process.on('warning', onWarning)
  let listenersAtTick20 = -1
  try {
    const project = await startDevServer({ port: 0 })
    try {
      // Against a "project" (no PGlite start): 20 ticks at 5 ms are enough to see a leak of one listener per tick.
      const result = await runDemo({
        env: { SUPABASE_URL: project.url, SUPABASE_ANON_KEY: project.apikey },
        follow: true,
        tickMs: 5,
        signal: controller.signal,
        print: (line) => {
          lines.push(line)
          if (line.startsWith('[bob] received tick {"n":20}')) {
            listenersAtTick20 = getEventListeners(controller.signal, 'abort').length
            controller.abort()
          }
        },
      })
      assert.ok(result.received['bob']!.includes('tick {"n":1}'))
      assert.ok(lines.includes(`demo: join this room from outside: endpoint ${project.url}/realtime/v1, apikey ${project.apikey}, channel room:demo`), lines.join('\n'))
      assert.is(lines.at(-1), 'demo: done')
    } finally {
      await project.close()
    }
  } finally {
    process.off('warning', onWarning)
  }
  // One sleep is pending at a time: at most its own listener (main.ts adds none to this signal).
  assert.ok(listenersAtTick20 >= 0 && listenersAtTick20 <= 1, `${listenersAtTick20} abort listeners after 20 ticks`)
  assert.equal(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning').map(String), [])
})

test('sleep removes its abort listener when the time is up, and ends at once on abort', async () => {
  const controller = new AbortController()
  for (let i = 0; i < 15; i++) await sleep(1, controller.signal)
  assert.is(getEventListeners(controller.signal, 'abort').length, 0)
  const pending = sleep(60_000, controller.signal)
  assert.is(getEventListeners(controller.signal, 'abort').length, 1)
  controller.abort()
  await pending
  assert.is(getEventListeners(controller.signal, 'abort').length, 0)
  await sleep(60_000, controller.signal) // already aborted: resolves at once
})

test('npm start runs the demo as a process that exits 0, with demo: done last', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], { cwd: root, env: { ...process.env, SUPABASE_URL: '', SUPABASE_ANON_KEY: '' } })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  assert.is(code, 0, out)
  assert.match(out, '[bob] ack: acknowledged')
  assert.match(out, /resubscribed after \d+ ms/)
  assert.match(out, '[alice] postgres change INSERT public.todos: {"id":"9007199254740993"')
  assert.is(out.trim().split('\n').at(-1), 'demo: done')
})

test.run()
