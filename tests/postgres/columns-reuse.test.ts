/** A socket's frame parser: a table's `columns` parsed once, and every result what JSON.parse gives. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createFrameParser } from '../../src/postgres/columns-reuse.js'

const test = suite('createFrameParser')

const TODOS = '[{"name":"id","type":"int8"},{"name":"title","type":"text"},{"name":"doc","type":"jsonb"}]'
const NOTES = '[{"name":"id","type":"int4"},{"name":"body","type":"text"}]'

function change(columns: string, record: string, extra = ''): string {
  return `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"columns":${columns},"commit_timestamp":"2026-01-02T03:04:05.678Z","errors":null,"record":${record},"schema":"public","table":"t","type":"INSERT"${extra}}}]`
}

type Frame = [unknown, unknown, string, string, { data: { columns: unknown } }]
const columnsOf = (value: unknown): unknown => (value as Frame)[4].data.columns

/** Parses every text in turn with one parser; each result must equal JSON.parse's. */
function parseAll(texts: readonly string[]): unknown[] {
  const parse = createFrameParser()
  return texts.map((text) => {
    const value = parse(text)
    assert.equal(value, JSON.parse(text), text)
    return value
  })
}

test("a table's columns are parsed once: later changes share one frozen array", () => {
  const [first, second, third] = parseAll([change(TODOS, '{"id":1,"title":"a","doc":{}}'), change(TODOS, '{"id":2,"title":"b","doc":null}'), change(TODOS, '{"doc":[],"id":3,"title":"c"}')])
  assert.ok(columnsOf(second) === columnsOf(third), 'the remembered array')
  assert.ok(columnsOf(first) === columnsOf(second), "the first frame's array, frozen, is the one remembered")
  assert.ok(Object.isFrozen(columnsOf(second)) && Object.isFrozen((columnsOf(second) as object[])[0]))
})

test('two tables, vsn 1.0.0 objects, and other frames in between', () => {
  const v1 = (columns: string): string => `{"topic":"realtime:db","event":"postgres_changes","payload":{"ids":[7],"data":{"columns":${columns},"record":{"id":1},"type":"INSERT"}},"ref":null}`
  const values = parseAll([
    change(TODOS, '{"id":1}'),
    change(NOTES, '{"id":1}'),
    '[null,null,"realtime:room","broadcast",{"event":"e","payload":{"columns":1},"type":"broadcast"}]',
    change(TODOS, '{"id":2}'),
    change(NOTES, '{"id":2}'),
    v1(TODOS),
    v1(NOTES),
    '[null,"3","phoenix","phx_reply",{"response":{},"status":"ok"}]',
  ])
  assert.ok(columnsOf(values[0]) === columnsOf(values[3]) && columnsOf(values[1]) === columnsOf(values[4]))
  assert.ok((values[5] as { payload: { data: { columns: unknown } } }).payload.data.columns === columnsOf(values[0]))
})

test('the same columns text elsewhere in the frame: never the wrong object', () => {
  parseAll([
    change(TODOS, '{"id":1}'),
    // Twice: the record's jsonb holds a key `columns` with the same text. Not reused, parsed as is.
    change(TODOS, `{"id":2,"doc":{"columns":${TODOS}}}`),
    // Once, but not the change's own: an error frame without columns, the text inside the record.
    `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"errors":["Error 413"],"record":{"doc":{"columns":${TODOS}}},"type":"INSERT"}}]`,
    // Inside a string, behind an escaped quote.
    `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"record":{"title":"x\\"columns\\":${TODOS.replaceAll('"', '\\"')}"},"type":"INSERT"}}]`,
    // The same text nested first, the change's own columns empty after it.
    `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"record":{"doc":{"columns":${TODOS}}},"columns":[]}}]`,
    // The same text nested, the change's own (empty) columns spelled with \\u or a space before the colon.
    `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"record":{"doc":{"columns":${TODOS}}},"\\u0063olumns":[]}}]`,
    `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"record":{"doc":{"columns":${TODOS}}},"columns" :[]}}]`,
    // Columns written with \\u escapes, then the same without.
    change('[{"name":"id","type":"int8","x":"\\u0041"}]', '{"id":1}'),
    change('[{"name":"id","type":"int8","x":"A"}]', '{"id":1}'),
    // Columns with values other than strings: never remembered (nor frozen).
    change('[{"name":"id","type":"int8","x":{"y":1}}]', '{"id":1}'),
    change('[{"name":"id","type":"int8","x":{"y":1}}]', '{"id":2}'),
    // A key spelled with \\u escapes.
    change(TODOS, '{"\\u0069d":3}'),
    // The change's columns written with spaces: not what was remembered.
    change(TODOS.replaceAll(',', ', '), '{"id":4}'),
    change('[]', '{"id":5}'),
  ])
})

test('columns with values other than strings are not shared between frames', () => {
  const parse = createFrameParser()
  const columns = '[{"name":"id","type":"int8","x":{"y":1}}]'
  const first = parse(change(columns, '{"id":1}'))
  const second = parse(change(columns, '{"id":2}'))
  assert.ok(columnsOf(first) !== columnsOf(second))
  assert.not.ok(Object.isFrozen(columnsOf(second)))
})

test("another event's frame holding the same text gets its own array, not the frozen one", () => {
  const parse = createFrameParser()
  parse(change(TODOS, '{"id":1}'))
  const text = `[null,null,"realtime:db","system",{"data":{"columns":${TODOS}},"status":"ok"}]`
  const value = parse(text) as { 4: { data: { columns: unknown[] } } }
  assert.equal(value, JSON.parse(text))
  assert.not.ok(Object.isFrozen(value[4].data.columns))
})

test('a frame parsed with the blank that turns out to be elsewhere is parsed again, as JSON.parse would', () => {
  const parse = createFrameParser()
  parse(change(TODOS, '{"id":1}'))
  const text = `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{"record":{"doc":{"columns":${TODOS}}},"type":"INSERT"}}]`
  const value = parse(text) as { 4: { data: { record: { doc: { columns: unknown[] } } } } }
  assert.is(value[4].data.record.doc.columns.length, 3)
  assert.not.ok(Object.isFrozen(value[4].data.record.doc.columns))
})

test('more tables than it remembers: each frame still parses right', () => {
  const texts: string[] = []
  for (let round = 0; round < 3; round += 1) {
    for (let table = 0; table < 20; table += 1) texts.push(change(`[{"name":"c${table}","type":"int4"}]`, `{"c${table}":${round}}`))
  }
  parseAll(texts)
})

test('bad JSON throws as JSON.parse does, remembered columns or not', () => {
  const parse = createFrameParser()
  assert.throws(() => parse('{"columns":'))
  parse(change(TODOS, '{"id":1}'))
  assert.throws(() => parse(change(TODOS, '{"id":1,}')))
  assert.throws(() => parse(`[null,null,"t","postgres_changes",{"data":{"columns":${TODOS}]`))
  assert.equal(parse(change(TODOS, '{"id":2}')), JSON.parse(change(TODOS, '{"id":2}')))
})

test('differential: the columns text spliced at random places of random frames parses as JSON.parse does', () => {
  let seed = 12345
  const random = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed % n
  }
  const pieces = [`"columns":${TODOS}`, `"columns":${NOTES}`, '"columns":[]', '"\\u0063olumns":[]', '"x":1', `"doc":{"columns":${TODOS}}`, '"s":"a\\"columns\\":[]"', '"n":null']
  const parse = createFrameParser()
  parse(change(TODOS, '{"id":0}'))
  parse(change(NOTES, '{"id":0}'))
  for (let i = 0; i < 500; i += 1) {
    const dataKeys = Array.from({ length: 1 + random(3) }, () => pieces[random(pieces.length)]!)
    const recordKeys = Array.from({ length: random(3) }, () => pieces[random(pieces.length)]!)
    const text = `[null,null,"realtime:db","postgres_changes",{"ids":[7],"data":{${[...dataKeys, `"record":{${recordKeys.join(',')}}`].join(',')}}}]`
    assert.equal(parse(text), JSON.parse(text), text)
  }
})

test.run()
