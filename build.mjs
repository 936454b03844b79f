// Builds the package: ESM and CJS for Node, a minified browser ESM bundle of the client (without
// `ws`), and type declarations from tsc. Entry points that do not exist yet are skipped.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'

const entries = {
  index: 'src/index.ts',
  machines: 'machines/index.ts',
  react: 'src/react/index.ts',
  'dev-server': 'src/dev-server/index.ts',
  cli: 'src/cli.ts',
}
const present = Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file)))

rmSync('dist', { recursive: true, force: true })

const common = { bundle: true, packages: 'external', platform: 'node', target: 'node20', sourcemap: true, logLevel: 'warning' }
await build({ ...common, entryPoints: present, format: 'esm', outdir: 'dist/esm' })
await build({ ...common, entryPoints: present, format: 'cjs', outdir: 'dist/cjs', outExtension: { '.js': '.cjs' } })
// The CLI is the package's `bin`: it needs a shebang to run as `npx realtime-xstate`.
if (present.cli) {
  await build({ ...common, entryPoints: { cli: present.cli }, format: 'cjs', outdir: 'dist/cjs', outExtension: { '.js': '.cjs' }, banner: { js: '#!/usr/bin/env node' } })
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
  metafile: false,
  plugins: [noNodeWebSocket],
  logLevel: 'warning',
})

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' })
console.log(`built ${Object.keys(present).join(', ')} (esm, cjs), browser bundle, declarations`)
