/**
 * One section per machine (chart): in the sidebar, the filterable list of its live actors with their
 * state; in the main area, the chart of the selected actor with its active states highlighted. Only
 * the selected actor of each machine is drawn, so thousands of channels cost one chart.
 */
import type { ActorInfo, ChartEntry } from '../../src/inspect/messages.js'
import { drawChart, type DrawnChart } from './chart-svg.js'
import { downloadChart } from './download.js'
import { el } from './dom.js'
import { createWorkerElk } from './elk-worker.js'
import { layoutChart } from './layout.js'
import type { Store } from './store.js'
import { activeKeys, displayName, summaryOf, valuePath } from './summary.js'

/** Rows listed per machine; the filter finds the others. */
const MAX_ROWS = 200

const elk = createWorkerElk()

interface GroupView {
  key: string
  side: HTMLElement
  filter: HTMLInputElement
  list: HTMLUListElement
  count: HTMLElement
  figure: HTMLElement
  current: HTMLElement
  actorName: HTMLElement
  path: HTMLElement
  context: HTMLPreElement
  chartBox: HTMLElement
  drawn: DrawnChart | null
  drawing: boolean
}

export class GroupsView {
  readonly #views = new Map<string, GroupView>()

  constructor(
    private readonly store: Store,
    private readonly sidebar: HTMLElement,
    private readonly charts: HTMLElement,
    private readonly requestRender: () => void,
  ) {}

  render(): void {
    for (const [key, sessions] of this.store.groups) {
      const chart = this.store.charts.get(key)
      if (!chart) continue
      const view = this.#views.get(key) ?? this.#create(chart)
      const selected = this.#selected(key, sessions)
      this.#renderList(view, sessions, selected)
      this.#renderChart(view, selected === undefined ? undefined : this.store.actors.get(selected))
    }
    // Machines with no live actor left keep their chart (it can still be exported), greyed out.
    for (const [key, view] of this.#views) {
      const empty = (this.store.groups.get(key)?.size ?? 0) === 0
      view.side.classList.toggle('empty', empty)
      view.figure.classList.toggle('empty', empty)
      if (empty) {
        this.#renderList(view, new Set(), undefined)
        this.#renderChart(view, undefined)
      }
    }
  }

  /** After a `hello`: everything is rebuilt from the new state. */
  reset(): void {
    for (const view of this.#views.values()) {
      view.side.remove()
      view.figure.remove()
    }
    this.#views.clear()
  }

  #selected(key: string, sessions: Set<string>): string | undefined {
    const chosen = this.store.selected.get(key)
    if (chosen !== undefined && sessions.has(chosen)) return chosen
    const first = sessions.values().next().value
    if (first !== undefined) this.store.selected.set(key, first)
    return first
  }

  #create(chart: ChartEntry): GroupView {
    const key = chart.key
    const filter = el('input', { type: 'search', placeholder: 'filter by id or state', 'data-role': 'filter' })
    const list = el('ul', { class: 'actors', 'data-role': 'actors' })
    const count = el('span', { class: 'count' })
    const side = el('section', { class: 'group', 'data-group': key }, el('h3', {}, key, ' ', count), filter, list)
    filter.addEventListener('input', () => this.requestRender())
    list.addEventListener('click', (event) => {
      const row = (event.target as HTMLElement).closest('li[data-session]')
      const session = row?.getAttribute('data-session')
      if (session) {
        this.store.selected.set(key, session)
        this.requestRender()
      }
    })
    const current = el('span', { class: 'current', 'data-role': 'current' })
    const actorName = el('span', { class: 'actor-name', 'data-role': 'actor' })
    const path = el('code', { class: 'value', 'data-role': 'value' })
    const exportButton = el('button', { type: 'button', 'data-role': 'export', title: 'Download this machine as JSON for Stately Studio' }, 'Export JSON')
    exportButton.addEventListener('click', () => {
      const latest = this.store.charts.get(key)
      if (latest) downloadChart(latest)
    })
    const context = el('pre', { class: 'context', 'data-role': 'context' })
    const chartBox = el('div', { class: 'chart-box', title: 'click to zoom' }, 'laying out…')
    // Big charts are scaled to the column; a click shows them at full size (scrollable) and back.
    chartBox.addEventListener('click', () => chartBox.classList.toggle('zoomed'))
    const figure = el(
      'section',
      { class: 'machine', 'data-chart': key },
      el('header', {}, el('h2', {}, key), actorName, current, path, exportButton),
      chartBox,
      el('details', {}, el('summary', {}, 'context (redacted)'), context),
    )
    this.sidebar.append(side)
    this.charts.append(figure)
    const view: GroupView = { key, side, filter, list, count, figure, current, actorName, path, context, chartBox, drawn: null, drawing: false }
    this.#views.set(key, view)
    return view
  }

  #renderList(view: GroupView, sessions: Set<string>, selected: string | undefined): void {
    const query = view.filter.value.trim().toLowerCase()
    const rows: HTMLLIElement[] = []
    let matches = 0
    for (const session of sessions) {
      const actor = this.store.actors.get(session)
      if (!actor) continue
      const summary = summaryOf(actor)
      if (query !== '' && !displayName(actor).toLowerCase().includes(query) && !summary.toLowerCase().includes(query)) continue
      matches += 1
      if (rows.length >= MAX_ROWS) continue
      const attrs: Record<string, string> = { 'data-session': session, 'data-actor-id': actor.id, 'data-summary': summary, class: session === selected ? 'selected' : '' }
      rows.push(el('li', attrs, el('span', { class: 'id' }, displayName(actor)), el('span', { class: `summary s-${cssWord(summary)}` }, summary)))
    }
    if (matches > rows.length) rows.push(el('li', { class: 'more' }, `… ${matches - rows.length} more: refine the filter`))
    view.list.replaceChildren(...rows)
    view.count.textContent = query === '' ? `(${sessions.size})` : `(${matches} of ${sessions.size})`
  }

  #renderChart(view: GroupView, actor: ActorInfo | undefined): void {
    if (view.drawn === null && !view.drawing) {
      view.drawing = true
      const chart = this.store.charts.get(view.key)
      if (chart) {
        layoutChart(chart.model, elk).then(
          (layout) => {
            view.drawn = drawChart(layout)
            view.chartBox.replaceChildren(view.drawn.element)
            this.requestRender()
          },
          (error: unknown) => {
            view.chartBox.textContent = `layout failed: ${error instanceof Error ? error.message : String(error)}`
          },
        )
      }
    }
    const summary = actor ? summaryOf(actor) : 'no live actor'
    view.current.textContent = summary
    view.current.className = `current s-${cssWord(summary)}`
    view.figure.setAttribute('data-summary', summary)
    view.actorName.textContent = actor ? displayName(actor) : ''
    view.path.textContent = actor ? valuePath(actor.value) : ''
    view.context.textContent = actor?.context === undefined ? '' : JSON.stringify(actor.context, null, 2)
    view.drawn?.highlight(actor ? activeKeys(actor.value) : new Set())
  }
}

function cssWord(text: string): string {
  return text.replace(/[^\w-]+/g, '_')
}
