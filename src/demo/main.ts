#!/usr/bin/env node
// `npm start`: runs the demo once (or until Ctrl-C with --follow) and exits with its outcome.
// `npm start -- --visualize` also opens the visualizer (visualizer/README.md), prints its URL and follows.
import { runDemo } from './run-demo.js'

const controller = new AbortController()
process.once('SIGINT', () => controller.abort())
process.once('SIGTERM', () => controller.abort())

async function main(): Promise<void> {
  const visualize = process.argv.includes('--visualize')
  // Loaded only on request: it builds the page with esbuild, a development dependency.
  const bridge = visualize ? await (await import('../../visualizer/start.js')).startVisualizer() : undefined
  try {
    await runDemo({ follow: visualize || process.argv.includes('--follow'), signal: controller.signal, ...(bridge && { inspect: bridge.inspect }) })
  } finally {
    await bridge?.close()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
