import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runDemo } from '../../src/demo/run-demo.js'
import { startDevServer } from '../../src/dev-server/index.js'

const root = fileURLToPath(new URL('../..', import.meta.url))

test('the demo: two clients exchange broadcasts with and without ack on the embedded dev server', async () => {
  const lines: string[] = []
  const result = await runDemo({ env: {}, print: (line) => lines.push(line) })
  assert.is(result.target, 'dev-server')
  assert.equal(result.received['bob'], ['greeting {"from":"alice","text":"hello bob"}', 'cursor <4 bytes: 1 2 3 4>'])
  assert.equal(result.received['alice'], ['greeting {"from":"bob","text":"hello alice, with ack"}'])
  assert.equal(result.acks, ['acknowledged'])
  for (const name of ['alice', 'bob']) {
    assert.ok(lines.includes(`[${name}] connection closed → connecting`), `${name} connecting`)
    assert.ok(lines.includes(`[${name}] connection connecting → open`), `${name} open`)
    assert.ok(lines.includes(`[${name}] channel realtime:room:demo joining → joined`), `${name} joined`)
    assert.ok(lines.includes(`[${name}] channel realtime:room:demo leaving → closed`), `${name} left`)
    assert.ok(lines.includes(`[${name}] connection closing → closed`), `${name} closed`)
  }
})

test('with SUPABASE_URL and SUPABASE_ANON_KEY the demo uses that project instead of its own server', async () => {
  const project = await startDevServer({ port: 0 })
  try {
    const lines: string[] = []
    const result = await runDemo({ env: { SUPABASE_URL: project.url, SUPABASE_ANON_KEY: project.apikey }, print: (line) => lines.push(line) })
    assert.is(result.target, 'supabase')
    assert.is(lines[0], `demo: using the Supabase project at ${project.url}`)
    assert.equal(result.acks, ['acknowledged'])
  } finally {
    await project.close()
  }
})

test('--follow keeps broadcasting until stopped', async () => {
  const controller = new AbortController()
  const lines: string[] = []
  const done = runDemo({
    env: {},
    follow: true,
    signal: controller.signal,
    print: (line) => {
      lines.push(line)
      if (line.startsWith('[bob] received tick')) controller.abort()
    },
  })
  const result = await done
  assert.ok(result.received['bob']!.some((line) => line.startsWith('tick {"n":1}')))
  assert.is(lines.at(-1)?.startsWith('demo: done') || lines.includes('demo: done'), true)
})

test('npm start runs the demo as a process that exits 0', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts'], { cwd: root, env: { ...process.env, SUPABASE_URL: '', SUPABASE_ANON_KEY: '' } })
  let out = ''
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()))
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve))
  assert.is(code, 0, out)
  assert.match(out, '[bob] ack: acknowledged')
  assert.match(out, 'demo: done')
})

test.run()
