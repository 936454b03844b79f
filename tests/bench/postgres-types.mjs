// The CPU cost of turning one postgres change into JavaScript values (issue 12), without a socket:
// realtime-js's `convertChangeData` beside `PostgresTypes` on the same frame text. `npm run bench:postgres`.
//
// Each path starts from the frame's text, as a client gets it from the socket:
//   - realtime-js: JSON.parse, then convertChangeData(columns, record) (int8 / numeric digits lost);
//   - PostgresTypes: JSON.parse, then exactRecords(text, event, data) and convertChange (exact);
//   - the same after the client socket's parser (createFrameParser: each table's columns parsed once).
// Rows: a 10-column row (int8, text, bool, timestamptz, jsonb, numeric, text[], int4[], int4,
// float8) with small numbers, the same row with an int8 beyond 2^53 and a 30-digit numeric, and the
// first row with its keys in jsonb's order, as the real server sends them.
// Reported: µs per change, best of 9 rounds of 100 000 changes, CPU time.
import { build } from 'esbuild'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..')
const dir = join(root, '.bench-results', `postgres-types-${process.pid}`)
mkdirSync(dir, { recursive: true })
const N = Number(process.env.N ?? 100_000)
const ROUNDS = 9

const columns = [
  ['id', 'int8'], ['title', 'text'], ['done', 'bool'], ['at', 'timestamptz'], ['doc', 'jsonb'],
  ['price', 'numeric'], ['tags', '_text'], ['nums', '_int4'], ['count', 'int4'], ['ratio', 'float8'],
].map(([name, type]) => ({ name, type }))

// The real server writes a record as jsonb orders keys (by length, then bytes), not in column order.
const JSONB_ORDER = ['at', 'id', 'doc', 'done', 'nums', 'tags', 'count', 'price', 'ratio', 'title']

function frame(id, price, jsonbOrder = false) {
  const values = { id, title: '"hello world"', done: 'true', at: '"2026-01-02T03:04:05.678+00:00"', doc: '{"a":1,"b":[1,2]}', price, tags: '["a","b"]', nums: '[1,2,3]', count: '7', ratio: '0.25' }
  const keys = jsonbOrder ? JSONB_ORDER : columns.map((column) => column.name)
  const record = `{${keys.map((key) => `"${key}":${values[key]}`).join(',')}}`
  return `[null,null,"realtime:todos","postgres_changes",{"ids":[30636876],"data":{"columns":${JSON.stringify(columns)},"commit_timestamp":"2026-01-02T03:04:05.678Z","errors":null,"record":${record},"schema":"public","table":"todos","type":"INSERT"}}]`
}

function best(run) {
  let result = Infinity
  for (let round = 0; round < ROUNDS; round += 1) {
    const start = process.cpuUsage()
    run()
    const used = process.cpuUsage(start)
    result = Math.min(result, (used.user + used.system) / N)
  }
  return result
}

try {
  const outfile = join(dir, 'types.mjs')
  const entry = join(dir, 'entry.ts')
  writeFileSync(entry, `export { PostgresTypes } from ${JSON.stringify(join(root, 'src/postgres/types.ts'))}\nexport { createFrameParser } from ${JSON.stringify(join(root, 'src/postgres/columns-reuse.ts'))}\n`)
  await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile, logLevel: 'silent' })
  const { PostgresTypes, createFrameParser } = await import(pathToFileURL(outfile).href)
  const { convertChangeData } = await import(pathToFileURL(join(root, 'node_modules/@supabase/realtime-js/dist/module/lib/transformers.js')).href)

  const rows = [
    ['10 columns, small numbers', frame(12345, 12.5)],
    ['10 columns, int8 > 2^53, 30-digit numeric', frame('9007199254740993', '123456789012345678901234567890')],
    ['10 columns in jsonb key order, small numbers', frame(12345, 12.5, true)],
  ]
  console.log(`postgres change conversion, µs per change (best of ${ROUNDS} × ${N}, CPU time)`)
  for (const [name, text] of rows) {
    let sink = 0
    const realtimeJs = best(() => {
      for (let i = 0; i < N; i += 1) {
        const data = JSON.parse(text)[4].data
        sink += Object.keys(convertChangeData(data.columns, data.record)).length
      }
    })
    const ours = best(() => {
      for (let i = 0; i < N; i += 1) {
        const data = JSON.parse(text)[4].data
        const exact = PostgresTypes.exactRecords(text, 'postgres_changes', data)
        sink += Object.keys(PostgresTypes.convertChange(data, {}, exact instanceof Error ? null : exact).new).length
      }
    })
    // As the client's socket parses: each table's columns once (the frame repeats them verbatim).
    const parse = createFrameParser()
    const socketParsed = best(() => {
      for (let i = 0; i < N; i += 1) {
        const data = parse(text)[4].data
        const exact = PostgresTypes.exactRecords(text, 'postgres_changes', data)
        sink += Object.keys(PostgresTypes.convertChange(data, {}, exact instanceof Error ? null : exact).new).length
      }
    })
    const floor = best(() => {
      for (let i = 0; i < N; i += 1) sink += JSON.parse(text)[4].ids.length
    })
    const exact = PostgresTypes.convertChange(JSON.parse(text)[4].data, {}, PostgresTypes.exactRecords(text, 'postgres_changes')).new
    console.log(`  ${name}: JSON.parse alone ${floor.toFixed(2)}, realtime-js ${realtimeJs.toFixed(2)}, PostgresTypes ${ours.toFixed(2)}, with the socket's parser ${socketParsed.toFixed(2)} (id ${JSON.stringify(exact.id)}, price ${JSON.stringify(exact.price)})${sink < 0 ? '' : ''}`)
  }
} finally {
  rmSync(dir, { recursive: true, force: true })
}
