/** Issue 12: binding filters parse as the real server parses them, errors worded as it words them. */
import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { describeSubscription, parseFilter } from '../../src/dev-server/postgres/filters.js'
import { startDevServer } from '../../src/dev-server/index.js'

const parse = suite('postgres_changes filter parsing')

const ACCEPTED: readonly (readonly [string | undefined, readonly (readonly [string, string, string])[]])[] = [
  [undefined, []],
  ['  ', []],
  ['id=eq.1', [['id', 'eq', '1']]],
  ['id=neq.1', [['id', 'neq', '1']]],
  ['n=lt.-2.5', [['n', 'lt', '-2.5']]],
  ['n=lte.3', [['n', 'lte', '3']]],
  ['at=gt.2026-01-01T00:00:00Z', [['at', 'gt', '2026-01-01T00:00:00Z']]],
  ['n=gte.0', [['n', 'gte', '0']]],
  ['id=in.(1,2,3)', [['id', 'in', '{1,2,3}']]],
  ['name=eq.a.b', [['name', 'eq', 'a.b']]],
  ['name=eq.x=y', [['name', 'eq', 'x=y']]],
  ['name=eq."a,b"', [['name', 'eq', 'a,b']]],
  ['name=eq."say \\"hi\\""', [['name', 'eq', 'say "hi"']]],
  ['id=gt.1, id=lt.5', [['id', 'gt', '1'], ['id', 'lt', '5']]],
  ['id=in.(1,2),name=eq.x', [['id', 'in', '{1,2}'], ['name', 'eq', 'x']]],
]

for (const [filter, expected] of ACCEPTED) {
  parse(`accepts ${JSON.stringify(filter)}`, () => {
    const parsed = parseFilter(filter)
    assert.ok(parsed.ok)
    assert.equal(
      parsed.conditions.map((c) => [c.column, c.op, c.value]),
      expected.map((row) => [...row]),
    )
  })
}

const REFUSED: readonly (readonly [string, string])[] = [
  ['id=foo.1', '["foo", "1"]'],
  ['id=like.a%', '["like", "a%"]'],
  ['undefined', '["undefined"]'],
  ['id=eq', '["eq"]'],
  ['id=in.1', '`in` filter value must be wrapped by parentheses'],
  ['id=in.(1', '`in` filter value must be wrapped by parentheses'],
  ['id=eq.1,,id=eq.2', 'filter must not contain empty segments (check for extra commas)'],
  ['id=eq.1,', 'filter must not contain empty segments (check for extra commas)'],
]

for (const [filter, error] of REFUSED) {
  parse(`refuses ${JSON.stringify(filter)} with the server's sentence`, () => {
    assert.equal(parseFilter(filter), { ok: false, error: `Error parsing \`filter\` params: ${error}` })
  })
}

parse('describes a subscription as the server does in "Unable to subscribe"', () => {
  const parsed = parseFilter('id=in.(1,2),name=eq.x')
  assert.ok(parsed.ok)
  assert.is(describeSubscription('*', 'public', 'todos', parsed.conditions), 'event: *, schema: public, table: todos, filters: [{"id", "in", "{1,2}"}, {"name", "eq", "x"}], select: nil')
})

parse.run()

const options = suite('dev-server database options')

options('database: false gives a server whose db calls reject with a clear error', async () => {
  const server = await startDevServer({ database: false })
  try {
    await server.db.query('select 1').then(
      () => assert.unreachable('query resolved'),
      (error: Error) => assert.match(error.message, /no database/),
    )
  } finally {
    await server.close()
  }
})

options('a databaseUrl nobody answers fails startDevServer, naming the URL without its password', async () => {
  await startDevServer({ databaseUrl: 'postgres://someone:secret@127.0.0.1:1/nowhere' }).then(
    () => assert.unreachable('started'),
    (error: Error) => {
      assert.match(error.message, /^cannot read changes with wal2json from postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/nowhere: /)
      assert.not.match(error.message, /secret/)
    },
  )
})

options.run()
