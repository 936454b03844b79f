// Issue 14: `npm start -- --visualize` prints the visualizer's URL, serves the page there, and stops
// cleanly on Ctrl-C (SIGINT).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))

test('the demo with --visualize prints a loopback URL that serves the page, and exits 0 on SIGINT', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/demo/main.ts', '--visualize'], {
    cwd: root,
    env: { ...process.env, SUPABASE_URL: '', SUPABASE_ANON_KEY: '', VISUALIZER_PORT: '0' },
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no visualizer URL within 20 s; output:\n${output}`)), 20_000)
      const check = () => {
        const match = /visualizer: open (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)
        if (match) {
          clearTimeout(timer)
          child.stdout.off('data', check)
          resolve(match[1]!)
        }
      }
      child.stdout.on('data', check)
      check()
    })
    const page = await fetch(url)
    assert.is(page.status, 200)
    assert.match(await page.text(), '<title>realtime-xstate visualizer</title>')
    // The demo follows (keeps broadcasting) while the page is open, after its other steps: the last one
    // writes a row into the embedded PGlite, whose start-up takes 2–8 s on a loaded machine.
    const deadline = Date.now() + 30_000
    while (!output.includes('demo: following') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50))
    assert.ok(output.includes('demo: following'), output)
    child.kill('SIGINT')
    assert.is(await exited, 0, output)
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL')
  }
})

test.run()
