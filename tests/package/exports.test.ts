// The built package as users get it (npm test builds before it runs the tests).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)
type Conditions = { types: string; default?: string; node?: string }
type Exports = Record<string, { import: Conditions; require: Conditions } | string>
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { exports: Exports; imports: Record<string, Record<string, string>> }
const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json')
/** The file Node loads for `subpath` under `import` or `require`. */
function target(subpath: string, condition: 'import' | 'require', field: 'types' | 'code' = 'code'): string {
  const entry = pkg.exports[subpath]
  assert.ok(entry && typeof entry === 'object', subpath)
  const file = field === 'types' ? entry[condition].types : (entry[condition].default ?? entry[condition].node)
  assert.ok(file, `${subpath} ${condition} ${field}`)
  return `${root}/${file}`
}

test('the exports map and the build agree: ., ./machines, ./dev-server and ./react, and every built entry is exported', () => {
  for (const subpath of ['.', './machines', './dev-server', './react']) assert.ok(subpaths.includes(subpath), subpath)
  const built = readdirSync(`${root}/dist/esm`).filter((file) => file.endsWith('.js') && file !== 'no-ws.js')
  const exported = subpaths.map((subpath) => relative(`${root}/dist/esm`, target(subpath, 'import')))
  assert.equal(built.sort(), exported.sort())
})

test('every entry point exists as ESM, CJS and declarations for each', () => {
  for (const subpath of subpaths) {
    for (const condition of ['import', 'require'] as const) {
      for (const field of ['types', 'code'] as const) assert.ok(existsSync(target(subpath, condition, field)), `${subpath} ${condition} ${field}`)
    }
  }
})

test('CJS and ESM expose the same API (that the entries share RealtimeError: pack.test.ts)', async () => {
  for (const subpath of subpaths) {
    const cjs = require(target(subpath, 'require')) as Record<string, unknown>
    const esm = (await import(target(subpath, 'import'))) as Record<string, unknown>
    assert.equal(Object.keys(cjs).sort(), Object.keys(esm).filter((key) => key !== 'default').sort(), subpath)
  }
})

test('outside Node, the `ws` package is not loaded: `#ws` is the platform WebSocket', async () => {
  assert.is(pkg.imports['#ws']?.node, 'ws')
  const browser = (await import(`${root}/${pkg.imports['#ws']?.default}`)) as { default: unknown }
  assert.is(browser.default, (globalThis as { WebSocket?: unknown }).WebSocket)
  // The client's code may sit in a chunk shared with other entries (the React one): read what `.` loads.
  const loaded = esmGraph(target('.', 'import'))
  assert.match(loaded, /from "#ws"/)
  assert.not.match(loaded, /from "ws"/)
})

test('importing `.` or `./machines` never loads React; `./react` does, from the peer dependencies', () => {
  for (const subpath of ['.', './machines']) assert.not.match(esmGraph(target(subpath, 'import')), /from "(react|@xstate\/react)"/, subpath)
  assert.match(esmGraph(target('./react', 'import')), /from "react"/)
  assert.match(esmGraph(target('./react', 'import')), /from "@xstate\/react"/)
  const cjs = readFileSync(target('.', 'require'), 'utf8')
  assert.not.match(cjs, /require\("react"\)/)
})

/** The code of an ESM file and of every file of the package it imports (its shared chunks), joined. */
function esmGraph(file: string, seen = new Set<string>()): string {
  if (seen.has(file)) return ''
  seen.add(file)
  const code = readFileSync(file, 'utf8')
  const relatives = [...code.matchAll(/(?:from|import) "(\.\.?\/[^"]+)"/g)].map((match) => join(dirname(file), match[1]!))
  return [code, ...relatives.map((next) => esmGraph(next, seen))].join('\n')
}

test('the CLI bin starts with a shebang', () => {
  assert.match(readFileSync(`${root}/dist/cjs/cli.cjs`, 'utf8'), /^#!\/usr\/bin\/env node/)
})

test.run()
