/**
 * A machine's chart as plain JSON data: every state (nested), every transition with its event, delay
 * and guard names. Built by walking `machine.root` (public `StateNode` fields), so it works for any
 * XState v5 machine and changes whenever the machine does — the visualizer draws only from this.
 *
 * Why not `machine.toJSON()`: in xstate 5.33 the definition omits `always` transitions and holds
 * `StateNode` objects and functions; this model is small, has no cycles and goes over a WebSocket as is.
 * Why not `@xstate/graph`'s `toDirectedGraph` (3.0.4): it also leaves out `always` transitions, splits a
 * transition into one edge per target and draws a targetless one as a self-loop, and it would be a
 * runtime dependency of `realtime-xstate/inspect` (the tests use it, for model-based walks).
 */
import type { AnyStateMachine } from 'xstate'

export type ChartStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history'

/** How a transition is triggered; `after`, `always` and the done/error kinds are drawn and exported apart from plain events. */
export type ChartTransitionKind = 'event' | 'after' | 'always' | 'done.state' | 'done.actor' | 'error.actor'

export interface ChartInvoke {
  id: string
  /** The actor's name in `setup({ actors })`, or `inline` for logic given in place. */
  src: string
  systemId?: string
}

export interface ChartState {
  /** Keys from the root (the root's own path is empty); `path.join('.')` is the state's key in this model. */
  path: string[]
  /** The state's own key (the machine id for the root). */
  key: string
  /** XState's id (`machine.state.sub` unless the config gave one): what `#id` targets refer to. */
  id: string
  type: ChartStateType
  /** Only for history states. */
  history?: 'shallow' | 'deep'
  /** Key of the initial child of a compound state. */
  initial?: string
  tags: string[]
  description?: string
  /** Named entry / exit actions (inline built-ins such as the timers `after` adds are left out). */
  entry: string[]
  exit: string[]
  invoke: ChartInvoke[]
  children: ChartState[]
}

export interface ChartTransition {
  /** `path.join('.')` of the source state ('' for the root). */
  source: string
  /** `path.join('.')` of each target; empty for a targetless transition. */
  targets: string[]
  /** XState's event type (`xstate.after.<delay>.<id>` for delays, '' for `always`). */
  event: string
  kind: ChartTransitionKind
  /** The delay's name in `setup({ delays })`, or its value in ms; only for `after`. */
  delay?: string
  /** The guard's name, when there is one (`inline` for a function given in place). */
  guard?: string
  actions: string[]
  reenter: boolean
}

export interface ChartModel {
  /** The machine's id (`createMachine({ id })`). */
  id: string
  root: ChartState
  /** In document order: by source state, then as XState orders them (priority order within one event). */
  transitions: ChartTransition[]
}

// The public `StateNode` and `TransitionDefinition` shapes, reduced to what is read here, so the walk
// does not depend on a machine's generic parameters.
interface NodeLike {
  key: string
  id: string
  path: string[]
  type: ChartStateType
  history: false | 'shallow' | 'deep'
  states: Record<string, NodeLike>
  tags: string[]
  description?: string
  entry: readonly unknown[]
  exit: readonly unknown[]
  invoke: ReadonlyArray<{ id: string; src: unknown; systemId?: string | undefined }>
  initial?: { target: ReadonlyArray<{ key: string }> } | undefined
  transitions: Map<string, readonly TransitionLike[]>
  always?: readonly TransitionLike[] | undefined
}

interface TransitionLike {
  eventType: string
  target?: ReadonlyArray<{ path: string[] }> | undefined
  guard?: unknown
  actions: readonly unknown[]
  reenter: boolean
  delay?: unknown
}

/** The chart of `machine`: its states and transitions as JSON data. */
export function chartOf(machine: AnyStateMachine): ChartModel {
  const root = machine.root as unknown as NodeLike
  const transitions: ChartTransition[] = []
  return { id: machine.id, root: stateOf(root, transitions), transitions }
}

function stateOf(node: NodeLike, transitions: ChartTransition[]): ChartState {
  const state: ChartState = {
    path: [...node.path],
    key: node.key,
    id: node.id,
    type: node.type,
    tags: [...node.tags],
    entry: actionNames(node.entry),
    exit: actionNames(node.exit),
    invoke: node.invoke.map(invokeOf),
    children: [],
  }
  if (node.type === 'history' && node.history !== false) state.history = node.history
  if (node.description !== undefined) state.description = node.description
  // `initial` is defined for every node in 5.33 (an empty target list for atomic states).
  const initialKey = node.type === 'compound' ? node.initial?.target[0]?.key : undefined
  if (initialKey !== undefined) state.initial = initialKey
  const source = node.path.join('.')
  for (const list of node.transitions.values()) for (const t of list) transitions.push(transitionOf(source, t))
  for (const t of node.always ?? []) transitions.push(transitionOf(source, t))
  state.children = Object.values(node.states).map((child) => stateOf(child, transitions))
  return state
}

function transitionOf(source: string, t: TransitionLike): ChartTransition {
  const transition: ChartTransition = {
    source,
    targets: (t.target ?? []).map((target) => target.path.join('.')),
    event: t.eventType,
    kind: kindOf(t.eventType),
    actions: actionNames(t.actions),
    reenter: t.reenter,
  }
  if (t.delay !== undefined) transition.delay = typeof t.delay === 'function' ? 'inline' : String(t.delay)
  const guard = guardName(t.guard)
  if (guard !== undefined) transition.guard = guard
  return transition
}

function kindOf(event: string): ChartTransitionKind {
  if (event === '') return 'always'
  if (event.startsWith('xstate.after.')) return 'after'
  if (event.startsWith('xstate.done.state.')) return 'done.state'
  if (event.startsWith('xstate.done.actor.')) return 'done.actor'
  if (event.startsWith('xstate.error.actor.')) return 'error.actor'
  return 'event'
}

function invokeOf(invoke: { id: string; src: unknown; systemId?: string | undefined }): ChartInvoke {
  const result: ChartInvoke = { id: invoke.id, src: typeof invoke.src === 'string' ? invoke.src : 'inline' }
  if (invoke.systemId !== undefined) result.systemId = invoke.systemId
  return result
}

/** A guard's name: `'name'`, `{ type: 'name', params }`, or a function (inline: not representable by name). */
function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined
  if (typeof guard === 'string') return guard
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') return (guard as { type: string }).type
  return 'inline'
}

/**
 * Names of the named actions. Built-in action objects (`xstate.raise`, `xstate.cancel`, `xstate.assign`
 * given inline) are left out: `after` adds a raise and a cancel to every timed state, and an inline
 * built-in has no name Stately or a reader could use.
 */
function actionNames(actions: readonly unknown[]): string[] {
  const names: string[] = []
  for (const action of actions) {
    const type = typeof action === 'string' ? action : (action as { type?: unknown } | null)?.type
    if (typeof type === 'string' && !type.startsWith('xstate.')) names.push(type)
  }
  return names
}

/** Every state of the chart, root first, depth first. */
export function statesOf(model: ChartModel): ChartState[] {
  const all: ChartState[] = []
  const visit = (state: ChartState) => {
    all.push(state)
    state.children.forEach(visit)
  }
  visit(model.root)
  return all
}

/** The key of a state in this model (`path.join('.')`). */
export function stateKey(state: Pick<ChartState, 'path'>): string {
  return state.path.join('.')
}
