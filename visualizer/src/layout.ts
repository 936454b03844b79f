/**
 * Lays a chart out with ELK (the layered algorithm, as Stately's tools do): every state is a node,
 * compound states contain their children, each transition with a target is an edge labelled with
 * its event (or `after <delay>`, `always`, …) and guard. Targetless transitions are listed inside
 * their state. Pure: the same model always gives the same drawing, in the page and in Node tests.
 */
import type { ELK, ElkExtendedEdge, ElkLabel, ElkNode } from 'elkjs/lib/elk-api.js'
import { stateKey, statesOf, type ChartModel, type ChartState, type ChartTransition } from '../../src/inspect/chart-model.js'

/** Monospace text: a width is a character count, the same in Node and in every browser. */
export const CHAR_WIDTH = 7.2
export const LINE_HEIGHT = 16
const PAD = 10
const HEADER = 22

export interface LaidNode {
  key: string
  state: ChartState
  /** Absolute position in the drawing. */
  x: number
  y: number
  width: number
  height: number
  /** Lines listed inside the state, under its name: tags, invocations, targetless transitions. */
  lines: string[]
}

/** One arrow per source → target pair; all the transitions between them share it, one label line each. */
export interface LaidEdge {
  source: string
  target: string
  transitions: ChartTransition[]
  points: Array<{ x: number; y: number }>
  label: { lines: string[]; x: number; y: number; width: number; height: number } | null
}

export interface ChartLayout {
  width: number
  height: number
  nodes: LaidNode[]
  edges: LaidEdge[]
}

/** Text of a transition's label: its trigger, then its guard in brackets. */
export function transitionLabel(t: ChartTransition): string {
  const guard = t.guard === undefined ? '' : ` [${t.guard}]`
  return `${triggerOf(t)}${guard}`
}

function triggerOf(t: ChartTransition): string {
  switch (t.kind) {
    case 'after':
      return `after ${t.delay ?? '?'}`
    case 'always':
      return 'always'
    case 'done.state':
      return 'done'
    case 'done.actor':
      return `done: ${t.event.slice('xstate.done.actor.'.length)}`
    case 'error.actor':
      return `error: ${t.event.slice('xstate.error.actor.'.length)}`
    default:
      return t.event
  }
}

/** What a state lists inside its box. */
export function stateLines(state: ChartState, transitions: readonly ChartTransition[]): string[] {
  const lines: string[] = []
  if (state.tags.length > 0) lines.push(`tags: ${state.tags.join(', ')}`)
  for (const invoke of state.invoke) lines.push(`invoke ${invoke.src}`)
  const own = stateKey(state)
  // Targetless transitions (actions only) stay inside the state; one line per distinct label, and a
  // long list is cut so a root that handles many bookkeeping events does not dwarf its states.
  const labels = [...new Set(transitions.filter((t) => t.source === own && t.targets.length === 0).map(transitionLabel))]
  const shown = labels.slice(0, MAX_TARGETLESS_LINES)
  for (const label of shown) lines.push(`↺ ${label}`)
  if (labels.length > shown.length) lines.push(`↺ … ${labels.length - shown.length} more (in the export)`)
  return lines
}

const MAX_TARGETLESS_LINES = 8

function textWidth(text: string): number {
  return Math.ceil(text.length * CHAR_WIDTH)
}

/** ELK ids must be unique and non-empty; the root's key is ''. */
export function nodeId(key: string): string {
  return `s:${key}`
}

/** The ELK graph of a chart (exported for tests: one node per state). */
export function elkGraphOf(model: ChartModel): ElkNode {
  const edges: ElkExtendedEdge[] = edgeGroupsOf(model).map((group, index) => {
    const lines = group.lines
    const labels: ElkLabel[] = [{ text: lines.join('\n'), width: Math.max(...lines.map(textWidth)) + 6, height: lines.length * LINE_HEIGHT }]
    return { id: `e:${index}`, sources: [nodeId(group.source)], targets: [nodeId(group.target)], labels }
  })
  const nodeOf = (state: ChartState): ElkNode => {
    const lines = stateLines(state, model.transitions)
    const title = state.path.length === 0 ? model.id : state.key
    const width = Math.max(textWidth(title) + 2 * PAD + 12, ...lines.map((line) => textWidth(line) + 2 * PAD), 80)
    const top = HEADER + lines.length * LINE_HEIGHT + PAD
    const node: ElkNode = { id: nodeId(stateKey(state)), labels: [{ text: title }] }
    if (state.children.length === 0) {
      node.width = width
      node.height = top
    } else {
      node.children = state.children.map(nodeOf)
      node.layoutOptions = { 'elk.padding': `[top=${top},left=${PAD},bottom=${PAD},right=${PAD}]`, 'elk.nodeSize.minimum': `(${width}, ${top + PAD})` }
      node.layoutOptions['elk.nodeSize.constraints'] = 'MINIMUM_SIZE'
    }
    return node
  }
  return {
    id: 'chart',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'DOWN',
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.edgeRouting': 'POLYLINE',
      'elk.edgeLabels.inline': 'false',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeLabel': '2',
      'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
      'elk.padding': '[top=8,left=8,bottom=8,right=8]',
    },
    children: [nodeOf(model.root)],
    edges,
  }
}

interface EdgeGroup {
  source: string
  target: string
  transitions: ChartTransition[]
  lines: string[]
}

/** Transitions grouped by source → target, in model order; a label line per distinct label. */
export function edgeGroupsOf(model: ChartModel): EdgeGroup[] {
  const groups = new Map<string, EdgeGroup>()
  for (const t of model.transitions) {
    for (const target of t.targets) {
      const key = `${t.source}\u0000${target}`
      const group = groups.get(key) ?? { source: t.source, target, transitions: [], lines: [] }
      group.transitions.push(t)
      const label = transitionLabel(t)
      if (!group.lines.includes(label)) group.lines.push(label)
      groups.set(key, group)
    }
  }
  return [...groups.values()]
}

/** Runs ELK and returns absolute positions for every state and transition. */
export async function layoutChart(model: ChartModel, elk: ELK): Promise<ChartLayout> {
  const graph = await elk.layout(elkGraphOf(model))
  const states = new Map(statesOf(model).map((state) => [nodeId(stateKey(state)), state]))
  const offsets = new Map<string, { x: number; y: number }>([['chart', { x: 0, y: 0 }]])
  const nodes: LaidNode[] = []
  const visit = (node: ElkNode, ox: number, oy: number) => {
    const x = ox + (node.x ?? 0)
    const y = oy + (node.y ?? 0)
    offsets.set(node.id, { x, y })
    const state = states.get(node.id)
    if (state) nodes.push({ key: stateKey(state), state, x, y, width: node.width ?? 0, height: node.height ?? 0, lines: stateLines(state, model.transitions) })
    for (const child of node.children ?? []) visit(child, x, y)
  }
  for (const child of graph.children ?? []) visit(child, 0, 0)

  const groups = edgeGroupsOf(model)
  const edges: LaidEdge[] = []
  const collect = (node: ElkNode) => {
    for (const edge of node.edges ?? []) edges.push(laidEdge(groups, edge, offsets))
    for (const child of node.children ?? []) collect(child)
  }
  collect(graph)
  return { width: graph.width ?? 0, height: graph.height ?? 0, nodes, edges }
}

function laidEdge(groups: EdgeGroup[], edge: ElkExtendedEdge, offsets: Map<string, { x: number; y: number }>): LaidEdge {
  const group = groups[Number(edge.id.slice(2))]!
  // ELK gives edge coordinates relative to the edge's container (the lowest common ancestor).
  const origin = offsets.get(edge.container ?? 'chart') ?? { x: 0, y: 0 }
  const points: Array<{ x: number; y: number }> = []
  for (const section of edge.sections ?? []) {
    for (const p of [section.startPoint, ...(section.bendPoints ?? []), section.endPoint]) points.push({ x: p.x + origin.x, y: p.y + origin.y })
  }
  const label = edge.labels?.[0]
  return {
    source: group.source,
    target: group.target,
    transitions: group.transitions,
    points,
    label: label ? { lines: group.lines, x: (label.x ?? 0) + origin.x, y: (label.y ?? 0) + origin.y, width: label.width ?? 0, height: label.height ?? 0 } : null,
  }
}
