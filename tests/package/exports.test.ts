// The built package as users get it (npm test builds before it runs the tests).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
type Conditions = { types: string; default?: string; node?: string }
type Exports = Record<string, { import: Conditions; require: Conditions } | string>
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Exports }
const subpaths = ['.', './machines', './dev-server'] as const
/** The file Node loads for `subpath` under `import` or `require`. */
function target(subpath: string, condition: 'import' | 'require', field: 'types' | 'code' = 'code'): string {
  const entry = pkg.exports[subpath]
  assert.ok(entry && typeof entry === 'object', subpath)
  const file = field === 'types' ? entry[condition].types : (entry[condition].default ?? entry[condition].node)
  assert.ok(file, `${subpath} ${condition} ${field}`)
  return `${root}/${file}`
}

test('every entry point exists as ESM, CJS and declarations for each', () => {
  for (const subpath of subpaths) {
    for (const condition of ['import', 'require'] as const) {
      for (const field of ['types', 'code'] as const) assert.ok(existsSync(target(subpath, condition, field)), `${subpath} ${condition} ${field}`)
    }
  }
})

/** An error made inside the connection machine of `machines` (a send buffer of one, overflowed). */
function machineError(machines: typeof import('../../machines/index.js'), createActor: typeof import('xstate').createActor): unknown {
  const actor = createActor(machines.connectionMachine, { input: { vsn: '2.0.0', apikey: 'k', sendBufferSize: 1 } })
  const errors: unknown[] = []
  actor.on('error', (event) => errors.push(event.error))
  actor.start()
  const message = { joinRef: null, ref: '1', topic: 'realtime:a', event: 'x', payload: {} }
  actor.send({ type: 'send', message })
  actor.send({ type: 'send', message: { ...message, ref: '2' } })
  actor.stop()
  assert.is(errors.length, 1)
  return errors[0]
}

test('CJS and ESM expose the same API, and RealtimeError is one class across entry points in each', async () => {
  for (const subpath of subpaths) {
    const cjs = require(target(subpath, 'require')) as Record<string, unknown>
    const esm = (await import(target(subpath, 'import'))) as Record<string, unknown>
    assert.equal(Object.keys(cjs).sort(), Object.keys(esm).filter((key) => key !== 'default').sort(), subpath)
  }
  const esmIndex = (await import(target('.', 'import'))) as typeof import('../../src/index.js')
  const esmMachines = (await import(target('./machines', 'import'))) as typeof import('../../machines/index.js')
  const { createActor } = await import('xstate')
  assert.instance(machineError(esmMachines, createActor), esmIndex.RealtimeError)
  const cjsIndex = require(target('.', 'require')) as typeof esmIndex
  const cjsMachines = require(target('./machines', 'require')) as typeof esmMachines
  assert.instance(machineError(cjsMachines, require('xstate').createActor), cjsIndex.RealtimeError)
})

test('outside Node, the `ws` package is not loaded: `#ws` is the platform WebSocket', async () => {
  const imports = (JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { imports: Record<string, Record<string, string>> }).imports
  assert.is(imports['#ws']?.node, 'ws')
  const browser = (await import(`${root}/${imports['#ws']?.default}`)) as { default: unknown }
  assert.is(browser.default, (globalThis as { WebSocket?: unknown }).WebSocket)
  assert.match(readFileSync(target('.', 'import'), 'utf8'), /from "#ws"/)
  assert.not.match(readFileSync(target('.', 'import'), 'utf8'), /from "ws"/)
})

test('the CLI bin starts with a shebang', () => {
  assert.match(readFileSync(`${root}/dist/cjs/cli.cjs`, 'utf8'), /^#!\/usr\/bin\/env node/)
})

test.run()
