/**
 * Draws a laid-out chart as SVG: states as rounded boxes (compound states contain their children),
 * transitions as arrows with their labels. `highlight` marks the active states without redrawing.
 */
import { svg } from './dom.js'
import { LINE_HEIGHT, type ChartLayout } from './layout.js'

export interface DrawnChart {
  element: SVGSVGElement
  /** Marks exactly the states whose keys are in `active`. */
  highlight(active: ReadonlySet<string>): void
}

export function drawChart(layout: ChartLayout): DrawnChart {
  const root = svg('svg', { class: 'chart', width: Math.ceil(layout.width), height: Math.ceil(layout.height), viewBox: `0 0 ${Math.ceil(layout.width)} ${Math.ceil(layout.height)}` })
  root.append(
    svg('defs', {}, svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' }, svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  )
  const boxes = new Map<string, SVGGElement>()
  // Outer states first, so children are drawn on top of their parent's box.
  for (const node of [...layout.nodes].sort((a, b) => a.state.path.length - b.state.path.length)) {
    const kind = node.state.children.length > 0 ? 'compound' : node.state.type
    const group = svg('g', { class: `state ${kind}`, 'data-state': node.key })
    group.append(svg('rect', { x: node.x, y: node.y, width: node.width, height: node.height, rx: 8, ry: 8 }))
    const isInitial = node.state.path.length > 0 && initialOfParent(layout, node.key)
    const title = (isInitial ? '● ' : '') + (node.state.path.length === 0 ? `${node.state.key}` : node.state.key) + (node.state.type === 'final' ? ' (final)' : '')
    group.append(svg('text', { x: node.x + 10, y: node.y + 16, class: 'state-name' }, title))
    node.lines.forEach((line, i) => group.append(svg('text', { x: node.x + 10, y: node.y + 16 + (i + 1) * LINE_HEIGHT, class: 'state-line' }, line)))
    if (node.state.description) group.append(svg('title', {}, node.state.description))
    boxes.set(node.key, group)
    root.append(group)
  }
  for (const edge of layout.edges) {
    if (edge.points.length < 2) continue
    const d = edge.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ')
    // Dashed when every transition of the arrow is timed (`after`) or eventless (`always`).
    const kinds = new Set(edge.transitions.map((t) => t.kind))
    const kind = kinds.size === 1 ? [...kinds][0]!.replace('.', '-') : 'mixed'
    const group = svg('g', { class: `transition ${kind}`, 'data-source': edge.source, 'data-target': edge.target })
    group.append(svg('path', { d, 'marker-end': 'url(#arrow)' }))
    if (edge.label) {
      const { x, y, width, height, lines } = edge.label
      group.append(svg('rect', { x, y, width, height, class: 'label-bg', rx: 3 }))
      lines.forEach((line, i) => group.append(svg('text', { x: x + 3, y: y + (i + 1) * LINE_HEIGHT - 4, class: 'label' }, line)))
    }
    root.append(group)
  }
  return {
    element: root,
    highlight(active) {
      for (const [key, box] of boxes) box.classList.toggle('active', active.has(key))
    },
  }
}

function initialOfParent(layout: ChartLayout, key: string): boolean {
  const dot = key.lastIndexOf('.')
  const parentKey = dot === -1 ? '' : key.slice(0, dot)
  const own = dot === -1 ? key : key.slice(dot + 1)
  return layout.nodes.find((node) => node.key === parentKey)?.state.initial === own
}
