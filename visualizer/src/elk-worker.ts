/**
 * ELK for the page: the layout runs in a Web Worker (`elk-worker.min.js`, copied next to the page by
 * build-page.mjs), so laying out a large chart never freezes the live view.
 */
import * as api from 'elkjs/lib/elk-api.js'
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api.js'

type ElkConstructor = new (args?: ELKConstructorArguments) => ELK

export const ELK_WORKER_FILE = 'elk-worker.min.js'

export function createWorkerElk(): ELK {
  const module = api as unknown as { default?: ElkConstructor }
  const Elk = module.default ?? (api as unknown as ElkConstructor)
  return new Elk({ workerUrl: new URL(ELK_WORKER_FILE, document.baseURI).href })
}
