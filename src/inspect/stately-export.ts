/**
 * A chart as an XState machine config (`createMachine(config)`): the JSON the visualizer downloads
 * and Stately Studio imports ("Import" → paste, or `createMachine(<json>)` in a file). Only names
 * survive (actions, guards, delays, actors), which is all a chart shows (xstate-notes §1, §11).
 * Pure data in, pure data out: the page and the tests both use it.
 */
import { stateKey, type ChartModel, type ChartState, type ChartTransition } from './chart-model.js'

/** A JSON value (what `JSON.stringify` keeps). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json }

export type TransitionConfigJson = { target?: string[]; guard?: string; actions?: string[]; reenter?: true }
export type StateConfigJson = { [key: string]: Json }

/** The machine config of `model`, every target written `#<state id>` so it resolves from anywhere. */
export function machineConfigOf(model: ChartModel): StateConfigJson {
  const byId = new Map<string, ChartState>()
  const index = (state: ChartState) => {
    byId.set(stateKey(state), state)
    state.children.forEach(index)
  }
  index(model.root)
  const bySource = new Map<string, ChartTransition[]>()
  for (const t of model.transitions) {
    const list = bySource.get(t.source) ?? []
    list.push(t)
    bySource.set(t.source, list)
  }
  const config = stateConfigOf(model.root, byId, bySource, model.id)
  return { id: model.id, ...config }
}

function stateConfigOf(state: ChartState, byKey: Map<string, ChartState>, bySource: Map<string, ChartTransition[]>, machineId: string): StateConfigJson {
  const config: StateConfigJson = {}
  // A custom id (one that is not the default `machine.path`) must be kept: targets use it.
  const defaultId = [machineId, ...state.path].join('.')
  if (state.path.length > 0 && state.id !== defaultId) config['id'] = state.id
  if (state.type === 'parallel' || state.type === 'final') config['type'] = state.type
  if (state.type === 'history') {
    config['type'] = 'history'
    config['history'] = state.history ?? 'shallow'
  }
  if (state.initial !== undefined) config['initial'] = state.initial
  if (state.description !== undefined) config['description'] = state.description
  if (state.tags.length > 0) config['tags'] = [...state.tags]
  if (state.entry.length > 0) config['entry'] = [...state.entry]
  if (state.exit.length > 0) config['exit'] = [...state.exit]

  const on: { [event: string]: Json } = {}
  const after: { [delay: string]: Json } = {}
  const always: Json[] = []
  const onDone: Json[] = []
  const invokeDone = new Map<string, Json[]>()
  const invokeError = new Map<string, Json[]>()
  const invokeIds = new Set(state.invoke.map((invoke) => invoke.id))
  for (const t of bySource.get(stateKey(state)) ?? []) {
    const json = transitionJson(t, byKey)
    const actorId = t.event.replace(/^xstate\.(done|error)\.actor\./, '')
    if (t.kind === 'always') always.push(json)
    else if (t.kind === 'after' && t.delay !== undefined) pushTo(after, t.delay, json)
    else if (t.kind === 'done.state' && t.event === `xstate.done.state.${state.id}`) onDone.push(json)
    else if (t.kind === 'done.actor' && invokeIds.has(actorId)) pushMap(invokeDone, actorId, json)
    else if (t.kind === 'error.actor' && invokeIds.has(actorId)) pushMap(invokeError, actorId, json)
    else pushTo(on, t.event, json)
  }
  if (state.invoke.length > 0) {
    config['invoke'] = state.invoke.map((invoke) => {
      const json: { [key: string]: Json } = { src: invoke.src, id: invoke.id }
      if (invoke.systemId !== undefined) json['systemId'] = invoke.systemId
      const done = invokeDone.get(invoke.id)
      const error = invokeError.get(invoke.id)
      if (done) json['onDone'] = done
      if (error) json['onError'] = error
      return json
    })
  }
  if (Object.keys(on).length > 0) config['on'] = on
  if (Object.keys(after).length > 0) config['after'] = after
  if (always.length > 0) config['always'] = always
  if (onDone.length > 0) config['onDone'] = onDone
  if (state.children.length > 0) {
    const states: { [key: string]: Json } = {}
    for (const child of state.children) states[child.key] = stateConfigOf(child, byKey, bySource, machineId)
    config['states'] = states
  }
  return config
}

function transitionJson(t: ChartTransition, byKey: Map<string, ChartState>): TransitionConfigJson & { [key: string]: Json } {
  const json: TransitionConfigJson & { [key: string]: Json } = {}
  if (t.targets.length > 0) json.target = t.targets.map((key) => `#${byKey.get(key)?.id ?? key}`)
  if (t.guard !== undefined) json.guard = t.guard
  if (t.actions.length > 0) json.actions = [...t.actions]
  if (t.reenter) json.reenter = true
  return json
}

function pushTo(record: { [key: string]: Json }, key: string, json: Json): void {
  const list = record[key]
  if (Array.isArray(list)) list.push(json)
  else record[key] = [json]
}

function pushMap(map: Map<string, Json[]>, key: string, json: Json): void {
  const list = map.get(key) ?? []
  list.push(json)
  map.set(key, list)
}
