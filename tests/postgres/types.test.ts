/** Issue 12: the PostgresTypes conversion table, one row per type and input form. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { RoundedDigits } from '../../src/postgres/numbers.js'
import { ExactNumberText, PostgresTypes, type PostgresConvertOptions } from '../../src/postgres/types.js'

type Row = readonly [type: string, input: unknown, expected: unknown, options?: PostgresConvertOptions]

function table(name: string, rows: readonly Row[]): void {
  const test = suite(`PostgresTypes: ${name}`)
  for (const [type, input, expected, options] of rows) {
    test(`${type} ${describe(input)} → ${describe(expected)}${options ? ` ${JSON.stringify(options)}` : ''}`, () => {
      assert.equal(PostgresTypes.convertColumn(type, input, options), expected)
    })
  }
  test.run()
}

function describe(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return `${item}n`
    if (typeof item === 'number' && !Number.isFinite(item)) return String(item)
    return item
  })
}

const BIG = '9007199254740993'
const BIG_NUMERIC = '12345678901234567890.123456789'

table('booleans', [
  ['bool', true, true],
  ['bool', false, false],
  ['bool', 't', true],
  ['bool', 'f', false],
  ['bool', 'true', true],
  ['bool', 'FALSE', false],
  ['bool', 'maybe', 'maybe'],
  ['bool', null, null],
])

table('integers and floats', [
  ['int2', 7, 7],
  ['int2', '-7', -7],
  ['int4', '2147483647', 2147483647],
  ['int4', '12abc', '12abc'],
  ['oid', '42', 42],
  ['int8', 42, 42],
  ['int8', '42', 42],
  ['int8', '-9007199254740991', -9007199254740991],
  ['int8', BIG, BIG],
  ['int8', `-${BIG}`, `-${BIG}`],
  ['int8', new ExactNumberText(BIG), BIG],
  ['int8', new ExactNumberText(`-${BIG}`), `-${BIG}`],
  ['int8', new ExactNumberText(`+${BIG}`), BIG],
  ['int8', new ExactNumberText('42'), 42],
  ['int8', new ExactNumberText('-'), new ExactNumberText('-')],
  ['int8', '42', 42n, { exact: 'bigint' }],
  ['int8', 42, 42n, { exact: 'bigint' }],
  ['int8', new ExactNumberText(BIG), 9007199254740993n, { exact: 'bigint' }],
  ['int8', '4.5', '4.5'],
  ['float4', 1.5, 1.5],
  ['float4', '1.5', 1.5],
  ['float8', '-2.5e-3', -0.0025],
  ['float8', 'NaN', Number.NaN],
  ['float8', 'Infinity', Number.POSITIVE_INFINITY],
  ['float8', '-Infinity', Number.NEGATIVE_INFINITY],
  ['float8', 'abc', 'abc'],
  ['float8', new ExactNumberText('0.30000000000000004441'), 0.30000000000000004],
  ['int4', null, null],
])

table('numeric', [
  ['numeric', 1.25, 1.25],
  ['numeric', '1.25', 1.25],
  ['numeric', '1.50', 1.5],
  ['numeric', '100', 100],
  ['numeric', BIG_NUMERIC, BIG_NUMERIC],
  ['numeric', new ExactNumberText(BIG_NUMERIC), BIG_NUMERIC],
  ['numeric', new ExactNumberText('123456789012345678901234567890'), 123456789012345678901234567890n, { exact: 'bigint' }],
  ['numeric', new ExactNumberText(BIG_NUMERIC), BIG_NUMERIC, { exact: 'bigint' }],
  ['numeric', '0.1', 0.1],
  ['numeric', 'NaN', Number.NaN],
  ['numeric', 'Infinity', Number.POSITIVE_INFINITY],
  ['numeric', 'twelve', 'twelve'],
])

table('json and jsonb', [
  ['jsonb', { a: [1, 'x'] }, { a: [1, 'x'] }],
  ['json', [1, 2], [1, 2]],
  ['jsonb', '123', '123'],
  ['jsonb', 'plain text', 'plain text'],
  ['jsonb', 5, 5],
  ['jsonb', true, true],
  ['jsonb', new ExactNumberText(BIG), 9007199254740992],
])

table('dates and timestamps', [
  ['date', '2026-01-02', '2026-01-02'],
  ['date', '2026-01-02', new Date('2026-01-02T00:00:00Z'), { dates: 'date' }],
  ['date', '2026-02-30', '2026-02-30'],
  ['date', 'infinity', 'infinity'],
  ['timestamp', '2026-01-02T03:04:05.678901', '2026-01-02T03:04:05.678901'],
  ['timestamp', '2026-01-02 03:04:05', '2026-01-02T03:04:05'],
  ['timestamp', '2026-01-02 03:04:05.5', new Date('2026-01-02T03:04:05.500Z'), { dates: 'date' }],
  ['timestamp', '2026-01-02 03:04:05+00', '2026-01-02 03:04:05+00'],
  ['timestamptz', '2026-01-02T03:04:05.678+00:00', '2026-01-02T03:04:05.678Z'],
  ['timestamptz', '2026-01-02 03:04:05.123456+0000', '2026-01-02T03:04:05.123456Z'],
  ['timestamptz', '2026-01-02T03:04:05Z', '2026-01-02T03:04:05Z'],
  ['timestamptz', '2026-01-02 03:04:05+00', '2026-01-02T03:04:05Z'],
  ['timestamptz', ' 2026-01-02T03:04:05+00 ', '2026-01-02T03:04:05Z'],
  ['timestamptz', '2026-01-02T03:04:05.+00', '2026-01-02T03:04:05.+00'],
  ['timestamptz', '2026-01-02T03:04:05+00:0', '2026-01-02T03:04:05+00:0'],
  ['timestamptz', '0000-01-02T03:04:05+00', '0000-01-02T03:04:05+00'],
  ['timestamptz', '2026-01-02T03:04:05-00', '2026-01-02T03:04:05Z'],
  ['timestamptz', '2026-01-02 03:04:05.123456+05:30', '2026-01-01T21:34:05.123456Z'],
  ['timestamptz', '2026-01-01 23:00:00-03', '2026-01-02T02:00:00Z'],
  ['timestamptz', '1850-01-01 00:00:00+00:53:28', '1849-12-31T23:06:32Z'],
  ['timestamptz', '0099-06-01 00:00:00+00', '0099-06-01T00:00:00Z'],
  ['timestamptz', '2026-01-02T03:04:05Z', new Date('2026-01-02T03:04:05Z'), { dates: 'date' }],
  ['timestamptz', '2026-01-02 03:04:05.678+00', new Date('2026-01-02T03:04:05.678Z'), { dates: 'date' }],
  ['timestamptz', '-infinity', '-infinity'],
  ['timestamptz', '2026-01-02 03:04:05 BC', '2026-01-02 03:04:05 BC'],
  ['time', '03:04:05', '03:04:05'],
  ['timetz', '03:04:05+02', '03:04:05+02'],
  ['interval', '1 day', '1 day'],
])

table('text types, uuid, enums and unknown types', [
  ['text', 'hi', 'hi'],
  ['varchar', 't', 't'],
  ['bpchar', 'ab  ', 'ab  '],
  ['uuid', '6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f', '6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f'],
  ['mood', 'happy', 'happy'],
  ['bytea', '\\x0102', '\\x0102'],
  ['money', '$1,000.00', '$1,000.00'],
  ['no_such_type', { a: 1 }, { a: 1 }],
  ['text', null, null],
])

table('arrays', [
  ['_int4', [1, 2], [1, 2]],
  ['_int4', '{1,2}', [1, 2]],
  ['_int4', '{}', []],
  ['_int4', '{{1,2},{3,4}}', [[1, 2], [3, 4]]],
  ['_int4', [[1, 2], [3, null]], [[1, 2], [3, null]]],
  ['_int4', '[0:1]={5,6}', [5, 6]],
  ['_int4', '{1,NULL}', [1, null]],
  ['_text', '{a,"b c"}', ['a', 'b c']],
  ['_text', '{NULL,"NULL",null}', [null, 'NULL', null]],
  ['_text', '{"a\\"b","c\\\\d","",","}', ['a"b', 'c\\d', '', ',']],
  ['_text', '{ a , b }', ['a', 'b']],
  ['_text', '{"{x}"}', ['{x}']],
  ['_bool', '{t,f,NULL}', [true, false, null]],
  ['_bool', [true, false], [true, false]],
  ['_int8', `{1,${BIG}}`, [1, BIG]],
  ['_int8', [1, new ExactNumberText(BIG)], [1, BIG]],
  ['_int8', `{1,${BIG}}`, [1n, 9007199254740993n], { exact: 'bigint' }],
  ['_numeric', `{1.5,${BIG_NUMERIC}}`, [1.5, BIG_NUMERIC]],
  ['_float8', '{1.5,NaN}', [1.5, Number.NaN]],
  ['_jsonb', '{"{\\"a\\": 1}",2,"\\"s\\""}', [{ a: 1 }, 2, 's']],
  ['_jsonb', [{ a: 1 }, '1'], [{ a: 1 }, '1']],
  ['_timestamptz', ['2026-01-02T03:04:05+01:00'], ['2026-01-02T02:04:05Z']],
  ['_timestamptz', '{"2026-01-02 03:04:05+01"}', ['2026-01-02T02:04:05Z']],
  ['_date', '{2026-01-02}', [new Date('2026-01-02T00:00:00Z')], { dates: 'date' }],
  ['_uuid', '{6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f}', ['6f1c2c5e-8a4b-4e7a-9d3e-0c1b2a3d4e5f']],
  ['_mood', '{happy,"very sad"}', ['happy', 'very sad']],
  ['_box', '{(1,1),(0,0);(2,2),(1,1)}', ['(1,1),(0,0)', '(2,2),(1,1)']],
  ['_int4', '{1,2', '{1,2'],
  ['_int4', '{1,"2}', '{1,"2}'],
  ['_int4', '{1,,2}', '{1,,2}'],
  ['_int4', '{1}x', '{1}x'],
  ['_text', 'not an array', 'not an array'],
  ['_int4', 5, 5],
  ['_int4', null, null],
])

const range = (lower: unknown, upper: unknown, lowerInclusive: boolean, upperInclusive: boolean) => ({ empty: false, lower, upper, lowerInclusive, upperInclusive })
const EMPTY = { empty: true, lower: null, upper: null, lowerInclusive: false, upperInclusive: false }

table('ranges', [
  ['int4range', '[1,10)', range(1, 10, true, false)],
  ['int4range', 'empty', EMPTY],
  ['int4range', '(,5]', range(null, 5, false, true)],
  ['int4range', '[3,)', range(3, null, true, false)],
  ['int8range', `[1,${BIG})`, range(1, BIG, true, false)],
  ['int8range', `[1,${BIG})`, range(1n, 9007199254740993n, true, false), { exact: 'bigint' }],
  ['numrange', '[1.5,2.25]', range(1.5, 2.25, true, true)],
  ['daterange', '[2026-01-01,2026-02-01)', range('2026-01-01', '2026-02-01', true, false)],
  ['tsrange', '["2026-01-01 00:00:00","2026-01-02 00:00:00")', range('2026-01-01T00:00:00', '2026-01-02T00:00:00', true, false)],
  ['tstzrange', '["2026-01-01 00:00:00+02",infinity)', range('2025-12-31T22:00:00Z', 'infinity', true, false)],
  ['int4multirange', '{[1,3), [5,7)}', [range(1, 3, true, false), range(5, 7, true, false)]],
  ['int4multirange', '{}', []],
  ['_int4range', '{"[1,2)",empty}', [range(1, 2, true, false), EMPTY]],
  ['int4range', '[1,2', '[1,2'],
  ['int4range', '1,2', '1,2'],
  ['int4range', 7, 7],
])

const records = suite('PostgresTypes: records and changes')

records('convertRecord converts by column name, copies unknown keys, and gives {} for no record', () => {
  const columns = [
    { name: 'id', type: 'int8' },
    { name: 'done', type: 'bool' },
    { name: 'tags', type: '_text' },
  ]
  assert.equal(PostgresTypes.convertRecord(columns, { id: '5', done: 't', tags: '{a,b}', extra: 't' }), { id: 5, done: true, tags: ['a', 'b'], extra: 't' })
  assert.equal(PostgresTypes.convertRecord(columns, null), {})
  assert.equal(PostgresTypes.convertRecord(columns, [1]), {})
  assert.equal(PostgresTypes.convertRecord(null, { id: '5' }), { id: '5' })
})

records("convertRecord finds each key's column whatever the order: shuffled (as jsonb orders them), missing, extra", () => {
  const columns = [
    { name: 'id', type: 'int4' },
    { name: 'done', type: 'bool' },
    { name: 'at', type: 'timestamptz' },
    { name: 'n', type: 'int4' },
  ]
  const at = '2026-01-02 03:04:05+00'
  const converted = { id: 1, done: true, at: '2026-01-02T03:04:05Z', n: 2 }
  assert.equal(PostgresTypes.convertRecord(columns, { n: '2', at, done: 't', id: '1' }), converted)
  assert.equal(PostgresTypes.convertRecord(columns, { done: 't', n: '2', id: '1', at }), converted)
  assert.equal(PostgresTypes.convertRecord(columns, { at, id: '1' }), { at: converted.at, id: 1 })
  assert.equal(PostgresTypes.convertRecord(columns, { x: 't', n: '2', y: '1', id: '1' }), { x: 't', n: 2, y: '1', id: 1 })
  assert.equal(Object.keys(PostgresTypes.convertRecord(columns, { n: '2', id: '1', x: 1 })), ['id', 'n', 'x'], 'keys in the columns order, then the others')
  assert.equal(Object.keys(PostgresTypes.convertRecord(columns, { id: '1', done: 't', at, n: '2' })), ['id', 'done', 'at', 'n'])
  assert.equal(PostgresTypes.convertRecord([], { id: '1' }), { id: '1' })
})

records('records in jsonb key order convert the same every time: the cached key-order plan is checked against keys, names and types', () => {
  const columns = [
    { name: 'id', type: 'int8' },
    { name: 'title', type: 'text' },
    { name: 'done', type: 'bool' },
    { name: 'at', type: 'timestamptz' },
  ]
  const at = '2026-01-02 03:04:05+00'
  for (let round = 0; round < 3; round += 1) {
    const out = PostgresTypes.convertRecord(columns, { at, id: '1', done: 't', title: 'x' })
    assert.equal(out, { id: 1, title: 'x', done: true, at: '2026-01-02T03:04:05Z' })
    assert.equal(Object.keys(out), ['id', 'title', 'done', 'at'])
    // Same keys, other types: not the plan of the row before.
    assert.equal(PostgresTypes.convertRecord([{ name: 'id', type: 'text' }, ...columns.slice(1)], { at, id: '1', done: 't', title: 'x' }), { id: '1', title: 'x', done: true, at: '2026-01-02T03:04:05Z' })
    // Same columns, the record's keys another order, one missing, one extra, a null.
    assert.equal(Object.keys(PostgresTypes.convertRecord(columns, { done: 'f', x: 1, id: null })), ['id', 'done', 'x'])
    assert.equal(PostgresTypes.convertRecord(columns, { done: 'f', x: 1, id: null }), { id: null, done: false, x: 1 })
    // Same keys, other column names.
    assert.equal(PostgresTypes.convertRecord([{ name: 'done', type: 'bool' }, { name: 'zz', type: 'int4' }], { at, id: '1', done: 't', title: 'x' }), { done: true, at, id: '1', title: 'x' })
    // Two columns of one name: the later's type, at the earlier's place (as without a plan).
    assert.equal(PostgresTypes.convertRecord([{ name: 'b', type: 'bool' }, { name: 'a', type: 'int4' }, { name: 'b', type: 'int4' }], { a: '1', b: '2' }), { b: 2, a: 1 })
    // A key __proto__ out of order stays an ordinary field.
    const odd = PostgresTypes.convertRecord([{ name: 'a', type: 'int4' }, { name: '__proto__', type: 'bool' }], JSON.parse('{"__proto__":"t","a":"1"}'))
    assert.is(Object.getOwnPropertyDescriptor(odd, '__proto__')?.value, true)
    assert.is(Object.getPrototypeOf(odd), Object.prototype)
    assert.equal(Object.keys(odd), ['a', '__proto__'])
  }
  // More tables than plans are kept, in turn: each still converts right.
  for (let round = 0; round < 2; round += 1) {
    for (let table = 0; table < 40; table += 1) {
      const cols = [{ name: `a${table}`, type: 'int4' }, { name: `bb${table}`, type: 'bool' }]
      assert.equal(PostgresTypes.convertRecord(cols, { [`bb${table}`]: 't', [`a${table}`]: String(table) }), { [`a${table}`]: table, [`bb${table}`]: true })
    }
  }
})

records('exact digits reach a record in jsonb key order', () => {
  const text = `[null,null,"t","postgres_changes",{"data":{"columns":[{"name":"title","type":"text"},{"name":"id","type":"int8"},{"name":"n","type":"numeric"}],"record":{"n":${BIG_NUMERIC},"id":${BIG},"title":"x"},"type":"INSERT"},"ids":[1]}]`
  const data = (JSON.parse(text) as [unknown, unknown, unknown, unknown, { data: Parameters<typeof PostgresTypes.convertChange>[0] }])[4].data
  for (let round = 0; round < 3; round += 1) {
    const exact = PostgresTypes.exactRecords(text, 'postgres_changes', data)
    assert.ok(exact !== null && !(exact instanceof Error))
    const out = PostgresTypes.convertChange(data, {}, exact).new
    assert.equal(out, { title: 'x', id: BIG, n: BIG_NUMERIC })
    assert.equal(Object.keys(out), ['title', 'id', 'n'])
    assert.is(PostgresTypes.convertChange(data, { exact: 'bigint' }, exact).new['id'], 9007199254740993n)
  }
})

records('a column position that changes type between changes converts by its new type', () => {
  for (let round = 0; round < 3; round += 1) {
    assert.equal(PostgresTypes.convertRecord([{ name: 'v', type: 'int4' }], { v: '7' }), { v: 7 })
    assert.equal(PostgresTypes.convertRecord([{ name: 'v', type: 'bool' }], { v: 't' }), { v: true })
    assert.equal(PostgresTypes.convertRecord([{ name: 'v', type: '_int4' }], { v: '{1,2}' }), { v: [1, 2] })
    assert.equal(PostgresTypes.convertRecord([{ name: 'v', type: 5 as unknown as string }], { v: 't' }), { v: 't' })
  }
})

records('a column named __proto__ stays an ordinary field', () => {
  const record = JSON.parse('{"__proto__": "t"}') as unknown
  const out = PostgresTypes.convertRecord([{ name: '__proto__', type: 'bool' }], record)
  assert.is(Object.getOwnPropertyDescriptor(out, '__proto__')?.value, true)
  assert.is(Object.getPrototypeOf(out), Object.prototype)
})

records('convertChange shapes new/old as realtime-js does, per change type', () => {
  const columns = [{ name: 'id', type: 'int4' }]
  assert.equal(PostgresTypes.convertChange({ type: 'INSERT', columns, record: { id: '1' } }), { new: { id: 1 }, old: {} })
  assert.equal(PostgresTypes.convertChange({ type: 'UPDATE', columns, record: { id: 2 }, old_record: { id: 1 } }), { new: { id: 2 }, old: { id: 1 } })
  assert.equal(PostgresTypes.convertChange({ type: 'DELETE', columns, old_record: { id: '1' } }), { new: {}, old: { id: 1 } })
  assert.equal(PostgresTypes.convertChange({ columns, record: { id: 1 } }), { new: {}, old: {} })
})

records('exact digits come from the frame text, for vsn 2.0.0 arrays and vsn 1.0.0 objects', () => {
  const data = `{"columns":[{"name":"id","type":"int8"},{"name":"n","type":"numeric"},{"name":"ids","type":"_int8"},{"name":"doc","type":"jsonb"}],"record":{"id":${BIG},"n":${BIG_NUMERIC},"ids":[1,${BIG}],"doc":{"k":${BIG}}},"old_record":{"id":${BIG}},"type":"UPDATE"}`
  const v2 = `[null,null,"realtime:t","postgres_changes",{"data":${data},"ids":[1]}]`
  const v1 = `{"event":"postgres_changes","join_ref":null,"payload":{"data":${data},"ids":[1]},"ref":null,"topic":"realtime:t"}`
  for (const text of [v2, v1]) {
    const exact = PostgresTypes.exactRecords(text, 'postgres_changes')
    assert.ok(exact !== null && !(exact instanceof Error))
    const parsed = JSON.parse(text) as unknown
    const payload = (Array.isArray(parsed) ? parsed[4] : (parsed as { payload: unknown }).payload) as { data: Parameters<typeof PostgresTypes.convertChange>[0] }
    assert.equal(PostgresTypes.exactRecords(text, 'postgres_changes', payload.data), exact, 'the parsed data gives the same answer')
    const change = PostgresTypes.convertChange(payload.data, {}, exact)
    assert.equal(change.new, { id: BIG, n: BIG_NUMERIC, ids: [1, BIG], doc: { k: 9007199254740992 } })
    assert.equal(change.old, { id: BIG })
    assert.equal(PostgresTypes.convertChange(payload.data, { exact: 'bigint' }, exact).new['id'], 9007199254740993n)
    // Without the text, JSON.parse's double is all there is: the digits are gone.
    assert.is.not(PostgresTypes.convertChange(payload.data).new['id'], BIG)
  }
})

records('exactRecords skips the text when the parsed data has no int8 beyond 2^53 and no numeric', () => {
  const text = `[null,null,"t","postgres_changes",{"data":{"columns":[{"name":"id","type":"int8"},{"name":"s","type":"text"}],"record":{"id":1,"s":"${'1'.repeat(20)}"},"type":"INSERT"},"ids":[1]}]`
  const data = (JSON.parse(text) as [null, null, string, string, { data: Parameters<typeof PostgresTypes.mayHaveRoundedNumbers>[0] }])[4].data
  assert.is(PostgresTypes.mayHaveRoundedNumbers(data), false)
  assert.is(PostgresTypes.exactRecords(text, 'postgres_changes', data), null)
  // Without the parsed data the long digit run in the string makes it look.
  assert.ok(PostgresTypes.exactRecords(text, 'postgres_changes') !== null)
  // A numeric column is looked up by its key: short there, nothing to read again; long, read.
  const numeric = (digits: string) => `[null,null,"t","postgres_changes",{"data":{"columns":[{"name":"n","type":"numeric"}],"record":{"n":${digits}},"old_record":{"n": 1},"type":"UPDATE"},"ids":[1]}]`
  for (const [digits, reread] of [['1.25', false], ['0.1000000000000000001', true], ['1234567890123456789', true]] as const) {
    const frame = numeric(digits)
    const parsed = (JSON.parse(frame) as [null, null, string, string, { data: Parameters<typeof PostgresTypes.mayHaveRoundedNumbers>[0] }])[4].data
    assert.is(PostgresTypes.exactRecords(frame, 'postgres_changes', parsed) !== null, reread, digits)
  }
  const cases: readonly (readonly [string, unknown, boolean])[] = [
    ['int8', 9007199254740991, false],
    ['int8', 9007199254740992, true],
    ['_int8', [1, [2, 2 ** 60]], true],
    ['_int8', [1, null], false],
    ['numeric', 1.5, true],
    ['numeric', null, false],
    ['_numeric', [1], true],
    ['float8', 2 ** 60, false],
  ]
  for (const [type, value, expected] of cases) {
    assert.is(PostgresTypes.mayHaveRoundedNumbers({ columns: [{ name: 'v', type }], record: { v: value } }), expected, `${type} ${JSON.stringify(value)}`)
    assert.is(PostgresTypes.mayHaveRoundedNumbers({ columns: [{ name: 'v', type }], record: null, old_record: { v: value } }), expected)
  }
  assert.is(PostgresTypes.mayHaveRoundedNumbers({ record: { v: 1 } }), true)
})

records('exactRecords costs nothing for other events and for frames without long numbers', () => {
  assert.is(PostgresTypes.exactRecords(`[null,null,"t","broadcast",{"n":${BIG}}]`, 'broadcast'), null)
  assert.is(PostgresTypes.exactRecords('[null,null,"t","postgres_changes",{"data":{"record":{"id":1}},"ids":[1]}]', 'postgres_changes'), null)
  const bad = PostgresTypes.exactRecords(`[null,null,"t","postgres_changes",{"n":${BIG}`, 'postgres_changes')
  assert.instance(bad, Error)
  assert.is((bad as { code?: string }).code, 'invalid_frame')
})

records('parseLossless keeps exact numbers as numbers and every JSON form intact', () => {
  const text = '{"a":[1,-2.5,1e3,true,false,null,"x\\"y\\u00e9"],"b":{},"c":[],"d":0.1,"e":12345678901234567890}'
  const value = PostgresTypes.parseLossless(text) as Record<string, unknown>
  assert.equal(value['a'], [1, -2.5, 1000, true, false, null, 'x"yé'])
  assert.equal({ ...(value['b'] as object) }, {})
  assert.equal(value['c'], [])
  assert.is(value['d'], 0.1)
  assert.equal(value['e'], new RoundedDigits('12345678901234567890', true))
  assert.instance(value['e'], ExactNumberText)
  for (const bad of ['{"a":1', '[1,]', '{"a" 1}', '01', '"x', '[1] 2', '{1:2}']) assert.throws(() => PostgresTypes.parseLossless(bad), SyntaxError, bad)
})

records('parseLossless with a selection builds only the selected parts and steps over the rest', () => {
  const text = '{"a":"x\\"}y","b":[1,{"c":"\\\\"}, -2.5e3, false],"c":{"d":1,"e":[true,null]},"d":2}'
  assert.equal(PostgresTypes.parseLossless(text, { c: { e: true } }), { c: { e: [true, null] } })
  assert.equal(PostgresTypes.parseLossless(text, { b: { 1: true } }), { b: [undefined, { c: '\\' }, undefined, undefined] })
  assert.equal(PostgresTypes.parseLossless('[1,"x",[2],{"k":3},5]', { 3: true }), [undefined, undefined, undefined, { k: 3 }, undefined])
  for (const bad of ['{"a":"unterminated', '{"a":[1,2', '{"a":']) assert.throws(() => PostgresTypes.parseLossless(bad, {}), SyntaxError, bad)
})

records('non-string type names and undefined values do not throw', () => {
  assert.is(PostgresTypes.convertColumn(5 as unknown as string, 't'), 't')
  assert.is(PostgresTypes.convertColumn('bool', undefined), undefined)
  assert.is(PostgresTypes.convertColumn('constructor', 'x'), 'x')
})

records.run()
