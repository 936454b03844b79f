// Bundles the visualizer page (visualizer/src/main.ts) with index.html, style.css and ELK's worker script
// into one folder the inspection bridge serves. No CDN: everything the page needs is in that folder.
import { build } from 'esbuild'
import { copyFileSync, mkdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))

/** Writes index.html, style.css and main.js into `outdir` (default: dist/visualizer). */
export async function buildPage(outdir = join(here, '..', 'dist', 'visualizer')) {
  mkdirSync(outdir, { recursive: true })
  await build({
    entryPoints: [join(here, 'src', 'main.ts')],
    outfile: join(outdir, 'main.js'),
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    logLevel: 'warning',
  })
  for (const file of ['index.html', 'style.css']) copyFileSync(join(here, file), join(outdir, file))
  // ELK lays charts out in a Web Worker (visualizer/src/elk-worker.ts): its script sits next to the page.
  copyFileSync(createRequire(import.meta.url).resolve('elkjs/lib/elk-worker.min.js'), join(outdir, 'elk-worker.min.js'))
  return outdir
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outdir = await buildPage(process.argv[2])
  console.log(`visualizer page built into ${outdir}`)
}
