// The published package, tried as a new user would: a fresh clone (the repository's files without
// dist/ or anything ignored) is packed with `npm pack`, whose `prepack` builds; the tarball is
// installed into a temp app (xstate, valibot and ws from the registry), which then imports every
// entry point with ESM and CJS, bundles itself for the browser, and type-checks under each
// `moduleResolution`. Packed once for the whole file; the temp folder goes in `after`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFile, execFileSync } from 'node:child_process'
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsc = join(root, 'node_modules/typescript/bin/tsc')
const run = promisify(execFile)
const temp = mkdtempSync(join(tmpdir(), 'realtime-xstate-pack-'))
const app = join(temp, 'app')
let packed: { filename: string; files: { path: string }[] } | undefined

// A failed run still removes the temp folder.
const cleanUp = (): void => rmSync(temp, { recursive: true, force: true })
process.once('exit', cleanUp)

// Child processes run without c8's coverage collection (npm, the build and tsc are not under test).
// A hung child is killed (timeout), so a failure never leaves a process behind.
const env = { ...process.env }
delete env.NODE_V8_COVERAGE
const child = { env, timeout: 120_000, killSignal: 'SIGKILL' } as const
const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { ...child, cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })

// uvu reports a failing `before` only as tests not run: print why.
test.before(() => {
  try {
    setUp()
  } catch (error) {
    console.error(error)
    throw error
  }
})
function setUp(): void {
  // The fresh clone: tracked and untracked-but-not-ignored files (so no dist/), with the
  // repository's node_modules linked in for the build's tools.
  const clone = join(temp, 'clone')
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' }).split('\0').filter((file) => file && !file.startsWith('node_modules'))
  for (const file of files) {
    try {
      mkdirSync(dirname(join(clone, file)), { recursive: true })
      cpSync(join(root, file), join(clone, file))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error // deleted in the work tree
    }
  }
  symlinkSync(join(root, 'node_modules'), join(clone, 'node_modules'), 'dir')
  const output = npm(['pack', '--json', '--pack-destination', temp], clone) // the build's log, then the JSON
  const [result] = JSON.parse(output.slice(output.search(/^\[/m))) as NonNullable<typeof packed>[]
  packed = result
  mkdirSync(app)
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }))
  // React and @xstate/react are optional peers: an app using `realtime-xstate/react` installs them itself.
  npm(['install', join(temp, result!.filename), 'react', '@xstate/react', '@types/react', '--prefer-offline', '--no-package-lock'], app)
  // Consumers of the dev server's types have Node's types; the repository's copy stands in.
  mkdirSync(join(app, 'node_modules/@types'), { recursive: true })
  symlinkSync(join(root, 'node_modules/@types/node'), join(app, 'node_modules/@types/node'), 'dir')
}

test.after(cleanUp)

test('npm pack builds the package: code, declarations and the CLI, not only README and package.json', () => {
  const files = packed!.files.map(({ path }) => path)
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown>; bin: Record<string, string> }
  const named = JSON.stringify(pkg.exports).match(/\.\/dist\/[^"]+/g) ?? []
  assert.ok(named.length >= 12, 'the exports map names ESM, CJS and types for each entry')
  for (const file of [...named, ...Object.values(pkg.bin)]) assert.ok(files.includes(file.replace(/^\.\//, '')), `${file} is in the tarball`)
  assert.ok(!files.some((file) => file.startsWith('src/') || file.startsWith('tests/')), 'sources and tests stay out')
})

/** Makes an error inside `machines`' connection machine and checks it is the `.` entry's class. */
const sameErrorClass = `
  const actor = createActor(connectionMachine, { input: { vsn: '2.0.0', apikey: 'k', sendBufferSize: 1 } })
  const errors = []
  actor.on('error', (event) => errors.push(event.error))
  actor.start()
  const message = { joinRef: null, ref: '1', topic: 'realtime:a', event: 'x', payload: {} }
  actor.send({ type: 'send', message })
  actor.send({ type: 'send', message: { ...message, ref: '2' } })
  actor.stop()
  if (errors.length !== 1 || !(errors[0] instanceof RealtimeError)) throw new Error('two RealtimeError classes')
`

test('Node imports every entry point with ESM and with CJS, and the entries share RealtimeError', async () => {
  writeFileSync(
    join(app, 'esm.mjs'),
    `import { createActor } from 'xstate'
     import { RealtimeError, createRealtimeClient } from 'realtime-xstate'
     import { connectionMachine } from 'realtime-xstate/machines'
     import { startDevServer } from 'realtime-xstate/dev-server'
     import { RealtimeProvider, useRealtime, useRealtimeEvent } from 'realtime-xstate/react'
     ${sameErrorClass}
     if (![RealtimeProvider, useRealtime, useRealtimeEvent].every((f) => typeof f === 'function')) throw new Error('missing react export')
     const server = await startDevServer({ port: 0 })
     const client = createRealtimeClient({ url: server.url, apikey: server.apikey })
     await client.close()
     await server.close()
     console.log('esm ok')`,
  )
  writeFileSync(
    join(app, 'cjs.cjs'),
    `const { createActor } = require('xstate')
     const { RealtimeError, createRealtimeClient } = require('realtime-xstate')
     const { connectionMachine } = require('realtime-xstate/machines')
     const { startDevServer } = require('realtime-xstate/dev-server')
     const { RealtimeProvider, useRealtime, useRealtimeEvent } = require('realtime-xstate/react')
     ${sameErrorClass}
     if (![RealtimeProvider, useRealtime, useRealtimeEvent].every((f) => typeof f === 'function')) throw new Error('missing react export')
     if (typeof createRealtimeClient !== 'function' || typeof startDevServer !== 'function') throw new Error('missing export')
     console.log('cjs ok')`,
  )
  const [esm, cjs] = await Promise.all([run(process.execPath, ['esm.mjs'], { ...child, cwd: app }), run(process.execPath, ['cjs.cjs'], { ...child, cwd: app })])
  assert.is(esm.stdout.trim(), 'esm ok')
  assert.is(cjs.stdout.trim(), 'cjs ok')
})

test('a browser bundle of an app using xstate and the package (with its React entry) holds one XState, one copy of the package, and no ws', async () => {
  writeFileSync(
    join(app, 'browser.mjs'),
    `import { createActor } from 'xstate'
     import { RealtimeError, createRealtimeClient } from 'realtime-xstate'
     import { connectionMachine } from 'realtime-xstate/machines'
     import { useRealtime } from 'realtime-xstate/react'
     ${sameErrorClass}
     globalThis.appReady = typeof createRealtimeClient === 'function' && typeof useRealtime === 'function'`,
  )
  const result = await build({
    entryPoints: [join(app, 'browser.mjs')],
    absWorkingDir: app,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    outfile: join(app, 'browser.bundle.js'),
    metafile: true,
    logLevel: 'silent',
  })
  assert.equal(result.warnings, [])
  const inputs = Object.keys(result.metafile.inputs)
  const code = readFileSync(join(app, 'browser.bundle.js'), 'utf8')
  // XState's error for a duplicate system ID: once in XState's code, never in ours.
  assert.is(code.split("Actor with system ID '").length - 1, 1, 'XState is in the bundle once')
  assert.ok(inputs.some((file) => file.startsWith('node_modules/xstate/')))
  assert.ok(inputs.some((file) => file.startsWith('node_modules/valibot/')))
  assert.ok(inputs.some((file) => file.startsWith('node_modules/@xstate/react/')), 'the React entry is in the bundle')
  assert.ok(inputs.filter((file) => file.includes('/xstate/dist/')).every((file) => file.startsWith('node_modules/xstate/')), 'one xstate package')
  assert.not.ok(inputs.some((file) => file.startsWith('node_modules/ws/')), 'no ws')
  console.log(`    browser app bundle (xstate, realtime-xstate with its React entry, React, minified): ${code.length} B, gzip ${gzipSync(code, { level: 9 }).length} B`)
  // The bundle runs (here in Node, without `ws`): both entries throw the same RealtimeError class.
  await import(pathToFileURL(join(app, 'browser.bundle.js')).href)
  assert.is((globalThis as { appReady?: boolean }).appReady, true)
})

test('the dev server entry is Node-only: a browser bundle cannot resolve it', async () => {
  writeFileSync(join(app, 'server-in-browser.mjs'), `export { startDevServer } from 'realtime-xstate/dev-server'`)
  try {
    await build({ entryPoints: [join(app, 'server-in-browser.mjs')], absWorkingDir: app, bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' })
    assert.unreachable('bundled the dev server for the browser')
  } catch (error) {
    assert.match(String(error), /realtime-xstate\/dev-server/)
  }
})

/** One consumer project per `moduleResolution`: ESM (.mts) and CJS (.cts) files where the mode tells them apart. */
const modes: Record<string, { compilerOptions: Record<string, unknown>; files: string[] }> = {
  node16: { compilerOptions: { module: 'node16', moduleResolution: 'node16' }, files: ['esm.mts', 'cjs.cts'] },
  nodenext: { compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext' }, files: ['esm.mts', 'cjs.cts'] },
  // The default target: declarations must not need a newer one.
  bundler: { compilerOptions: { module: 'esnext', moduleResolution: 'bundler' }, files: ['app.ts'] },
  node10: { compilerOptions: { module: 'commonjs', moduleResolution: 'node10' }, files: ['app.ts'] },
}
const consumer = `
import { createRealtimeClient, RealtimeError, toSupabaseError, type RealtimeEvent } from 'realtime-xstate'
import { connectionMachine, clientMachine, type ClientEvent } from 'realtime-xstate/machines'
import { startDevServer, type DevServer, type DevServerOptions } from 'realtime-xstate/dev-server'
import { RealtimeProvider, useRealtime, useRealtimeEvent, type RealtimeState } from 'realtime-xstate/react'
import { createActor } from 'xstate'

/** A hook of the consumer's own (not called here: the types are what is checked). */
export function useLobby(): RealtimeState {
  useRealtimeEvent('room:lobby', { type: 'presence', event: 'join' }, ({ key, newPresences }) => void [key, newPresences])
  return useRealtime('room:lobby', { presence: { key: 'me' } })
}
export const provider = (client: ReturnType<typeof createRealtimeClient>) => RealtimeProvider({ client, leaveGraceMs: 500, children: null })

export async function consumer(options: DevServerOptions): Promise<void> {
  const server: DevServer = await startDevServer(options)
  const client = createRealtimeClient({ url: server.url, apikey: server.apikey, handleEvent: (event: RealtimeEvent) => void event.type })
  const channel = client.channel('room:lobby', { broadcast: { self: true } })
  const off: () => void = channel.on('broadcast', { event: '*' }, ({ event, payload }) => void [event, payload])
  off()
  const event: ClientEvent = { type: 'connect' }
  client.send(event)
  const service: 'realtime' = toSupabaseError(new RealtimeError('timeout', 'x')).service
  createActor(connectionMachine, { input: { vsn: '2.0.0', apikey: 'k' } })
  void [clientMachine, service]
  await client.close()
  await server.close()
}
`

/** Type-checks the consumer project of `mode`; its errors, or null. */
async function typecheck(mode: string): Promise<string | null> {
  const { compilerOptions, files } = modes[mode]!
  const dir = join(app, `types-${mode}`)
  mkdirSync(dir)
  for (const file of files) writeFileSync(join(dir, file), consumer)
  // skipLibCheck off: the package's declarations (and its dependencies') are checked as the consumer's
  // compiler reads them; TypeScript's own lib files are not.
  const tsconfig = { compilerOptions: { ...compilerOptions, strict: true, noEmit: true, skipLibCheck: false, skipDefaultLibCheck: true, lib: ['ES2022', 'DOM'], types: ['node'] }, files }
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig))
  try {
    await run(process.execPath, [tsc, '-p', dir], { ...child, cwd: dir })
    return null
  } catch (error) {
    return `${mode}:\n${(error as { stdout?: string }).stdout ?? String(error)}`
  }
}

test('the declarations type-check for consumers under node16, nodenext, bundler and node10', async () => {
  // Two compilers at a time: each is CPU-bound, and more only contend.
  const pending = Object.keys(modes)
  const failures: string[] = []
  const worker = async (): Promise<void> => {
    for (let mode = pending.shift(); mode; mode = pending.shift()) {
      const failure = await typecheck(mode)
      if (failure) failures.push(failure)
    }
  }
  await Promise.all([worker(), worker()])
  assert.equal(failures, [])
})

test.run()
