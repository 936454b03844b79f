// What one channel actor costs in XState, next to XState's own floor (issue 6: what bounds the join
// benchmark). `node --expose-gc tests/bench/machine-cost.mjs` (`npm run bench:machines`).
//
// For 5 000 actors (`N=500` for the reconnect benchmark's size), each parented by a do-nothing actor:
// create + start, `subscribe`, the join's `phx_reply`, then a socket loss, the socket back and the
// rejoin's reply (what the reconnect benchmark does per channel); best of 12 rounds in µs per actor,
// and the first round (cold code, as in a benchmark's single pass). The floor is a bare four-state machine taking
// the same events with no actions, so the difference is what our channel chart (nested states, named
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
    states: {
      closed: { on: { subscribe: 'joining' } },
      joining: { on: { JOIN_OK: 'joined' } },
      joined: { on: { 'socket.closed': 'errored' } },
      errored: { on: { 'socket.open': 'joining' } },
    },
  })
  const socketLoss = Object.assign(new Error('the socket closed'), { code: 'connection_closed', metadata: {} })
  const N = Number(process.env.N ?? 5_000)

  // What the router sends for a reply to the current join (src/lifecycle-frames.ts).
  const reply = (actor) => actor.send({ type: 'JOIN_OK', response: {} })
  /** Steps of a join and of a rejoin after a socket loss (the reconnect benchmark), each over all actors. */
  const steps = [
    ['create + start', null],
    ['subscribe', (actor) => actor.send({ type: 'subscribe' })],
    ['join reply', reply],
    // The root hands every channel the one error of the socket loss.
    ['socket lost', (actor) => actor.send({ type: 'socket.closed', error: socketLoss })],
    ['socket back', (actor) => actor.send({ type: 'socket.open' })],
    ['rejoin reply', reply],
  ]

  function measure(machine) {
    const best = steps.map(() => Infinity)
    const first = []
    for (let round = 0; round < 12; round++) {
      const actors = new Array(N)
      globalThis.gc?.()
      const times = []
      let t0 = performance.now()
      for (let i = 0; i < N; i++) {
        const actor = (actors[i] = createActor(machine, { parent, input: { topic: `realtime:bench-${i}`, config: {} } }))
        actor.start()
        actor.send({ type: 'socket.open' })
      }
      times.push(performance.now() - t0)
      for (const [, step] of steps.slice(1)) {
        t0 = performance.now()
        for (let i = 0; i < N; i++) step(actors[i], i)
        times.push(performance.now() - t0)
      }
      for (const actor of actors) if (!(actor.getSnapshot().value === 'joined' || actor.getSnapshot().hasTag?.('joined'))) throw new Error(`an actor is in ${JSON.stringify(actor.getSnapshot().value)}, not joined`)
      for (const actor of actors) actor._stop() // non-root actors cannot be stopped through the public stop()
      for (let k = 0; k < steps.length; k++) {
        best[k] = Math.min(best[k], (times[k] / N) * 1000)
        if (round === 0) first[k] = (times[k] / N) * 1000
      }
    }
    return { best, first }
  }

  const row = (label, values) => `| ${label} | ${values.map((v) => v.toFixed(1)).join(' | ')} | ${values.reduce((a, b) => a + b, 0).toFixed(1)} |`
  console.log(`${N} actors, best of 12 rounds and the first round, µs per actor (Node ${process.version}${globalThis.gc ? '' : ', run with --expose-gc for steadier numbers'})\n`)
  console.log(`| machine | ${steps.map(([name]) => name).join(' | ')} | total |\n|${' --- |'.repeat(steps.length + 2)}`)
  const floorCost = measure(floor)
  const channelCost = measure(channelMachine)
  console.log(row('XState floor (4 states, no actions)', floorCost.best))
  console.log(row('channel machine', channelCost.best))
  // The first round is what a benchmark's single pass runs: the floor's on cold XState code, the
  // channel's after the floor's rounds warmed XState's own functions (its actions are still cold).
  console.log(row('XState floor, first round', floorCost.first))
  console.log(row('channel machine, first round', channelCost.first))
} finally {
  rmSync(dir, { recursive: true, force: true })
}
