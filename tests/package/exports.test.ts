// The built package as users get it (npm test builds before it runs the tests).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
const entries = ['index', 'machines', 'dev-server'] as const

test('every entry point exists as ESM, CJS and declarations', () => {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Record<string, Record<string, string>> }
  for (const key of ['.', './machines', './dev-server']) {
    for (const condition of ['types', 'import', 'require']) {
      const file = pkg.exports[key]?.[condition]
      assert.ok(file && existsSync(`${root}/${file}`), `${key} ${condition}: ${file}`)
    }
  }
})

test('CJS and ESM expose the same API, and RealtimeError is one class across entry points', async () => {
  for (const name of entries) {
    const cjs = require(`${root}/dist/cjs/${name}.cjs`) as Record<string, unknown>
    const esm = (await import(`${root}/dist/esm/${name}.js`)) as Record<string, unknown>
    assert.equal(Object.keys(cjs).sort(), Object.keys(esm).filter((key) => key !== 'default').sort(), name)
  }
  const index = (await import(`${root}/dist/esm/index.js`)) as typeof import('../../src/index.js')
  const machines = (await import(`${root}/dist/esm/machines.js`)) as typeof import('../../machines/index.js')
  const { createActor } = await import('xstate')
  // An error made inside a machine from the `machines` entry is an instance of the `.` entry's class.
  const actor = createActor(machines.connectionMachine, { input: { vsn: '2.0.0', apikey: 'k', sendBufferSize: 1 } })
  const errors: unknown[] = []
  actor.on('error', (event) => errors.push(event.error))
  actor.start()
  const message = { joinRef: null, ref: '1', topic: 'realtime:a', event: 'x', payload: {} }
  actor.send({ type: 'send', message })
  actor.send({ type: 'send', message: { ...message, ref: '2' } })
  actor.stop()
  assert.is(errors.length, 1)
  assert.instance(errors[0], index.RealtimeError)
  const cjsIndex = require(`${root}/dist/cjs/index.cjs`) as typeof index
  const cjsMachines = require(`${root}/dist/cjs/machines.cjs`) as typeof machines
  assert.is(cjsIndex.RealtimeError, (require(`${root}/dist/cjs/shared.cjs`) as { index: typeof index }).index.RealtimeError)
  assert.ok(cjsMachines.connectionMachine)
})

test('the browser bundle does not contain the ws package', () => {
  const bundle = readFileSync(`${root}/dist/browser/index.js`, 'utf8')
  assert.not.match(bundle, /require\(["']ws["']\)|from["']ws["']|WebSocketServer/)
  assert.ok(bundle.length > 1000)
})

test('a user file type-checks against the built declarations through the exports map', () => {
  execFileSync(process.execPath, [`${root}/node_modules/typescript/bin/tsc`, '-p', `${root}/tests/package/consumer/tsconfig.json`], { stdio: 'pipe' })
})

test('the CLI bin starts with a shebang', () => {
  assert.match(readFileSync(`${root}/dist/cjs/cli.cjs`, 'utf8'), /^#!\/usr\/bin\/env node/)
})

test.run()
