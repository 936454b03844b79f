/**
 * Presence algebra cost, ours vs phoenix's static functions (issue 5). Not a test and not part of
 * `npm run bench` (which measures whole clients over a socket): the pure merge only, in one process.
 *
 *   node --import tsx tests/bench/presence-algebra.mjs            # 10 000 members, 1 000 diffs, 5 rounds
 *   MEMBERS=50000 DIFFS=2000 ROUNDS=3 node --import tsx tests/bench/presence-algebra.mjs
 *
 * A `presence_state` of MEMBERS keys, then DIFFS diffs of one join and one leave; after every sync
 * the state is read through the user API and the joined key looked up (what `npm run bench` does:
 * `presenceState()[key]`, phoenix `list()` / `state[key]`). Medians over ROUNDS after a warm-up round.
 */
import { Presence } from 'phoenix'
import { PresenceStore } from '../../src/presence/index.ts'

const MEMBERS = Number(process.env.MEMBERS ?? 10_000)
const DIFFS = Number(process.env.DIFFS ?? 1_000)
const ROUNDS = Number(process.env.ROUNDS ?? 5)

const meta = (i) => ({ phx_ref: `ref-${i}`, user_id: i, online_at: '2026-01-01T00:00:00Z', profile: { name: `user ${i}` } })
function initial() {
  const state = {}
  for (let i = 0; i < MEMBERS; i++) state[`user-${i}`] = { metas: [meta(i)] }
  return state
}
// Diff i: member MEMBERS + i joins, member i leaves. Built fresh per run (phoenix mutates its inputs).
const diffs = () =>
  Array.from({ length: DIFFS }, (_, i) => ({
    joins: { [`user-${MEMBERS + i}`]: { metas: [meta(MEMBERS + i)] } },
    leaves: { [`user-${i}`]: { metas: [meta(i)] } },
  }))
const noop = () => {}

/** Each case returns [ms for the state (and its first read), ms for all diffs with their reads, keys at the end]. */
const cases = {
  'ours: reports built, presenceState() per sync'() {
    return ours(() => true)
  },
  'ours: no listeners (reports off), presenceState() per sync'() {
    return ours(() => false)
  },
  'ours: reports built, state never read'() {
    return ours(() => true, false)
  },
  'phoenix statics: noop callbacks, state[key] (no copy)'() {
    return phoenix((state, key) => state[key] !== undefined)
  },
  'phoenix statics: noop callbacks, Presence.list() per sync'() {
    return phoenix((state, key) => Presence.list(state, (_key, presence) => presence).length > 0 && state[key] !== undefined)
  },
}

function ours(wantsReports, read = true) {
  const input = initial()
  const queue = diffs()
  const store = new PresenceStore({ joinRef: () => '1', wantsReports })
  let t0 = performance.now()
  store.applyState(input)
  store.presenceState()
  const stateMs = performance.now() - t0
  t0 = performance.now()
  let found = 0
  for (let i = 0; i < queue.length; i++) {
    store.applyDiff(queue[i])
    if (read && store.presenceState()[`user-${MEMBERS + i}`] !== undefined) found++
  }
  const diffsMs = performance.now() - t0
  if (read && found !== queue.length) throw new Error(`ours: ${found} of ${queue.length} joined keys found`)
  return [stateMs, diffsMs, Object.keys(store.presenceState()).length]
}

function phoenix(read) {
  const input = initial()
  const queue = diffs()
  let t0 = performance.now()
  let state = Presence.syncState({}, input, noop, noop)
  const stateMs = performance.now() - t0
  t0 = performance.now()
  let found = 0
  for (let i = 0; i < queue.length; i++) {
    state = Presence.syncDiff(state, queue[i], noop, noop)
    if (read(state, `user-${MEMBERS + i}`)) found++
  }
  const diffsMs = performance.now() - t0
  if (found !== queue.length) throw new Error(`phoenix: ${found} of ${queue.length} joined keys found`)
  return [stateMs, diffsMs, Object.keys(state).length]
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const results = Object.fromEntries(Object.keys(cases).map((name) => [name, { state: [], diffs: [], keys: 0 }]))
for (let round = 0; round <= ROUNDS; round++) {
  for (const [name, run] of Object.entries(cases)) {
    const [stateMs, diffsMs, keys] = run()
    if (round === 0) continue // warm-up
    results[name].state.push(stateMs)
    results[name].diffs.push(diffsMs)
    results[name].keys = keys
  }
}

console.log(`presence algebra: state of ${MEMBERS} members, then ${DIFFS} diffs (1 join + 1 leave), median of ${ROUNDS} (node ${process.version})`)
console.log(`${'case'.padEnd(62)} ${'state ms'.padStart(9)} ${'diffs ms'.padStart(9)} ${'µs/diff'.padStart(8)}  keys`)
for (const [name, r] of Object.entries(results)) {
  const diffsMs = median(r.diffs)
  console.log(`${name.padEnd(62)} ${median(r.state).toFixed(1).padStart(9)} ${diffsMs.toFixed(1).padStart(9)} ${((diffsMs * 1000) / DIFFS).toFixed(1).padStart(8)}  ${r.keys}`)
}
