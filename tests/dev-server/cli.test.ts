/** Issue 3: `realtime-xstate dev-server` starts the server in one command, prints a banner, stops on SIGTERM. */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { RawClient } from '../helpers/raw-client.js'

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url))

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = once(child, 'exit') as Promise<[number | null, string | null]>
  const output = () => ({ stdout, stderr })
  /** Resolves once `predicate` holds for the output so far, checked as each chunk arrives. */
  const waitFor = (predicate: (out: { stdout: string; stderr: string }) => boolean, what: string, ms = 10_000): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!predicate(output())) return
        clearTimeout(timer)
        child.stdout.off('data', check)
        child.stderr.off('data', check)
        resolve()
      }
      const timer = setTimeout(() => reject(new Error(`no ${what}: ${JSON.stringify(output())}`)), ms)
      child.stdout.on('data', check)
      child.stderr.on('data', check)
      check()
    })
  return { child, exited, output, waitFor }
}

test('dev-server --port 0 prints a banner (URL and apikey first), serves, logs with --verbose, and exits on SIGTERM', async () => {
  const cli = runCli(['dev-server', '--port', '0', '--verbose'])
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${JSON.stringify(cli.output())}`)), 10_000)
      cli.child.stdout.on('data', () => {
        const { stdout } = cli.output()
        if (stdout.includes('\n')) {
          clearTimeout(timer)
          resolve(stdout.split('\n')[0]!)
        }
      })
    })
    const match = /^Realtime dev server on (http:\/\/127\.0\.0\.1:\d+) · apikey (\S+) · Ctrl-C to stop$/.exec(banner)
    assert.ok(match, banner)
    await cli.waitFor(({ stdout }) => stdout.includes('database: '), 'full banner')
    assert.match(cli.output().stdout, /\nrealtime-js endpoint ws:\/\/127\.0\.0\.1:\d+\/realtime\/v1 · JWT secret [0-9a-f]{64}\ndatabase: embedded PGlite/)
    const client = await RawClient.connect(match![1]!, { apikey: match![2]! })
    const { joinRef } = await client.join('realtime:cli')
    client.send({ joinRef, ref: client.makeRef(), topic: 'realtime:cli', event: 'broadcast', payload: { type: 'broadcast', event: 'hello', payload: {} } })
    await client.barrier()
    await client.close()
    await cli.waitFor(({ stderr }) => stderr.includes('socket closed'), 'verbose log')
    const { stderr } = cli.output()
    for (const line of ['socket connected (vsn 2.0.0, role anon)', 'joined realtime:cli', 'broadcast hello on realtime:cli']) assert.ok(stderr.includes(line), `${line} in ${stderr}`)
    cli.child.kill('SIGTERM')
    const [code] = await cli.exited
    assert.is(code, 0)
  } finally {
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
  }
})

test('an unknown command prints usage and exits 2', async () => {
  const cli = runCli(['serve'])
  const [code] = await cli.exited
  assert.is(code, 2)
  assert.match(cli.output().stderr, /usage: realtime-xstate dev-server/)
})

test('--version and dev-server --help answer on stdout and exit 0', async () => {
  const version = runCli(['--version'])
  assert.is((await version.exited)[0], 0)
  assert.match(version.output().stdout, /^\d+\.\d+\.\d+\n$/)
  const help = runCli(['dev-server', '--help'])
  assert.is((await help.exited)[0], 0)
  assert.match(help.output().stdout, /--database-url URL/)
})

test('an invalid port is refused', async () => {
  const cli = runCli(['dev-server', '--port', 'abc'])
  const [code] = await cli.exited
  assert.is(code, 2)
})

test.run()
