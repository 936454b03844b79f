// Issue 14: the drawing comes from the machine definition itself — change the machine and the
// drawing changes (no hand-drawn pictures).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createMachine, type AnyStateMachine } from 'xstate'
import { connectionMachine } from '../../machines/index.js'
import { chartOf, statesOf } from '../../src/inspect/chart-model.js'
import { createElk } from '../../visualizer/src/elk-in-thread.js'
import { elkGraphOf, layoutChart, transitionLabel } from '../../visualizer/src/layout.js'
import type { ElkNode } from 'elkjs/lib/elk-api.js'

const elk = createElk()

function countNodes(node: ElkNode): number {
  return (node.children ?? []).reduce((sum, child) => sum + 1 + countNodes(child), 0)
}

/** The connection machine's config with one more top-level state, `extra`, reached from `closed` on `poke`. */
function withExtraState(): AnyStateMachine {
  const config = connectionMachine.config as { states: Record<string, { on?: Record<string, unknown> }> }
  const closed = config.states['closed']!
  return createMachine({
    ...(connectionMachine.config as object),
    states: { ...config.states, closed: { ...closed, on: { ...closed.on, poke: 'extra' } }, extra: { on: { back: 'closed' } } },
  } as Parameters<typeof createMachine>[0])
}

test('a machine with one more state gives one more node, in the model, the ELK graph and the laid-out drawing', async () => {
  const before = chartOf(connectionMachine)
  const after = chartOf(withExtraState())
  assert.is(statesOf(after).length, statesOf(before).length + 1)
  assert.is(countNodes(elkGraphOf(after)), countNodes(elkGraphOf(before)) + 1)
  const [laidBefore, laidAfter] = await Promise.all([layoutChart(before, elk), layoutChart(after, elk)])
  assert.is(laidAfter.nodes.length, laidBefore.nodes.length + 1)
  assert.is(laidAfter.edges.length, laidBefore.edges.length + 2, 'poke and back are two more arrows')
  const extra = laidAfter.nodes.find((node) => node.key === 'extra')
  assert.ok(extra && extra.width > 0 && extra.height > 0, 'the new state is placed')
  const poke = laidAfter.edges.find((edge) => edge.transitions.some((t) => t.event === 'poke'))
  assert.is(poke?.target, 'extra')
  assert.equal(poke?.label?.lines, ['poke'])
  assert.ok((poke?.points.length ?? 0) >= 2, 'the new transition is routed')
})

test('every state of the connection machine is a node, nested states inside their parent', async () => {
  const model = chartOf(connectionMachine)
  const layout = await layoutChart(model, elk)
  assert.equal(layout.nodes.map((node) => node.key).sort(), statesOf(model).map((state) => state.path.join('.')).sort())
  const box = (key: string) => layout.nodes.find((node) => node.key === key)!
  const inside = (child: string, parent: string) => {
    const c = box(child)
    const p = box(parent)
    return c.x >= p.x && c.y >= p.y && c.x + c.width <= p.x + p.width && c.y + c.height <= p.y + p.height
  }
  assert.ok(inside('socket.open.heartbeat.idle', 'socket.open'))
  assert.ok(inside('socket.open', 'socket'))
  assert.ok(inside('retrying.waiting', 'retrying'))
})

test('labels name events, delays and guards as the machine does', () => {
  const labels = chartOf(connectionMachine).transitions.map(transitionLabel)
  assert.ok(labels.includes('after heartbeatInterval'), 'named delay')
  assert.ok(labels.includes('after reconnectDelay'), 'named delay')
  assert.ok(labels.includes('always [hasManualToken]'), 'always with its guard')
  assert.ok(labels.includes('socket.heartbeatReply [isPendingHeartbeat]'), 'event with its guard')
  assert.ok(labels.includes('done: accessToken [isToken]'), 'invoke done with its guard')
})

test.run()
