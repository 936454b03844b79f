/**
 * ELK running in the calling thread (`elkjs/lib/elk.bundled.js`): for Node (tests, tools). The page
 * uses `elk-worker.ts` instead, so layout never blocks the UI. The package is CommonJS whose typings
 * declare a default export; from ESM the class is on `default`.
 */
import * as bundled from 'elkjs/lib/elk.bundled.js'
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api.js'

type ElkConstructor = new (args?: ELKConstructorArguments) => ELK

export function createElk(): ELK {
  const module = bundled as unknown as { default?: ElkConstructor }
  const Elk = module.default ?? (bundled as unknown as ElkConstructor)
  return new Elk()
}
