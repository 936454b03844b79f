// Issue 14: the JSON the visualizer exports for Stately Studio is the machine — its states and
// transitions, compared with XState's own definition (`machine.toJSON()`) of the original.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMachine, fromPromise, setup, type AnyStateMachine } from 'xstate'
import { channelMachine, clientMachine, connectionMachine } from '../../machines/index.js'
import { chartOf } from '../../src/inspect/chart-model.js'
import { machineConfigOf } from '../../src/inspect/stately-export.js'

/** What a definition says about states and transitions, as sorted strings (ids, names, targets). */
function shapeOf(machine: AnyStateMachine): { states: string[]; transitions: string[] } {
  const states: string[] = []
  const transitions: string[] = []
  type Def = {
    id: string
    type: string
    initial?: { target: string[] }
    tags: string[]
    invoke: Array<{ src: unknown; id: string }>
    states: Record<string, Def>
    transitions: Array<{ source: string; eventType: string; target?: string[]; guard?: unknown; delay?: unknown; reenter: boolean; actions: unknown[] }>
  }
  const visit = (def: Def) => {
    const invoke = def.invoke.map((i) => `${String(typeof i.src === 'string' ? i.src : 'inline')}#${i.id}`).join(',')
    states.push(`${def.id} ${def.type} initial=${(def.initial?.target ?? []).join(',')} tags=${[...def.tags].sort().join(',')} invoke=${invoke}`)
    for (const t of def.transitions) {
      const guard = typeof t.guard === 'string' ? t.guard : (t.guard as { type?: string } | undefined)?.type ?? ''
      const actions = t.actions.map((a) => (typeof a === 'string' ? a : (a as { type: string }).type)).filter((a) => !a.startsWith('xstate.'))
      transitions.push(`${t.source} ${t.eventType} → ${(t.target ?? []).join(',')} guard=${guard} delay=${String(t.delay ?? '')} reenter=${t.reenter} actions=${actions.join(',')}`)
    }
    Object.values(def.states).forEach(visit)
  }
  visit(JSON.parse(JSON.stringify(machine.toJSON())) as Def)
  return { states: states.sort(), transitions: transitions.sort() }
}

/** The exported JSON, as a user would paste it (through a string), turned back into a machine. */
function reimported(machine: AnyStateMachine): AnyStateMachine {
  const json = JSON.stringify(machineConfigOf(chartOf(machine)))
  return createMachine(JSON.parse(json) as Parameters<typeof createMachine>[0])
}

for (const machine of [connectionMachine, channelMachine, clientMachine] as AnyStateMachine[]) {
  test(`the exported ${machine.id} machine has the same states and transitions as the machine`, () => {
    const original = shapeOf(machine)
    const copy = shapeOf(reimported(machine))
    assert.ok(original.transitions.length > 10, 'the comparison covers transitions')
    assert.equal(copy.states, original.states)
    assert.equal(copy.transitions, original.transitions)
  })

  test(`the exported ${machine.id} machine keeps its always transitions (absent from toJSON)`, () => {
    assert.equal(always(reimported(machine)), always(machine))
  })
}

const always = (m: AnyStateMachine) => chartOf(m).transitions.filter((t) => t.kind === 'always')

test('the charts have always transitions for the export to keep', () => {
  assert.ok(always(connectionMachine as AnyStateMachine).length > 0, 'the connection chooses its token with an always transition')
})

test('invoke done/error, after, onDone, custom ids, parallel and final states survive the export', () => {
  const machine = setup({ actors: { job: fromPromise(async () => 1) }, guards: { ok: () => true }, delays: { wait: 10 } }).createMachine({
    id: 'sample',
    initial: 'a',
    states: {
      a: {
        id: 'custom',
        invoke: { src: 'job', id: 'job', onDone: { target: 'b', guard: 'ok' }, onError: 'c' },
        after: { wait: 'b', 500: { target: 'c', reenter: true } },
      },
      b: { type: 'parallel', states: { x: { initial: 'x1', states: { x1: { on: { GO: 'x2' } }, x2: { type: 'final' } } }, y: {} }, onDone: 'c' },
      c: { type: 'final' },
    },
  })
  const copy = reimported(machine)
  assert.equal(shapeOf(copy), shapeOf(machine))
  assert.equal(chartOf(copy), chartOf(machine))
  const config = machineConfigOf(chartOf(machine)) as { states: { a: { id?: string; invoke?: unknown[] } } }
  assert.is(config.states.a.id, 'custom')
  assert.is(config.states.a.invoke?.length, 1)
})

test.run()
