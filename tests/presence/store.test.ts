/**
 * The presence algebra, table by table (issue 5). Cases follow Phoenix's own presence tests
 * (phoenix/assets/test/presence_test.js) with realtime-js's report shapes, plus the two-socket
 * untrack sequence that left ghosts in realtime-js 2.109.0.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PresenceStore } from '../../src/presence/index.js'
import type { PresencePayload, RawPresenceDiff, RawPresenceMap } from '../../src/presence/index.js'

/** A store whose join ref the test moves (a rejoin is `ref.current = '2'`). */
function storeWithRef(initial: string | null = '1') {
  const ref = { current: initial }
  const store = new PresenceStore({ joinRef: () => ref.current })
  return { store, ref }
}

/** As plain JSON: uvu compares constructors, and the store hands out null-prototype objects. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const u1 = { metas: [{ id: 1, phx_ref: '1' }] }
const u2 = { metas: [{ id: 2, phx_ref: '2' }] }
const u3 = { metas: [{ id: 3, phx_ref: '3' }] }
const e = (id: number, ref: string) => ({ id, presence_ref: ref })
const none = { joins: {}, leaves: {} }

const syncState = suite('presence: applyState (Phoenix syncState)')

syncState('an empty store takes the state and reports every key as a join, then sync', () => {
  const { store } = storeWithRef()
  const reports = store.applyState({ u1, u2 })
  assert.equal(reports, [
    { event: 'join', key: 'u1', currentPresences: [], newPresences: [e(1, '1')] },
    { event: 'join', key: 'u2', currentPresences: [], newPresences: [e(2, '2')] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')], u2: [e(2, '2')] })
  assert.equal(plain(store.toRaw()), { u1, u2 })
})

syncState('keys missing from the new state leave whole; new keys join; known refs are not reported', () => {
  const { store } = storeWithRef()
  store.applyState({ u4: { metas: [{ id: 4, phx_ref: '4' }] }, u1 })
  const reports = store.applyState({ u1, u2, u3 })
  assert.equal(reports, [
    { event: 'join', key: 'u2', currentPresences: [], newPresences: [e(2, '2')] },
    { event: 'join', key: 'u3', currentPresences: [], newPresences: [e(3, '3')] },
    { event: 'leave', key: 'u4', currentPresences: [], leftPresences: [e(4, '4')] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.toRaw()), { u1, u2, u3 })
})

syncState('only metas with a new phx_ref join; metas whose phx_ref vanished leave', () => {
  const { store } = storeWithRef()
  store.applyState({ u3: { metas: [{ id: 3, phx_ref: '3' }, { id: 3, phx_ref: '3.old' }] } })
  const reports = store.applyState({ u3: { metas: [{ id: 3, phx_ref: '3' }, { id: 3, phx_ref: '3.new' }] } })
  assert.equal(reports, [
    { event: 'join', key: 'u3', currentPresences: [e(3, '3'), e(3, '3.old')], newPresences: [e(3, '3.new')] },
    { event: 'leave', key: 'u3', currentPresences: [e(3, '3'), e(3, '3.new')], leftPresences: [e(3, '3.old')] },
    { event: 'sync' },
  ])
})

syncState('metas keep Phoenix order (kept ones first), not the order of the new state', () => {
  const { store } = storeWithRef()
  store.applyState({ k: { metas: [{ phx_ref: 'a' }, { phx_ref: 'b' }] } })
  store.applyState({ k: { metas: [{ phx_ref: 'c' }, { phx_ref: 'a' }] } })
  assert.equal(plain(store.toRaw()), { k: { metas: [{ phx_ref: 'a' }, { phx_ref: 'c' }] } })
})

syncState('a meta whose content changed under the same phx_ref is not replaced (refs decide)', () => {
  const { store } = storeWithRef()
  store.applyState({ k: { metas: [{ phx_ref: 'a', v: 1 }] } })
  assert.equal(store.applyState({ k: { metas: [{ phx_ref: 'a', v: 2 }] } }), [{ event: 'sync' }])
  assert.equal(plain(store.toRaw()), { k: { metas: [{ phx_ref: 'a', v: 1 }] } })
})

syncState('leaves are reported in object key order: array-index keys first, ascending', () => {
  const { store } = storeWithRef()
  store.applyState({ b: u1, 10: u2, a: u3, 2: { metas: [{ phx_ref: 'x' }] } })
  const events = store.applyState({}).map((r) => (r.event === 'sync' ? 'sync' : `${r.event}:${r.key}`))
  assert.equal(events, ['leave:2', 'leave:10', 'leave:b', 'leave:a', 'sync'])
})

const syncDiff = suite('presence: applyDiff (Phoenix syncDiff)')

syncDiff('joins add metas after the kept ones; a key whose last meta leaves is deleted', () => {
  const { store } = storeWithRef()
  store.applyState({ u1, u2, u3 })
  const reports = store.applyDiff({ joins: { u1: { metas: [{ id: 1, phx_ref: '1.2' }] } }, leaves: { u2 } })
  assert.equal(reports, [
    { event: 'join', key: 'u1', currentPresences: [e(1, '1')], newPresences: [e(1, '1.2')] },
    { event: 'leave', key: 'u2', currentPresences: [], leftPresences: [e(2, '2')] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.toRaw()), { u1: { metas: [{ id: 1, phx_ref: '1' }, { id: 1, phx_ref: '1.2' }] }, u3 })
})

syncDiff('a leave removes only its meta while others remain', () => {
  const { store } = storeWithRef()
  store.applyState({ u1: { metas: [{ id: 1, phx_ref: '1' }, { id: 1, phx_ref: '1.2' }] } })
  store.applyDiff({ joins: {}, leaves: { u1 } })
  assert.equal(plain(store.toRaw()), { u1: { metas: [{ id: 1, phx_ref: '1.2' }] } })
})

syncDiff('an update (join with phx_ref_prev + leave of the old meta) replaces the meta; phx_ref_prev stays in the state, not in entries', () => {
  const { store } = storeWithRef()
  store.applyState({ u1, u2: { metas: [{ id: 2, name: 'chris', phx_ref: '2' }] } })
  const reports = store.applyDiff({
    joins: { u2: { metas: [{ id: 2, name: 'chris.2', phx_ref: '2.2', phx_ref_prev: '2' }] } },
    leaves: { u2: { metas: [{ id: 2, name: 'chris', phx_ref: '2' }] } },
  })
  assert.equal(reports, [
    { event: 'join', key: 'u2', currentPresences: [{ id: 2, name: 'chris', presence_ref: '2' }], newPresences: [{ id: 2, name: 'chris.2', presence_ref: '2.2' }] },
    { event: 'leave', key: 'u2', currentPresences: [{ id: 2, name: 'chris.2', presence_ref: '2.2' }], leftPresences: [{ id: 2, name: 'chris', presence_ref: '2' }] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.toRaw().u2), { metas: [{ id: 2, name: 'chris.2', phx_ref: '2.2', phx_ref_prev: '2' }] })
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')], u2: [{ id: 2, name: 'chris.2', presence_ref: '2.2' }] })
})

syncDiff('one key from two sockets: 2 metas, untrack one → 1, untrack the other → key gone, each step reported', () => {
  const { store } = storeWithRef()
  const a = { user: 'ann', phx_ref: 'A' }
  const b = { user: 'ann', phx_ref: 'B' }
  store.applyState({})
  assert.equal(store.applyDiff({ joins: { ann: { metas: [a] } }, leaves: {} }), [
    { event: 'join', key: 'ann', currentPresences: [], newPresences: [{ user: 'ann', presence_ref: 'A' }] },
    { event: 'sync' },
  ])
  assert.equal(store.applyDiff({ joins: { ann: { metas: [b] } }, leaves: {} }), [
    { event: 'join', key: 'ann', currentPresences: [{ user: 'ann', presence_ref: 'A' }], newPresences: [{ user: 'ann', presence_ref: 'B' }] },
    { event: 'sync' },
  ])
  assert.is(store.presenceState().ann?.length, 2)
  assert.equal(store.applyDiff({ joins: {}, leaves: { ann: { metas: [a] } } }), [
    { event: 'leave', key: 'ann', currentPresences: [{ user: 'ann', presence_ref: 'B' }], leftPresences: [{ user: 'ann', presence_ref: 'A' }] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.presenceState()), { ann: [{ user: 'ann', presence_ref: 'B' }] })
  assert.equal(store.applyDiff({ joins: {}, leaves: { ann: { metas: [b] } } }), [
    { event: 'leave', key: 'ann', currentPresences: [], leftPresences: [{ user: 'ann', presence_ref: 'B' }] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.presenceState()), {})
  assert.is(store.size, 0)
})

syncDiff('a leave of an unknown key is ignored; a leave whose refs match nothing is still reported (as Phoenix)', () => {
  const { store } = storeWithRef()
  store.applyState({ u1 })
  const before = store.presenceState()
  assert.equal(store.applyDiff({ joins: {}, leaves: { nobody: u2 } }), [{ event: 'sync' }])
  assert.equal(store.applyDiff({ joins: {}, leaves: { u1: { metas: [{ phx_ref: 'zz' }] } } }), [
    { event: 'leave', key: 'u1', currentPresences: [e(1, '1')], leftPresences: [{ presence_ref: 'zz' }] },
    { event: 'sync' },
  ])
  assert.is(store.presenceState(), before, 'nothing changed, so the same snapshot')
})

syncDiff('re-joining a known phx_ref replaces that meta in place of the old copy (at the end)', () => {
  const { store } = storeWithRef()
  store.applyState({ k: { metas: [{ phx_ref: 'a', v: 1 }, { phx_ref: 'b' }] } })
  store.applyDiff({ joins: { k: { metas: [{ phx_ref: 'a', v: 2 }] } }, leaves: {} })
  assert.equal(plain(store.toRaw()), { k: { metas: [{ phx_ref: 'b' }, { phx_ref: 'a', v: 2 }] } })
})

syncDiff('a join of an empty metas list keeps an empty key, as Phoenix does; its next leave deletes it', () => {
  const { store } = storeWithRef()
  store.applyState({})
  store.applyDiff({ joins: { k: { metas: [] } }, leaves: {} })
  assert.equal(plain(store.presenceState()), { k: [] })
  store.applyDiff({ joins: {}, leaves: { k: { metas: [] } } })
  assert.equal(plain(store.presenceState()), {})
})

const pending = suite('presence: diffs before the state of the current join')

pending('diffs wait for the first presence_state, then apply after it, all reported before one sync', () => {
  const { store } = storeWithRef()
  assert.ok(store.inPendingSyncState)
  assert.equal(store.applyDiff({ joins: {}, leaves: { u2 } }), [], 'held: nothing reported, not even sync')
  assert.is(store.pendingDiffs, 1)
  assert.equal(plain(store.presenceState()), {})
  const reports = store.applyState({ u1, u2 })
  assert.equal(reports, [
    { event: 'join', key: 'u1', currentPresences: [], newPresences: [e(1, '1')] },
    { event: 'join', key: 'u2', currentPresences: [], newPresences: [e(2, '2')] },
    { event: 'leave', key: 'u2', currentPresences: [], leftPresences: [e(2, '2')] },
    { event: 'sync' },
  ])
  assert.is(store.pendingDiffs, 0)
  assert.not.ok(store.inPendingSyncState)
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')] })
})

pending('after a rejoin (new join ref) diffs wait again; the new state reports the differences', () => {
  const { store, ref } = storeWithRef()
  store.applyState({ u1, u2 })
  store.applyDiff({ joins: {}, leaves: { u2 } })
  ref.current = '2'
  assert.ok(store.inPendingSyncState)
  assert.equal(store.applyDiff({ joins: {}, leaves: { u1 } }), [])
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')] }, 'the old state is shown meanwhile')
  const reports = store.applyState({ u1, u3 })
  assert.equal(reports, [
    { event: 'join', key: 'u3', currentPresences: [], newPresences: [e(3, '3')] },
    { event: 'leave', key: 'u1', currentPresences: [], leftPresences: [e(1, '1')] },
    { event: 'sync' },
  ])
  assert.equal(plain(store.presenceState()), { u3: [e(3, '3')] })
})

pending('without a join ref every diff is held, even after a state (Phoenix: !joinRef)', () => {
  const { store, ref } = storeWithRef(null)
  store.applyState({ u1 })
  assert.equal(store.applyDiff({ joins: { u2 }, leaves: {} }), [])
  ref.current = '5'
  assert.equal(store.applyDiff(none), [])
  assert.is(store.pendingDiffs, 2)
  store.applyState({ u1 })
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')], u2: [e(2, '2')] })
  assert.equal(store.applyDiff(none), [{ event: 'sync' }])
})

const reportsSuite = suite('presence: reports are never the state')

reportsSuite('mutating every report leaves the state and later reports intact (the realtime-js 2.109.0 ghost)', () => {
  const { store } = storeWithRef()
  const all: PresencePayload[] = []
  const take = (reports: PresencePayload[]) => {
    all.push(...reports)
    for (const r of reports) {
      if (r.event === 'sync') continue
      // A careless listener: empties the lists it got and scribbles on the entries.
      for (const entry of [...r.currentPresences, ...(r.event === 'join' ? r.newPresences : r.leftPresences)]) {
        entry.presence_ref = 'scribbled'
        const nested = entry['nested'] as { n: number } | undefined
        if (nested) nested.n = -1
      }
      r.currentPresences.length = 0
    }
  }
  const a = { phx_ref: 'A', nested: { n: 1 } }
  const b = { phx_ref: 'B', nested: { n: 2 } }
  take(store.applyState({ ann: { metas: [a] } }))
  take(store.applyDiff({ joins: { ann: { metas: [b] } }, leaves: {} }))
  assert.equal(plain(store.presenceState()), { ann: [{ nested: { n: 1 }, presence_ref: 'A' }, { nested: { n: 2 }, presence_ref: 'B' }] })
  take(store.applyDiff({ joins: {}, leaves: { ann: { metas: [a] } } }))
  take(store.applyDiff({ joins: {}, leaves: { ann: { metas: [b] } } }))
  assert.equal(plain(store.presenceState()), {}, 'no ghost')
  assert.is(all.length, 8)
})

reportsSuite('the caller keeps its payload: mutating it after the call changes nothing', () => {
  const { store } = storeWithRef()
  const payload = { k: { metas: [{ phx_ref: 'a', deep: { v: 1 } }] } }
  store.applyState(payload)
  payload.k.metas[0]!.deep.v = 2
  payload.k.metas.push({ phx_ref: 'b', deep: { v: 3 } })
  assert.equal(plain(store.toRaw()), { k: { metas: [{ phx_ref: 'a', deep: { v: 1 } }] } })
})

reportsSuite('with wantsReports false only sync is returned, and the state moves the same', () => {
  let wants = false
  const store = new PresenceStore({ joinRef: () => '1', wantsReports: () => wants })
  assert.equal(store.applyState({ u1 }), [{ event: 'sync' }])
  assert.equal(store.applyDiff({ joins: { u2 }, leaves: { u1 } }), [{ event: 'sync' }])
  assert.equal(plain(store.presenceState()), { u2: [e(2, '2')] })
  wants = true
  assert.is(store.applyDiff({ joins: {}, leaves: { u2 } }).length, 2)
})

const view = suite('presence: presenceState()')

view('entries are the meta without phx_ref / phx_ref_prev, presence_ref last (realtime-js order)', () => {
  const { store } = storeWithRef()
  store.applyState({ k: { metas: [{ phx_ref_prev: 'p', b: 1, phx_ref: 'r', a: 2 }] } })
  const entry = store.presenceState().k?.[0]
  assert.equal(Object.keys(entry ?? {}), ['b', 'a', 'presence_ref'])
})

view('one live object updated in place: O(1) reads, frozen per-key arrays replaced only when their key changes', () => {
  const { store } = storeWithRef()
  store.applyState({ u1, u2 })
  const state = store.presenceState()
  assert.is(store.presenceState(), state)
  assert.is(Object.getPrototypeOf(state), null)
  assert.ok(Object.isFrozen(state.u1) && Object.isFrozen(state.u1?.[0]))
  assert.throws(() => (state.u1 as unknown[]).push(1))
  const heldU1 = state.u1
  const heldU2 = state.u2
  store.applyDiff({ joins: { u2: { metas: [{ id: 2, phx_ref: '2.2' }] }, u3 }, leaves: { u1 } })
  assert.is(store.presenceState(), state, 'the same object, changed in place')
  assert.equal(plain(state), { u2: [e(2, '2'), e(2, '2.2')], u3: [e(3, '3')] })
  assert.is.not(state.u2, heldU2, 'a changed key gets a new array')
  assert.equal(plain(heldU1), [e(1, '1')], 'an array handed out never changes')
  assert.equal(plain(heldU2), [e(2, '2')])
  assert.is(state.u1, undefined)
  store.applyDiff({ joins: { u4: u3 }, leaves: {} })
  assert.is(state.u2, store.get('u2'), 'untouched keys keep their arrays')
  const copy = structuredClone(state)
  store.applyDiff({ joins: {}, leaves: { u4: u3 } })
  assert.ok('u4' in copy && !('u4' in state), 'structuredClone keeps a snapshot')
})

view('a key named __proto__ is an own data key of the live object, before and after the first read', () => {
  const { store } = storeWithRef()
  store.applyState(JSON.parse('{"__proto__":{"metas":[{"phx_ref":"p1"}]}}') as RawPresenceMap)
  const state = store.presenceState()
  assert.ok(Object.prototype.hasOwnProperty.call(state, '__proto__'))
  store.applyDiff(JSON.parse('{"joins":{"__proto__":{"metas":[{"phx_ref":"p2"}]}},"leaves":{}}') as RawPresenceDiff)
  assert.is(Object.getPrototypeOf(state), null)
  assert.equal(Object.keys(state), ['__proto__'])
  assert.is((state as Record<string, unknown[]>)['__proto__']?.length, 2)
  store.applyDiff(JSON.parse('{"joins":{},"leaves":{"__proto__":{"metas":[{"phx_ref":"p1"},{"phx_ref":"p2"}]}}}') as RawPresenceDiff)
  assert.equal(Object.keys(state), [])
})

view('get(key) is one key of presenceState(), the same cached array, undefined when absent', () => {
  const { store } = storeWithRef()
  store.applyState({ u1, u2 })
  const one = store.get('u1')
  assert.equal(plain(one), [e(1, '1')])
  assert.is(store.presenceState().u1, one)
  assert.is(store.get('u9'), undefined)
  assert.is(store.get('constructor'), undefined)
  store.applyDiff({ joins: {}, leaves: { u1 } })
  assert.is(store.get('u1'), undefined)
})

view('nested meta values are frozen in the view (they are shared with the state)', () => {
  const { store } = storeWithRef()
  store.applyState({ k: { metas: [{ phx_ref: 'a', deep: { list: [1] } }] } })
  const deep = store.presenceState().k?.[0]?.['deep'] as { list: number[] }
  assert.ok(Object.isFrozen(deep) && Object.isFrozen(deep.list))
  assert.throws(() => deep.list.push(2))
})

view('keys keep Phoenix state order: kept keys in place, new keys last, indices first', () => {
  const { store } = storeWithRef()
  store.applyState({ b: u1, a: u2 } as RawPresenceMap)
  store.applyDiff({ joins: { c: u3, 7: u3, b: { metas: [{ phx_ref: 'b2' }] } }, leaves: {} })
  assert.equal(Object.keys(store.presenceState()), ['7', 'b', 'a', 'c'])
  store.applyDiff({ joins: {}, leaves: { b: u1 } })
  store.applyDiff({ joins: {}, leaves: { b: { metas: [{ phx_ref: 'b2' }] } } })
  store.applyDiff({ joins: { b: u1 }, leaves: {} })
  assert.equal(Object.keys(store.presenceState()), ['7', 'a', 'c', 'b'])
})

view('malformed keys (metas not an array) and missing diff halves are skipped, not trusted', () => {
  const { store } = storeWithRef()
  store.applyState({ bad: { metas: 'nope' }, u1 } as unknown as RawPresenceMap)
  store.applyDiff({ joins: { u2 } } as unknown as { joins: RawPresenceMap; leaves: RawPresenceMap })
  store.applyDiff(null as unknown as { joins: RawPresenceMap; leaves: RawPresenceMap })
  assert.equal(plain(store.presenceState()), { u1: [e(1, '1')], u2: [e(2, '2')] })
})

syncState.run()
syncDiff.run()
pending.run()
reportsSuite.run()
view.run()
