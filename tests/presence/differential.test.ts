/**
 * Differential test (issue 5 proof): thousands of random sequences of `presence_state`, `presence_diff`
 * and join-ref changes fed to our store and to the official Phoenix JS client's `Presence` (with
 * realtime-js's payload shapes). After every step the states, the user views, the pending queues and
 * the join/leave/sync payloads (order, keys, current/new/left entries, key order inside entries) must
 * be identical. Each side gets its own deep copy of every input.
 *
 * PRESENCE_SEQUENCES=20000 PRESENCE_SEED=7 to run more, or to replay a failure's seed.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PresenceStore } from '../../src/presence/index.js'
import type { PresencePayload, RawPresenceDiff, RawPresenceMap } from '../../src/presence/index.js'
import { Traffic, mulberry32, type Step } from './generate.js'
import { Presence, PhoenixReference, clone, phxStateText, realtimeView, reportingCallbacks, type PhxState } from './reference.js'

const SEQUENCES = Number(process.env['PRESENCE_SEQUENCES'] ?? 2000)
const FIRST_SEED = Number(process.env['PRESENCE_SEED'] ?? 1)

const text = (value: unknown): string => JSON.stringify(value)

/** assert.is with the (costly) replay message built only on a mismatch. */
function same<T>(actual: T, expected: T, seed: number, steps: Step[], what: string): void {
  if (actual === expected) return
  assert.is(actual, expected, `seed ${seed}, step ${steps.length - 1} (${what}); replay with PRESENCE_SEED=${seed} PRESENCE_SEQUENCES=1.\nsteps: ${text(steps)}`)
}

const instance = suite('presence: differential against phoenix Presence (instance, pending diffs, rejoins)')

instance(`${SEQUENCES} random sequences: same state, view, queue and payloads after every step`, () => {
  let steps = 0
  let payloads = 0
  let held = 0
  for (let seed = FIRST_SEED; seed < FIRST_SEED + SEQUENCES; seed++) {
    const rng = mulberry32(seed)
    const traffic = new Traffic(rng)
    const phoenix = new PhoenixReference()
    const store = new PresenceStore({ joinRef: () => phoenix.joinRef })
    // The same store with nobody listening: the state must move the same without reports.
    const silent = new PresenceStore({ joinRef: () => phoenix.joinRef, wantsReports: () => false })
    const history: Step[] = []
    const length = 5 + Math.floor(rng() * 36)
    for (let i = 0; i < length; i++) {
      const step = i === 0 ? traffic.start() : traffic.next()
      history.push(step)
      let ours: PresencePayload[] = []
      let quiet: PresencePayload[] = []
      if (step.kind === 'joinRef') {
        phoenix.joinRef = step.ref
      } else if (step.kind === 'state') {
        phoenix.applyState(clone(step.payload))
        ours = store.applyState(clone(step.payload) as unknown as RawPresenceMap)
        quiet = silent.applyState(clone(step.payload) as unknown as RawPresenceMap)
      } else {
        if (phoenix.presence.inPendingSyncState()) held++
        phoenix.applyDiff(clone(step.payload))
        ours = store.applyDiff(clone(step.payload) as unknown as RawPresenceDiff)
        quiet = silent.applyDiff(clone(step.payload) as unknown as RawPresenceDiff)
      }
      const theirs = phoenix.drain()
      payloads += theirs.length
      same(text(ours), text(theirs), seed, history, 'payloads')
      same(text(quiet), text(theirs.filter((p) => p.event === 'sync')), seed, history, 'payloads without listeners')
      const state = phxStateText(phoenix.presence.state)
      same(text(store.toRaw()), state, seed, history, 'state')
      same(text(silent.toRaw()), state, seed, history, 'state without listeners')
      same(text(store.presenceState()), text(realtimeView(phoenix.presence.state)), seed, history, 'presenceState()')
      same(store.pendingDiffs, phoenix.presence.pendingDiffs.length, seed, history, 'pending diffs')
      same(store.inPendingSyncState, phoenix.presence.inPendingSyncState(), seed, history, 'inPendingSyncState')
      steps++
    }
  }
  // The generator must actually exercise what it claims to (a test that cannot fail proves nothing).
  assert.ok(steps > SEQUENCES * 10, `steps: ${steps}`)
  assert.ok(held > SEQUENCES / 10, `diffs held before a state: ${held}`)
  assert.ok(payloads > steps, `payloads: ${payloads}`)
})

const statics = suite('presence: differential against phoenix Presence.syncState / syncDiff (static)')

statics(`${Math.ceil(SEQUENCES / 3)} random sequences through the static functions`, () => {
  for (let seed = FIRST_SEED; seed < FIRST_SEED + Math.ceil(SEQUENCES / 3); seed++) {
    const rng = mulberry32(seed ^ 0x5eed)
    const traffic = new Traffic(rng)
    const store = new PresenceStore({ joinRef: () => 'j' })
    // The store holds diffs until its first state; the statics have no such notion, so start with one.
    let phx: PhxState = {}
    const history: Step[] = [{ kind: 'state', payload: {} }]
    store.applyState({})
    const log: PresencePayload[] = []
    const { onJoin, onLeave } = reportingCallbacks(log)
    for (let i = 0; i < 30; i++) {
      const step = traffic.next()
      if (step.kind === 'joinRef') continue
      history.push(step)
      let ours: PresencePayload[]
      if (step.kind === 'state') {
        phx = Presence.syncState(phx, clone(step.payload), onJoin, onLeave)
        ours = store.applyState(clone(step.payload) as unknown as RawPresenceMap)
      } else {
        phx = Presence.syncDiff(phx, clone(step.payload), onJoin, onLeave)
        ours = store.applyDiff(clone(step.payload) as unknown as RawPresenceDiff)
      }
      log.push({ event: 'sync' })
      same(text(ours), text(log.splice(0)), seed, history, 'payloads')
      same(text(store.toRaw()), phxStateText(phx), seed, history, 'state')
    }
  }
})

instance.run()
statics.run()
