// Issue 14: what the bridge remembers for a page that opens late is bounded: the last log entries and
// the live actors only.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, createMachine, type InspectionEvent } from 'xstate'
import { InspectionRecorder } from '../../src/inspect/recorder.js'

const toggle = createMachine({ id: 'toggle', initial: 'off', states: { off: { on: { flip: 'on' } }, on: { on: { flip: 'off' } } } })

test('a late page gets the charts, the live actors in their current state, and only the last log entries', () => {
  const recorder = new InspectionRecorder({ backlog: 5 })
  const actor = createActor(toggle, { inspect: recorder.observe }).start()
  for (let i = 0; i < 21; i++) actor.send({ type: 'flip' })
  const hello = recorder.hello()
  assert.ok(hello.type === 'hello')
  if (hello.type !== 'hello') return
  assert.equal(hello.charts.map((chart) => chart.key), ['toggle'])
  assert.is(hello.actors.length, 1)
  assert.is(hello.actors[0]?.value, 'on')
  assert.is(hello.log.length, 5, 'the backlog is capped')
  assert.equal(hello.log.map((entry) => entry.seq), [...hello.log.map((entry) => entry.seq)].sort((a, b) => a - b), 'oldest first')
  const transitions = hello.log.filter((entry) => entry.kind === 'transition')
  assert.ok(transitions.length > 0 && transitions.every((entry) => entry.type === 'flip'))
  actor.stop()
  const after = recorder.hello()
  assert.ok(after.type === 'hello' && after.actors.length === 0, 'a stopped actor is forgotten')
})

test('two machines with the same id get two charts; provided copies of one machine share one', () => {
  const recorder = new InspectionRecorder()
  const other = createMachine({ id: 'toggle', initial: 'a', states: { a: {} } })
  assert.is(recorder.addMachine(toggle), 'toggle')
  assert.is(recorder.addMachine(toggle.provide({})), 'toggle')
  assert.is(recorder.addMachine(other), 'toggle#2')
})

test('the observer never throws, whatever it is given (a throwing inspector would stop the client)', () => {
  const recorder = new InspectionRecorder()
  const messages: unknown[] = []
  recorder.subscribe((message) => messages.push(message))
  const broken = { type: '@xstate.snapshot', rootId: 'x', actorRef: null, snapshot: null, event: null } as unknown as InspectionEvent
  recorder.observe(broken)
  assert.is(messages.length, 0, 'nothing usable, nothing sent')
  const trap = { type: 'e', get boom(): never { throw new Error('getter') } }
  recorder.observe({ type: '@xstate.event', rootId: 'x', actorRef: { sessionId: 'x' }, sourceRef: undefined, event: trap } as unknown as InspectionEvent)
  assert.equal(messages, [{ type: 'log', entry: { seq: 1, at: (messages[0] as { entry: { at: number } }).entry.at, kind: 'event', actor: 'x', type: 'e', payload: '[unreadable]' } }])
})

test.run()
