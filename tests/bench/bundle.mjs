// Browser bundle sizes with esbuild: bundled, minified, tree-shaken ESM for the browser, raw and gzip.
// `ws` is replaced by `undefined` (as build.mjs does for our browser bundle): browsers have WebSocket.
import { build } from 'esbuild'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'

const GZIP_LEVEL = 9

const noNodeWebSocket = {
  name: 'no-node-websocket',
  setup(b) {
    b.onResolve({ filter: /^ws$/ }, () => ({ path: 'ws', namespace: 'no-ws' }))
    b.onLoad({ filter: /.*/, namespace: 'no-ws' }, () => ({ contents: 'export default undefined', loader: 'js' }))
  },
}

async function measure(root, { contents, external = [] }) {
  const result = await build({
    stdin: { contents, resolveDir: root, sourcefile: 'bench-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    treeShaking: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    external,
    plugins: [noNodeWebSocket],
    logLevel: 'silent',
  })
  const code = result.outputFiles[0].contents
  return { rawBytes: code.length, gzipBytes: gzipSync(code, { level: GZIP_LEVEL }).length }
}

/**
 * The entries measured. `client` is what the issue compares (our whole client entry, realtime-js's
 * `RealtimeClient`, phoenix's `Socket`); `clientOnly` imports just `createRealtimeClient`; `react`
 * is `.` with the React entry, React external.
 */
export async function bundleSizes(root) {
  const entries = {
    'realtime-js': { client: { contents: `export { RealtimeClient } from '@supabase/realtime-js'` } },
    phoenix: { client: { contents: `export { Socket } from 'phoenix'` } },
    'realtime-xstate': {
      client: existsSync(join(root, 'src/index.ts')) ? { contents: `export * from './src/index.ts'` } : null,
      clientOnly: existsSync(join(root, 'src/client.ts')) ? { contents: `export { createRealtimeClient } from './src/index.ts'` } : null,
      // An app's whole realtime part: `.` and `./react` in one bundle (xstate, valibot and our shared
      // code counted once; @xstate/react in, React out), so react minus client is what the hooks add.
      react: existsSync(join(root, 'src/react/index.ts'))
        ? { contents: `export * from './src/index.ts'\nexport * from './src/react/index.ts'`, external: ['react', 'react-dom', 'react/jsx-runtime', 'react-dom/client'] }
        : null,
    },
  }
  const out = { gzipLevel: GZIP_LEVEL }
  for (const [client, parts] of Object.entries(entries)) {
    out[client] = {}
    for (const [part, entry] of Object.entries(parts)) {
      if (!entry) {
        out[client][part] = { unavailable: 'entry file does not exist' }
        continue
      }
      try {
        out[client][part] = await measure(root, entry)
      } catch (error) {
        out[client][part] = { unavailable: `esbuild failed: ${String(error?.message ?? error).split('\n')[0]}` }
      }
    }
  }
  return out
}
