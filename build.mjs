// Builds the package: ESM and CJS for Node, a minified browser ESM bundle of the client (without
// `ws`), and type declarations from tsc. Entry points that do not exist yet are skipped.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { buildPage } from './visualizer/build-page.mjs'

const entries = {
  index: 'src/index.ts',
  machines: 'machines/index.ts',
  react: 'src/react/index.ts',
  'dev-server': 'src/dev-server/index.ts',
}
const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)))

rmSync('dist', { recursive: true, force: true })

const common = { bundle: true, packages: 'external', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' }

// ESM: code shared by several entry points (RealtimeError, the codec, the machines) lives in one
// chunk, so `instanceof RealtimeError` holds whichever entry an error came from.
await build({ ...common, entryPoints: present, format: 'esm', splitting: true, outdir: 'dist/esm', chunkNames: 'chunks/[name]-[hash]' })

// CJS has no code splitting: one bundle holds every entry, and each entry file re-exports its part.
const shared = Object.keys(present).map((name) => `export * as ${JSON.stringify(name)} from ${JSON.stringify('./' + present[name])}`).join('\n')
await build({ ...common, stdin: { contents: shared, resolveDir: '.', sourcefile: 'entries.ts', loader: 'ts' }, format: 'cjs', outfile: 'dist/cjs/shared.cjs' })
for (const name of Object.keys(present)) {
  writeFileSync(`dist/cjs/${name}.cjs`, `'use strict'\nmodule.exports = require('./shared.cjs')[${JSON.stringify(name)}]\n`)
}
// The CLI is the package's `bin`: it needs a shebang to run as `npx realtime-xstate`.
if (existsSync('src/cli.ts')) {
  await build({ ...common, entryPoints: { cli: 'src/cli.ts' }, format: 'cjs', outdir: 'dist/cjs', outExtension: { '.js': '.cjs' }, banner: { js: '#!/usr/bin/env node' } })
}

// Browsers have a WebSocket of their own: the `ws` package must not be in the bundle.
const noNodeWebSocket = {
  name: 'no-node-websocket',
  setup(b) {
    b.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'no-ws' }))
    b.onLoad({ filter: /.*/, namespace: 'no-ws' }, () => ({ contents: 'export default undefined', loader: 'js' }))
  },
}
await build({
  entryPoints: { index: 'src/index.ts' },
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  outdir: 'dist/browser',
  plugins: [noNodeWebSocket],
  logLevel: 'warning',
})

// The visualizer page (issue 14) that the inspection bridge serves: dist/visualizer/.
await buildPage()

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
console.log(`built ${Object.keys(present).join(', ')} (esm, cjs), browser bundle, declarations`)
