/** Exact int8 / numeric digits read at their keys in the frame text (exactByKey), and when it declines. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { exactByKey } from '../../src/postgres/exact-by-key.js'
import { hasLongNumber } from '../../src/postgres/exact-json.js'
import { canSpellKeysOnlyLiterally, isPlainKey, keyValueStarts, numberShapeAt, numberTokenAt } from '../../src/postgres/key-values.js'
import { RoundedDigits, isBeyondSafeIntegerText, isExactDouble } from '../../src/postgres/numbers.js'
import { ExactNumberText, PostgresTypes } from '../../src/postgres/types.js'

const BIG = '9007199254740993'
const NUMERIC = '123456789012345678901234567890.5'

type Data = Parameters<typeof PostgresTypes.convertChange>[0]

function frame(columns: string, records: string, type = 'INSERT'): string {
  return `[null,null,"realtime:t","postgres_changes",{"ids":[1],"data":{"columns":${columns},"commit_timestamp":"2026-01-02T03:04:05.678Z","errors":null,${records},"schema":"public","table":"t","type":"${type}"}}]`
}

function dataOf(text: string): Data {
  return (JSON.parse(text) as [null, null, string, string, { data: Data }])[4].data
}

const ID_PRICE = '[{"name":"id","type":"int8"},{"name":"price","type":"numeric"},{"name":"doc","type":"jsonb"},{"name":"title","type":"text"}]'

/** The change as converted with the parsed data (the fast path when it answers) and with the whole frame parsed again. */
function bothWays(text: string): { byData: unknown; byFrame: unknown; answered: boolean } {
  const data = dataOf(text)
  const byData = PostgresTypes.exactRecords(text, 'postgres_changes', data)
  const byFrame = PostgresTypes.exactRecords(text, 'postgres_changes')
  assert.not.instance(byData, Error)
  assert.not.instance(byFrame, Error)
  const record = typeof data.record === 'object' && data.record !== null ? (data.record as Record<string, unknown>) : null
  const old = typeof data.old_record === 'object' && data.old_record !== null ? (data.old_record as Record<string, unknown>) : null
  const names = (data.columns ?? []).filter((column) => column.type === 'int8' || column.type === 'numeric' || column.type === '_int8').map((column) => column.name)
  return {
    byData: PostgresTypes.convertChange(data, {}, byData as Exclude<typeof byData, Error>),
    byFrame: PostgresTypes.convertChange(data, {}, byFrame as Exclude<typeof byFrame, Error>),
    answered: exactByKey(text, record, old, names) !== undefined,
  }
}

const keys = suite('key-values: finding a key in JSON text')

keys('keyValueStarts finds keys only, in text order, spaces allowed around the colon', () => {
  const text = '{"id":1,"ids":[2],"x":"id","y":{"id" : -3},"id2":4,"aid":5}'
  assert.equal(keyValueStarts(text, 'id').map((at) => text[at]), ['1', '-'])
  // An escaped quote before the name is inside a string; an escaped backslash before it is not an escape.
  const escaped = String.raw`{"a":"\"id\": 1","b":"\\","id":2,"c":"\\\"id\": 3"}`
  JSON.parse(escaped)
  assert.equal(keyValueStarts(escaped, 'id').map((at) => escaped[at]), ['2'])
  const inKey = String.raw`{"x\"id":1,"id":2,"y\\":{"id":3}}`
  JSON.parse(inKey)
  assert.equal(keyValueStarts(inKey, 'id').map((at) => inKey[at]), ['2', '3'])
})

keys('canSpellKeysOnlyLiterally refuses texts with \\u or \\/ escapes', () => {
  assert.ok(canSpellKeysOnlyLiterally(String.raw`{"a":"say \"hi\"\n","b":"c:\\"}`))
  assert.not.ok(canSpellKeysOnlyLiterally(String.raw`{"\u0069d":1}`))
  assert.not.ok(canSpellKeysOnlyLiterally(String.raw`{"a":"x\/y"}`))
})

keys('isPlainKey refuses names JSON escapes and names that may continue another token', () => {
  for (const name of ['id', 'price_eur', 'prix€', 'Ünïcode', 'a b', '1']) assert.ok(isPlainKey(name), name)
  for (const name of ['', 'a"b', 'a\\b', 'a\nb', ',x', ':', ' a', '}', ']']) assert.not.ok(isPlainKey(name), JSON.stringify(name))
})

keys('numberTokenAt and numberShapeAt', () => {
  assert.is(numberTokenAt('[-12.5e+3,1]', 1), '-12.5e+3')
  assert.is(numberTokenAt('"x"', 0), '')
  assert.equal(numberShapeAt('[-12.5e+30,1]', 1), { end: 10, digits: 3, fraction: true, exponent: true })
  assert.equal(numberShapeAt('{"a":-123456789012345678}', 5), { end: 24, digits: 18, fraction: false, exponent: false })
  assert.equal(numberShapeAt('"x"', 0), { end: 0, digits: 0, fraction: false, exponent: false })
})

keys('hasLongNumber finds a run of 16 digits and dots at any offset, looking at every 16th character', () => {
  const naive = (text: string) => /[0-9.]{16}/.test(text)
  for (const run of ['123456789012345', '1234567890123456', '12345678.1234567', '1234567890.12345678', '12345678901234567']) {
    for (let offset = 0; offset < 40; offset += 1) {
      for (const tail of ['', '"', 'x'.repeat(17)]) {
        const text = `${'a'.repeat(offset)}${run}${tail}`
        assert.is(hasLongNumber(text), naive(text), `${run} at ${offset}`)
      }
    }
  }
  assert.not.ok(hasLongNumber(`${'123456789012345,'.repeat(20)}`))
  assert.ok(hasLongNumber(`${'1,'.repeat(20)}9007199254740993`))
})

keys('isBeyondSafeIntegerText tells from the digits alone, and declines other spellings', () => {
  const max = BigInt(Number.MAX_SAFE_INTEGER)
  for (const text of ['0', '7', '-7', '9007199254740991', '9007199254740992', '-9007199254740991', '-9007199254740992', '8999999999999999', '10000000000000000', '123456789012345678901234567890', '-1'.padEnd(17, '0')]) {
    const value = BigInt(text)
    assert.is(isBeyondSafeIntegerText(text), value > max || value < -max, text)
  }
  for (const text of ['', '-', '01', '-01', '1.5', '1e3', '+1', ' 1', 'x']) assert.is(isBeyondSafeIntegerText(text), undefined, JSON.stringify(text))
})

keys('isExactDouble: digits a double spells exactly, leading and trailing zeros and the dot aside', () => {
  const exact = ['0', '-0', '12.5', '1.0000000000000000000', '0.10000000000000000000', '00000000000000000000001.5', '1.50000000000000000000000e3', '9007199254740991', '0.30000000000000004', '1.2345678901234567e5']
  const rounded = ['0.1000000000000000055511151231257827', '9007199254740993', '100000000000000000000000', '12345678901234567890.5', '1234567890123456789012345678.05', '0.30000000000000004441', '1e400', '1.23456789012345678e5']
  for (const text of exact) assert.ok(isExactDouble(text), text)
  for (const text of rounded) assert.not.ok(isExactDouble(text), text)
})

keys.run()

const exact = suite('exactByKey: exact digits by key, or a refusal the full parse then covers')

exact('a long int8 and a long numeric are read from their keys', () => {
  const text = frame(ID_PRICE, `"record":{"id":${BIG},"price":${NUMERIC},"doc":{"a":[1,{"b":2}]},"title":"id: 5"}`)
  const data = dataOf(text)
  const result = exactByKey(text, data.record as Record<string, unknown>, null, ['id', 'price'])
  assert.equal(result, { record: { id: new RoundedDigits(BIG, true), price: new RoundedDigits(NUMERIC, false) }, old_record: null })
  const { byData, byFrame, answered } = bothWays(text)
  assert.ok(answered)
  assert.equal(byData, byFrame)
  assert.equal((byData as { new: unknown }).new, { id: BIG, price: NUMERIC, doc: { a: [1, { b: 2 }] }, title: 'id: 5' })
})

exact('short numbers, negatives and exponents: null when nothing was rounded, exact otherwise', () => {
  for (const [price, rounded] of [['12.5', false], ['-0.25', false], ['1.5e3', false], ['-123456789012345678901', true], ['1e400', true], ['0.1000000000000000000001', true], ['1.0000000000000000', false], ['1234567890123456', false], ['-9007199254740991', false], ['9007199254740992', true], ['-9007199254740993', true], ['1.00000000000000001', true], ['-1.00000000000000001', true], ['1.00000000000000000', false], ['12345678901234567.5', true], ['1234567890123456.50', false], ['0.10000000000000000', false]] as const) {
    const text = frame(ID_PRICE, `"record":{"id":1,"price":${price}}`)
    const data = dataOf(text)
    const result = exactByKey(text, data.record as Record<string, unknown>, null, ['price'])
    assert.equal(result, rounded ? { record: { price: new RoundedDigits(price, /^-?\d+$/.test(price)) }, old_record: null } : null, price)
    // 1e400 has no 16-digit run, so the full parse's gate lets JSON.parse's Infinity through; by key it stays exact.
    if (price === '1e400') continue
    const { byData, byFrame } = bothWays(text)
    assert.equal(byData, byFrame, price)
  }
})

exact('UPDATE: each record gets its own digits, whatever the order of record and old_record', () => {
  const other = '9007199254740995'
  for (const records of [`"record":{"id":${BIG}},"old_record":{"id":${other}}`, `"old_record":{"id":${other}},"record":{"id":${BIG}}`]) {
    const text = frame(ID_PRICE, records, 'UPDATE')
    const { byData, byFrame, answered } = bothWays(text)
    assert.ok(answered, records)
    assert.equal(byData, { new: { id: BIG }, old: { id: other } })
    assert.equal(byData, byFrame)
  }
  // The same digits in both: either reading is right.
  const same = bothWays(frame(ID_PRICE, `"record":{"id":${BIG}},"old_record":{"id":${BIG}}`, 'UPDATE'))
  assert.ok(same.answered)
  assert.equal(same.byData, { new: { id: BIG }, old: { id: BIG } })
  // One double for two spellings, in either order: no way to tell by value, the frame is parsed.
  const twin = '9007199254740992'
  const ambiguous = bothWays(frame(ID_PRICE, `"old_record":{"id":${twin}},"record":{"id":${BIG}}`, 'UPDATE'))
  assert.not.ok(ambiguous.answered)
  assert.equal(ambiguous.byData, { new: { id: BIG }, old: { id: twin } })
})

exact('declines, and the full parse stays exact: escapes, a nested key of the same name, duplicate keys', () => {
  const cases = [
    // A \u or \/ escape anywhere: a key might be spelled with it.
    `"record":{"\\u0069d":${BIG},"doc":{"id":9007199254740992}}`,
    `"record":{"id":${BIG},"title":"caf\\u00e9"}`,
    `"record":{"id":${BIG},"title":"a\\/b"}`,
    // The same key in a nested jsonb, with a number of the same double.
    `"record":{"doc":{"id":9007199254740992},"id":${BIG}}`,
    // A duplicate key: JSON.parse keeps the last one.
    `"record":{"id":1,"id":${BIG}}`,
  ]
  for (const records of cases) {
    const { byData, byFrame, answered } = bothWays(frame(ID_PRICE, records))
    assert.not.ok(answered, records)
    assert.is((byData as { new: Record<string, unknown> }).new['id'], BIG, records)
    assert.equal(byData, byFrame, records)
  }
})

exact('escaped quotes and backslashes in strings: a quoted name inside a string is not a key', () => {
  const cases = [
    `"record":{"id":${BIG},"title":"say \\"id\\": 1234567890123456789"}`,
    `"record":{"title":"x\\\\\\"id\\": 1","id":${BIG}}`,
    `"record":{"title":"c:\\\\","id":${BIG},"doc":"tab\\there"}`,
  ]
  for (const records of cases) {
    const text = frame(ID_PRICE, records)
    JSON.parse(text)
    const { byData, byFrame, answered } = bothWays(text)
    assert.ok(answered, records)
    assert.is((byData as { new: Record<string, unknown> }).new['id'], BIG, records)
    assert.equal(byData, byFrame, records)
  }
})

exact('a string that holds what looks like a key is not one (no backslash needed for that)', () => {
  const text = frame(ID_PRICE, `"record":{"title":"id: 1234567890123456789","id":${BIG}}`)
  const { byData, answered } = bothWays(text)
  assert.ok(answered)
  assert.equal((byData as { new: unknown }).new, { title: 'id: 1234567890123456789', id: BIG })
})

exact('unicode names and values, __proto__ as a column name, DELETE', () => {
  const columns = '[{"name":"prix€","type":"numeric"},{"name":"__proto__","type":"int8"},{"name":"t","type":"text"}]'
  const text = frame(columns, `"old_record":{"prix€":${NUMERIC},"__proto__":${BIG},"t":"héllo ✓"}`, 'DELETE')
  const { byData, byFrame, answered } = bothWays(text)
  assert.ok(answered)
  assert.equal(byData, byFrame)
  const old = (byData as { old: Record<string, unknown> }).old
  assert.is(old['prix€'], NUMERIC)
  assert.is(Object.getOwnPropertyDescriptor(old, '__proto__')?.value, BIG)
  assert.is(Object.getPrototypeOf(old), Object.prototype)
})

exact('int8 arrays: read at their key; in both records of an UPDATE, left to the full parse', () => {
  const columns = '[{"name":"keys","type":"_int8"}]'
  const insert = bothWays(frame(columns, `"record":{"keys":[1,[${BIG},null],-2]}`))
  assert.ok(insert.answered)
  assert.equal((insert.byData as { new: unknown }).new, { keys: [1, [BIG, null], -2] })
  const update = bothWays(frame(columns, `"record":{"keys":[${BIG}]},"old_record":{"keys":[9007199254740995]}`, 'UPDATE'))
  assert.not.ok(update.answered)
  assert.equal(update.byData, { new: { keys: [BIG] }, old: { keys: ['9007199254740995'] } })
  // A column named like a key of the frame itself (the payload's `ids`): written twice, so parsed.
  const named = bothWays(frame('[{"name":"ids","type":"int8"}]', `"record":{"ids":${BIG}}`))
  assert.not.ok(named.answered)
  assert.equal((named.byData as { new: unknown }).new, { ids: BIG })
})

exact.run()
