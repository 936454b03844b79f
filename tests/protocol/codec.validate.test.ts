/**
 * The compiled predicates of validate.ts give exactly `v.is(schema, input)`'s answer, for the codec's
 * own schemas (on valid, near-valid and random inputs) and for schema kinds it hands back to valibot.
 */
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as v from 'valibot'
import {
  BroadcastPayload,
  ClientArrayFrame,
  clientPayloadSchema,
  ObjectFrame,
  payloadCheck,
  PostgresChangesPayload,
  PresenceDiffPayload,
  PresenceStatePayload,
  ReplyPayload,
  ServerArrayFrame,
  serverArrayFrame,
  serverPayloadSchema,
  SystemPayload,
} from '../../src/protocol/schemas.js'
import { compile } from '../../src/protocol/validate.js'
import { canon, forAll, ownObject, randomJson, randomString, type Rng } from './codec-support.js'

const presence = () => ({ 'user-1': { metas: [{ phx_ref: 'r1', name: 'a' }] }, 'user-2': { metas: [] } })
const schemas: Array<[string, v.GenericSchema, () => unknown]> = [
  ['ServerArrayFrame', ServerArrayFrame, () => [null, '1', 'realtime:r', 'phx_reply', { status: 'ok', response: {} }]],
  ['ClientArrayFrame', ClientArrayFrame, () => ['1', '2', 'realtime:r', 'phx_join', { config: {} }, 'extra']],
  ['ObjectFrame', ObjectFrame, () => ({ topic: 't', event: 'e', payload: {}, ref: '1', join_ref: null })],
  ['ReplyPayload', ReplyPayload, () => ({ status: 'ok', response: { postgres_changes: [] } })],
  ['BroadcastPayload', BroadcastPayload, () => ({ type: 'broadcast', event: 'e', payload: { x: 1 } })],
  ['PresenceStatePayload', PresenceStatePayload, presence],
  ['PresenceDiffPayload', PresenceDiffPayload, () => ({ joins: presence(), leaves: {} })],
  ['PostgresChangesPayload', PostgresChangesPayload, () => ({ ids: [1, 2], data: { type: 'INSERT', record: {} } })],
  ['SystemPayload', SystemPayload, () => ({ status: 'ok', message: 'm', extension: 'system' })],
  ['phx_join (client)', clientPayloadSchema('phx_join')!, () => ({ config: { broadcast: {} } })],
  ['access_token (client)', clientPayloadSchema('access_token')!, () => ({ access_token: 'x' })],
  ['broadcast (client)', clientPayloadSchema('broadcast')!, () => ({ type: 'broadcast', event: 'e' })],
  ['presence (client)', clientPayloadSchema('presence')!, () => ({ type: 'presence', event: 'track' })],
]

const ODD_VALUES: unknown[] = [
  undefined,
  null,
  0,
  NaN,
  '',
  'x',
  true,
  [],
  {},
  new ArrayBuffer(2),
  new Uint8Array(2),
  Object.create(null),
  Object.create({ event: 'inherited', status: 'ok', response: 1, topic: 't', joins: {}, leaves: {} }),
  ownObject([['__proto__', { metas: [{ phx_ref: 'x' }] }]]),
  ownObject([['__proto__', 'garbage']]),
  ownObject([['constructor', { metas: [] }]]),
]

/** A random variation of a valid value: a key or item replaced, removed or added, at any depth. */
function mutate(rng: Rng, value: unknown, depth = 0): unknown {
  if (rng.bool(0.15) || depth > 4) return rng.bool(0.3) ? rng.pick(ODD_VALUES) : randomJson(rng, 3)
  if (Array.isArray(value)) {
    const copy = [...value]
    const choice = rng.int(0, 3)
    if (choice === 0 && copy.length > 0) copy.pop()
    else if (choice === 1) copy.push(randomJson(rng, 3))
    else if (copy.length > 0) {
      const at = rng.int(0, copy.length - 1)
      copy[at] = mutate(rng, copy[at], depth + 1)
    }
    return copy
  }
  if (value !== null && typeof value === 'object' && !(value instanceof ArrayBuffer)) {
    const entries = Object.entries(value)
    const choice = rng.int(0, 3)
    if (choice === 0 && entries.length > 0) entries.splice(rng.int(0, entries.length - 1), 1)
    else if (choice === 1) entries.push([rng.pick(['__proto__', 'constructor', 'prototype', randomString(rng, 8)]), randomJson(rng, 3)])
    else if (entries.length > 0) {
      const at = rng.int(0, entries.length - 1)
      entries[at] = [entries[at]![0], mutate(rng, entries[at]![1], depth + 1)]
    }
    return ownObject(entries)
  }
  return rng.bool() ? value : randomJson(rng, 3)
}

/** `is` answers as `v.is(schema)` on the sample, the odd values and 3 000 mutated or random inputs. */
function assertSameAnswers(name: string, schema: v.GenericSchema, is: (input: unknown) => boolean, valid: () => unknown): void {
  assert.ok(v.is(schema, valid()), `${name}: the sample is valid`)
  assert.ok(is(valid()), `${name}: compiled accepts the sample`)
  ODD_VALUES.forEach((odd, index) => assert.is(is(odd), v.is(schema, odd), `${name} on odd value #${index}`))
  let accepted = 0
  let rejected = 0
  forAll(name.length * 7919, 3000, (rng) => {
    const input = rng.bool(0.8) ? mutate(rng, valid()) : randomJson(rng)
    const expected = v.is(schema, input)
    if (is(input) !== expected) throw new Error(`${name}: compiled ${!expected}, v.is ${expected} on ${canon(input).slice(0, 300)}`)
    if (expected) accepted++
    else rejected++
  })
  assert.ok(accepted > 50 && rejected > 50, `${name}: ${accepted} accepted / ${rejected} rejected — the inputs must exercise both answers`)
}

test('compiled predicates answer like v.is for the codec schemas (valid, odd, mutated and random inputs)', () => {
  for (const [name, schema, valid] of schemas) assertSameAnswers(name, schema, compile(schema), valid)
})

test('the predicates the codec uses answer like v.is, hand-written ones included (server frame, broadcast payload)', () => {
  const broadcast = () => ({ type: 'broadcast', event: 'e', payload: { x: 1 } })
  assertSameAnswers('serverArrayFrame', ServerArrayFrame, serverArrayFrame.is, () => [null, null, 'realtime:r', 'broadcast', broadcast()])
  assertSameAnswers('serverArrayFrame (reply)', ServerArrayFrame, serverArrayFrame.is, () => ['1', '2', 'realtime:r', 'phx_reply', { status: 'ok', response: {} }])
  // Edges random inputs rarely reach: a fifth element that is undefined (or missing, or one too many).
  const edges: unknown[] = [[null, null, 't', 'e', undefined], [null, null, 't', 'e'], [null, null, 't', 'e', {}, 1], ['1', 2, 't', 'e', {}], [null, null, 't', 'e', null]]
  for (const edge of edges) assert.is(serverArrayFrame.is(edge), v.is(ServerArrayFrame, edge), `serverArrayFrame on ${String(edge)}`)
  assertSameAnswers('broadcast payload (server)', BroadcastPayload, payloadCheck('broadcast', 'fromServer')!.is, broadcast)
  assertSameAnswers('broadcast payload, null prototype', BroadcastPayload, payloadCheck('broadcast', 'fromServer')!.is, () => Object.assign(Object.create(null), broadcast()))
  const serverEventOf: Record<string, string> = {
    ReplyPayload: 'phx_reply',
    BroadcastPayload: 'broadcast',
    PresenceStatePayload: 'presence_state',
    PresenceDiffPayload: 'presence_diff',
    PostgresChangesPayload: 'postgres_changes',
    SystemPayload: 'system',
  }
  for (const [name, schema, valid] of schemas) {
    const event = serverEventOf[name]
    if (event !== undefined) assertSameAnswers(`${event} (payloadCheck)`, schema, payloadCheck(event, 'fromServer')!.is, valid)
  }
})

test('schema kinds the compiler does not take over are still answered by valibot', () => {
  const cases: Array<[v.GenericSchema, unknown[]]> = [
    [v.optional(v.string(), 'default'), [undefined, 'x', 1]],
    [v.object({ a: v.optional(v.number(), 1) }), [{}, { a: 2 }, { a: 'x' }]],
    [v.object({ a: v.fallback(v.number(), 0) }), [{}, { a: 'x' }]],
    [v.pipe(v.object({ a: v.number() }), v.check((o) => o.a > 1)), [{ a: 2 }, { a: 0 }, {}]],
    [v.pipe(v.string(), v.minLength(2)), ['ab', 'a', 3]],
    [v.pipe(v.string(), v.transform((s) => s.length)), ['ab', 1]],
    [v.record(v.string(), v.number()), [{ a: 1 }, { a: 'x' }, []]],
    [v.literal('ok'), ['ok', 'no']],
    [v.boolean(), [true, 0]],
    [v.strictObject({ a: v.string() }), [{ a: 'x' }, { a: 'x', b: 1 }]],
    [v.nullish(v.number(), 0), [null, undefined, 1, 'x']],
  ]
  for (const [schema, inputs] of cases) {
    const is = compile(schema)
    for (const input of inputs) assert.is(is(input), v.is(schema, input), `${schema.type} on ${canon(input)}`)
  }
})

test('compiled kinds behave like valibot at their edges', () => {
  const cases: Array<[v.GenericSchema, unknown[]]> = [
    [v.number(), [1, NaN, Infinity, '1']],
    [v.nullish(v.string()), [null, undefined, 's', 1]],
    [v.optional(v.string()), [undefined, 's', null]],
    [v.union([v.string(), v.number()]), ['s', 1, null]],
    [v.instance(ArrayBuffer), [new ArrayBuffer(1), new Uint8Array(1), {}]],
    [v.array(v.string()), [[], ['a'], ['a', 1], {}]],
    [v.tuple([v.string(), v.unknown()]), [['a'], ['a', 1, 2], [1], 'a']],
    [v.looseTuple([v.string()]), [['a', 1], []]],
    [v.strictTuple([v.string()]), [['a'], ['a', 1], []]],
    [v.looseObject({ a: v.string() }), [{ a: 'x', b: 1 }, { b: 1 }, Object.create({ a: 'inherited' }), ['a']]],
    [v.object({ a: v.nullish(v.string()), b: v.optional(v.number()) }), [{}, { a: null }, { b: 'x' }]],
    [v.pipe(v.custom<string>((x) => typeof x === 'string'), v.check((s: string) => s.length > 1)), ['ab', 'a', 1]],
    [v.pipe(v.string(), v.rawCheck<string>(({ dataset, addIssue }) => (dataset.typed && dataset.value === 'bad' ? addIssue() : undefined))), ['ok', 'bad', 1]],
    [v.pipe(v.string(), v.description('metadata only'), v.check((s: string) => s !== 'x')), ['y', 'x']],
  ]
  for (const [schema, inputs] of cases) {
    const is = compile(schema)
    for (const input of inputs) assert.is(is(input), v.is(schema, input), `${schema.type} on ${canon(input) ?? String(input)}`)
  }
})

test('payload schemas are looked up by own event names only', () => {
  assert.is(serverPayloadSchema('phx_reply'), ReplyPayload)
  assert.is(serverPayloadSchema('heartbeat'), undefined)
  assert.is(serverPayloadSchema('constructor'), undefined)
  assert.is(serverPayloadSchema('__proto__'), undefined)
  assert.is(clientPayloadSchema('toString'), undefined)
})

test.run()
