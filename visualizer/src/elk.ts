/**
 * ELK from `elkjs/lib/elk.bundled.js` (layout in this thread: no worker file to serve). The package is
 * CommonJS whose typings declare a default export; the class is on `default` when imported from ESM.
 */
import * as bundled from 'elkjs/lib/elk.bundled.js'
import type { ELK, ELKConstructorArguments } from 'elkjs/lib/elk-api.js'

type ElkConstructor = new (args?: ELKConstructorArguments) => ELK

export function createElk(): ELK {
  const module = bundled as unknown as { default?: ElkConstructor }
  const Elk = module.default ?? (bundled as unknown as ElkConstructor)
  return new Elk()
}
