/**
 * Builds the page and opens an inspection bridge that already knows our three machines (so their
 * charts can be drawn and exported before a client runs). Used by `npm run visualize` and by
 * `npm start -- --visualize`; both run from the sources, where esbuild is installed.
 */
import { channelMachine, clientMachine, connectionMachine } from '../machines/index.js'
import { createInspectionBridge, type InspectionBridge } from '../src/inspect/index.js'
import { buildPage } from './build-page.mjs'

export interface StartVisualizerOptions {
  /** @default 0 (a free port), or VISUALIZER_PORT */
  port?: number
  print?: (line: string) => void
}

export async function startVisualizer(options: StartVisualizerOptions = {}): Promise<InspectionBridge> {
  const pageDir = await buildPage()
  const port = options.port ?? Number(process.env['VISUALIZER_PORT'] ?? 0)
  const bridge = await createInspectionBridge({ port, pageDir, machines: [clientMachine, connectionMachine, channelMachine] })
  const print = options.print ?? ((line: string) => console.log(line))
  print(`visualizer: open ${bridge.url}`)
  return bridge
}
