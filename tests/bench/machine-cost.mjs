// What one channel actor costs in XState, next to XState's own floor (issue 6: what bounds the join
// benchmark). `node --expose-gc tests/bench/machine-cost.mjs` (`npm run bench:machines`).
//
// For 5 000 actors, each parented by a do-nothing actor: create + start, `subscribe`, the join's
// `phx_reply`; best of 12 rounds in µs per actor. The floor is a bare three-state machine taking the
// same two events with no actions, so the difference is what our channel chart (nested states, named
// actions, timers, emitted events) adds on top of XState itself.
import { build } from 'esbuild'
import { mkdirSync, rmSync } from 'node:fs'
import { createActor, setup } from 'xstate'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
// Inside the repository (git-ignored), so the bundle's `import 'xstate'` is this script's xstate.
const dir = join(root, '.bench-results', `machine-cost-${process.pid}`)
mkdirSync(dir, { recursive: true })
try {
  const outfile = join(dir, 'machines.mjs')
  await build({ entryPoints: [join(root, 'machines/index.ts')], bundle: true, platform: 'node', format: 'esm', packages: 'external', outfile, logLevel: 'silent' })
  const { channelMachine } = await import(pathToFileURL(outfile).href)

  const sink = { transition: (s) => s, getInitialSnapshot: () => ({ status: 'active', output: undefined, error: undefined }), getPersistedSnapshot: (s) => s }
  const parent = createActor(sink).start()
  const floor = setup({}).createMachine({
    initial: 'closed',
    states: { closed: { on: { subscribe: 'joining' } }, joining: { on: { message: 'joined' } }, joined: {} },
  })
  let refs = 0
  const makeRef = () => String(++refs)
  const N = 5_000

  function measure(machine) {
    const best = [Infinity, Infinity, Infinity]
    for (let round = 0; round < 12; round++) {
      const actors = new Array(N)
      globalThis.gc?.()
      const t0 = performance.now()
      for (let i = 0; i < N; i++) (actors[i] = createActor(machine, { parent, input: { topic: `realtime:bench-${i}`, config: {}, makeRef, socketOpen: true } })).start()
      const t1 = performance.now()
      for (let i = 0; i < N; i++) actors[i].send({ type: 'subscribe' })
      const t2 = performance.now()
      for (let i = 0; i < N; i++) {
        const joinRef = actors[i].getSnapshot().context?.joinRef ?? null
        actors[i].send({ type: 'message', message: { joinRef, ref: joinRef, topic: `realtime:bench-${i}`, event: 'phx_reply', payload: { status: 'ok', response: {} } } })
      }
      const t3 = performance.now()
      for (const actor of actors) if (actor.getSnapshot().value !== 'joined') throw new Error(`an actor is in ${JSON.stringify(actor.getSnapshot().value)}, not joined`)
      for (const actor of actors) actor._stop() // non-root actors cannot be stopped through the public stop()
      const times = [t1 - t0, t2 - t1, t3 - t2].map((ms) => (ms / N) * 1000)
      for (let k = 0; k < 3; k++) best[k] = Math.min(best[k], times[k])
    }
    return best
  }

  const row = (label, [create, subscribe, reply]) =>
    `| ${label} | ${create.toFixed(1)} | ${subscribe.toFixed(1)} | ${reply.toFixed(1)} | ${(create + subscribe + reply).toFixed(1)} |`
  console.log(`${N} actors, best of 12 rounds, µs per actor (Node ${process.version}${globalThis.gc ? '' : ', run with --expose-gc for steadier numbers'})\n`)
  console.log('| machine | create + start | subscribe | join reply | total |\n| --- | --- | --- | --- | --- |')
  console.log(row('XState floor (3 states, no actions)', measure(floor)))
  console.log(row('channel machine', measure(channelMachine)))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
