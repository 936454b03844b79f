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
  return { child, exited, output: () => ({ stdout, stderr }) }
}

test('dev-server --port 0 prints a one-line banner with URL and apikey, serves, and exits on SIGTERM', async () => {
  const cli = runCli(['dev-server', '--port', '0'])
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
    const client = await RawClient.connect(match![1]!, { apikey: match![2]! })
    await client.barrier()
    await client.close()
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
