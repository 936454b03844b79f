/**
 * Keys and fields from the wire never reach a prototype (issue 5): presence keys such as `__proto__`,
 * `constructor` or `toString` are ordinary members, and a meta field named `__proto__` is ordinary data
 * in every object handed out. Payloads are built with JSON.parse, as the socket builds them.
 */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { PresenceStore } from '../../src/presence/index.js'
import { enumerationOrder } from '../../src/presence/key-order.js'
import { mulberry32 } from './generate.js'
import type { PresencePayload, RawPresenceDiff, RawPresenceMap } from '../../src/presence/index.js'

const wire = <T>(json: string): T => JSON.parse(json) as T
const state = (json: string) => wire<RawPresenceMap>(json)
const diff = (json: string) => wire<RawPresenceDiff>(json)
const newStore = () => new PresenceStore({ joinRef: () => '1' })

const keys = suite('presence: wire keys are data, never prototypes')

keys('__proto__, constructor and toString are members like any other, in a null-prototype view', () => {
  const store = newStore()
  store.applyState(state('{"__proto__":{"metas":[{"phx_ref":"p"}]},"constructor":{"metas":[{"phx_ref":"c"}]},"toString":{"metas":[{"phx_ref":"t"}]}}'))
  const view = store.presenceState()
  assert.is(Object.getPrototypeOf(view), null)
  assert.equal(Object.keys(view), ['__proto__', 'constructor', 'toString'])
  assert.is(view['__proto__']?.[0]?.presence_ref, 'p')
  assert.is(view['constructor']?.[0]?.presence_ref, 'c')
  assert.is(store.size, 3)
  const raw = store.toRaw()
  assert.is(Object.getPrototypeOf(raw), null)
  assert.equal(Object.keys(raw), ['__proto__', 'constructor', 'toString'])
  assert.is(({} as Record<string, unknown>)['metas'], undefined, 'Object.prototype untouched')
})

keys('a key absent from the state is absent even when Object.prototype has it (no phantom leave, no phantom current)', () => {
  const store = newStore()
  store.applyState({})
  assert.equal(store.applyDiff(diff('{"joins":{},"leaves":{"constructor":{"metas":[{"phx_ref":"x"}]},"__proto__":{"metas":[{"phx_ref":"y"}]}}}')), [{ event: 'sync' }])
  const reports = store.applyDiff(diff('{"joins":{"hasOwnProperty":{"metas":[{"phx_ref":"h"}]}},"leaves":{}}'))
  assert.equal(reports[0], { event: 'join', key: 'hasOwnProperty', currentPresences: [], newPresences: [{ presence_ref: 'h' }] })
  assert.is(store.size, 1)
})

keys('the __proto__ key joins, gains a second meta, and leaves like any other key', () => {
  const store = newStore()
  store.applyState({})
  store.applyDiff(diff('{"joins":{"__proto__":{"metas":[{"phx_ref":"a"}]}},"leaves":{}}'))
  store.applyDiff(diff('{"joins":{"__proto__":{"metas":[{"phx_ref":"b"}]}},"leaves":{}}'))
  assert.equal(store.presenceState()['__proto__']?.map((entry) => entry.presence_ref), ['a', 'b'])
  store.applyDiff(diff('{"joins":{},"leaves":{"__proto__":{"metas":[{"phx_ref":"a"},{"phx_ref":"b"}]}}}'))
  assert.is(store.size, 0)
  assert.equal(Object.keys(store.presenceState()), [])
})

keys('enumerationOrder matches how JavaScript orders an object\'s keys, edge cases included', () => {
  const pool = ['0', '1', '7', '10', '01', '-1', '1.5', '', ' 1', '4294967294', '4294967295', '9007199254740993', 'a', 'b', '__proto__', 'constructor']
  const rng = mulberry32(42)
  for (let round = 0; round < 500; round++) {
    const inserted = [...new Set(Array.from({ length: 1 + Math.floor(rng() * pool.length) }, () => pool[Math.floor(rng() * pool.length)] as string))]
    const object = Object.create(null) as Record<string, true>
    for (const key of inserted) object[key] = true
    assert.equal(enumerationOrder(inserted), Object.keys(object), inserted.join('|'))
  }
})

const fields = suite('presence: meta fields named __proto__ stay data')

function hasOwnProtoField(entry: object | undefined, polluted: number): void {
  assert.ok(entry && Object.hasOwn(entry, '__proto__'), 'an own __proto__ field')
  assert.is(Object.getPrototypeOf(entry), Object.prototype, 'the prototype was not replaced')
  assert.equal(Object.getOwnPropertyDescriptor(entry, '__proto__')?.value, { polluted })
  assert.is((entry as Record<string, unknown>)['polluted'], undefined, 'nothing inherited from the field')
}

fields('in presenceState() entries, in join and leave reports, and in toRaw()', () => {
  const store = newStore()
  const joined = store.applyState(state('{"k":{"metas":[{"phx_ref":"a","__proto__":{"polluted":1},"name":"n"}]}}'))
  const join = joined[0] as Extract<PresencePayload, { event: 'join' }>
  hasOwnProtoField(join.newPresences[0], 1)
  hasOwnProtoField(store.presenceState()['k']?.[0], 1)
  hasOwnProtoField(store.toRaw()['k']?.metas[0], 1)
  const left = store.applyDiff(diff('{"joins":{},"leaves":{"k":{"metas":[{"phx_ref":"a","__proto__":{"polluted":2}}]}}}'))
  const leave = left[0] as Extract<PresencePayload, { event: 'leave' }>
  hasOwnProtoField(leave.leftPresences[0], 2)
  assert.is(({} as Record<string, unknown>)['polluted'], undefined, 'Object.prototype untouched')
})

fields('nested __proto__ fields are kept as data too', () => {
  const store = newStore()
  store.applyState(state('{"k":{"metas":[{"phx_ref":"a","profile":{"__proto__":{"polluted":3}}}]}}'))
  const profile = store.presenceState()['k']?.[0]?.['profile'] as object
  hasOwnProtoField(profile, 3)
})

keys.run()
fields.run()
