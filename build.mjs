// Builds the package (`npm run build`, and `npm pack` through `prepack`):
//   dist/esm    ESM for Node and for bundlers (browsers): one file per entry, shared code in chunks/
//   dist/cjs    CJS, one file per source module (so entries share modules), `.d.ts` beside them
//   dist/types  declarations for the ESM side (tsc)
// Every dependency stays external, so an app bundles one xstate and one valibot. The only
// Node-specific import of the client, `ws`, is written as the package's `#ws` import (package.json
// `imports`): `ws` under the `node` condition, `globalThis.WebSocket` elsewhere (browsers).
// An entry point is one line in `entries` (plus its `exports` in package.json; tests/package checks
// that the two agree). Entry points whose file does not exist yet are skipped.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { buildPage } from './visualizer/build-page.mjs'

const entries = {
  index: 'src/index.ts',
  machines: 'machines/index.ts',
  'dev-server': 'src/dev-server/index.ts', // Node only: package.json exports it under the `node` condition
  inspect: 'src/inspect/index.ts', // Node only (an HTTP and WebSocket server): the visualizer's bridge
  react: 'src/react/index.ts', // React and @xstate/react stay external (optional peer dependencies)
}
const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)))

/** The module that loads `ws`: its `ws` import becomes `#ws` (the dev server, Node only, keeps `ws`). */
const WS_LOADER = resolve('src/transport/websocket.ts')

rmSync('dist', { recursive: true, force: true })

const common = { bundle: true, platform: 'node', target: ['node20', 'es2022'], sourcemap: true, logLevel: 'warning' }

/** The WebSocket loader's `ws` import, as the external `#ws`. */
const wsImport = (args) => (args.path === 'ws' && args.importer === WS_LOADER ? { path: '#ws', external: true } : undefined)
const wsAsSubpathImport = { name: 'ws-as-subpath-import', setup: (b) => b.onResolve({ filter: /^ws$/ }, wsImport) }

// ESM: code shared by several entry points (RealtimeError, the codec, the machines) lives in one
// chunk, so `instanceof RealtimeError` holds whichever entry an error came from.
const esm = await build({
  ...common,
  entryPoints: present,
  packages: 'external',
  format: 'esm',
  splitting: true,
  outdir: 'dist/esm',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [wsAsSubpathImport],
  metafile: true,
})

// esbuild keeps an entry's bare `import "./chunks/x.js"` for evaluation order even when another of
// its imports already loads that chunk. Under `"sideEffects": false` bundlers drop such an import and
// warn about it in every app's build (esbuild's ignored-bare-import), so drop the redundant ones here.
const outputs = esm.metafile.outputs
const reaches = (from, to, seen = new Set()) =>
  (outputs[from]?.imports ?? []).some(({ path, kind }) => kind === 'import-statement' && !seen.has(path) && (seen.add(path), path === to || reaches(path, to, seen)))
for (const [file, output] of Object.entries(outputs)) {
  if (!file.endsWith('.js')) continue
  let code = readFileSync(file, 'utf8')
  for (const { path } of output.imports.filter(({ path }) => path.startsWith('dist/'))) {
    const bare = `import "./${relative(dirname(file), path)}";\n`
    const others = output.imports.filter((other) => other.path !== path && other.path.startsWith('dist/'))
    if (code.includes(bare) && others.some((other) => reaches(other.path, path))) code = code.replace(bare, '\n') // keep the line count: the source map stays valid
  }
  writeFileSync(file, code)
}

// CJS: one output file per source module the ESM build used, each requiring the others by their
// relative paths (`./errors.js`), under a `"type": "commonjs"` package.json. Entries share modules as
// in ESM, and `require('realtime-xstate')` loads no dev-server code.
const modules = Object.keys(esm.metafile.inputs).filter((file) => !file.includes('node_modules'))
const everyImportExternal = {
  name: 'every-import-external',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined
      return wsImport(args) ?? { path: args.path, external: true }
    })
  },
}
// import.meta (the inspect bridge finds its page folder with it) is empty in CJS: that module falls back to the package's folder.
await build({ ...common, entryPoints: modules, outbase: '.', outdir: 'dist/cjs', format: 'cjs', plugins: [everyImportExternal], logOverride: { 'empty-import-meta': 'silent' } })
// Node resolves `#ws` from the nearest package.json, so this one carries the CJS side of the map.
writeFileSync('dist/cjs/package.json', `${JSON.stringify({ type: 'commonjs', imports: { '#ws': { node: 'ws', default: './no-ws.js' } } }, null, 2)}\n`)

// `#ws` outside Node (package.json `imports`): the platform's own WebSocket.
writeFileSync('dist/esm/no-ws.js', '// `#ws` outside Node: browsers have a WebSocket of their own.\nexport default globalThis.WebSocket\n')
writeFileSync('dist/cjs/no-ws.js', "'use strict'\n// `#ws` outside Node: browsers have a WebSocket of their own.\nmodule.exports = globalThis.WebSocket\n")

// The CLI is the package's `bin`: it needs a shebang to run as `npx realtime-xstate`.
if (existsSync('src/cli.ts')) {
  await build({ ...common, packages: 'external', entryPoints: { cli: 'src/cli.ts' }, format: 'cjs', outdir: 'dist/cjs', outExtension: { '.js': '.cjs' }, banner: { js: '#!/usr/bin/env node' } })
}

// The visualizer page (issue 14) that the inspection bridge serves: dist/visualizer/.
await buildPage()

// Declarations: ESM ones in dist/types; the same files again beside the CJS modules, where the
// `"type": "commonjs"` package.json makes TypeScript read them as CJS (no TS1479 for `require`).
execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
// tsc writes `#private;` into the declaration of a class with #private members; a consumer whose
// target is below ES2015 (TypeScript's default) gets TS18028 for it with skipLibCheck off. Such
// members are invisible to users anyway; the line only made the class nominal. (Today: the dev
// server's internal classes, of which faults.d.ts is loaded through the dev-server entry.)
for (const file of readdirSync('dist/types', { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.d.ts'))) {
  const path = join('dist/types', file)
  const declaration = readFileSync(path, 'utf8')
  if (declaration.includes('#private;')) writeFileSync(path, declaration.replace(/^ +#private;\n/gm, ''))
}
cpSync('dist/types', 'dist/cjs', { recursive: true })
console.log(`built ${Object.keys(present).join(', ')} (esm with shared chunks, cjs per module, declarations)`)
