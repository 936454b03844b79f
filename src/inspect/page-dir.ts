/**
 * Where the built visualizer page is: `dist/visualizer/` of this package (build.mjs writes it). Found
 * by walking up from this module (or the working directory) to the package's package.json, so it
 * works from the sources (tsx), from dist/ and from node_modules/realtime-xstate.
 */
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'realtime-xstate'

export function defaultPageDir(): string | undefined {
  const starts: string[] = []
  // Undefined in a CommonJS bundle (esbuild empties `import.meta` there); then the package as the
  // working directory's code would import it (node_modules, or the package itself), then the directory.
  const moduleUrl: unknown = import.meta.url
  if (typeof moduleUrl === 'string' && moduleUrl.startsWith('file:')) starts.push(dirname(fileURLToPath(moduleUrl)))
  const installed = resolveFromCwd()
  if (installed !== undefined) starts.push(installed)
  starts.push(process.cwd())
  for (const start of starts) {
    const root = packageRoot(start)
    if (root !== undefined) return join(root, 'dist', 'visualizer')
  }
  return undefined
}

function resolveFromCwd(): string | undefined {
  try {
    return dirname(createRequire(join(process.cwd(), 'index.js')).resolve(`${PACKAGE_NAME}/package.json`))
  } catch {
    return undefined
  }
}

function packageRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json')
    if (existsSync(manifest) && readName(manifest) === PACKAGE_NAME) return dir
    if (dirname(dir) === dir) return undefined
  }
}

function readName(manifest: string): string | undefined {
  try {
    const name: unknown = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name
    return typeof name === 'string' ? name : undefined
  } catch {
    return undefined
  }
}
