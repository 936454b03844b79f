/**
 * The right-hand column: recent transitions with timestamps, the event log (frames in and out,
 * events, emitted events; payloads already truncated and redacted by the bridge) and errors.
 */
import type { LogEntry } from '../../src/inspect/messages.js'
import { clock, el } from './dom.js'
import type { Store } from './store.js'
import { summaryOf, valuePath } from './summary.js'

/** Rows shown per list, newest first. */
const SHOWN = 120

const ARROWS: Record<LogEntry['kind'], string> = {
  'frame-in': '⇠ in',
  'frame-out': '⇢ out',
  event: 'event',
  emitted: 'emit',
  transition: '→',
  error: 'error',
}

export class LogView {
  constructor(
    private readonly store: Store,
    private readonly transitions: HTMLElement,
    private readonly events: HTMLElement,
    private readonly errors: HTMLElement,
    private readonly kindFilter: HTMLSelectElement,
  ) {}

  render(): void {
    this.transitions.replaceChildren(...newest(this.store.transitions).map((entry) => this.#transitionRow(entry)))
    const kind = this.kindFilter.value
    const events = kind === 'all' ? this.store.events : this.store.events.filter((entry) => entry.kind === kind)
    this.events.replaceChildren(...newest(events).map((entry) => this.#eventRow(entry)))
    this.errors.replaceChildren(...newest(this.store.errors).map((entry) => this.#eventRow(entry)))
  }

  #transitionRow(entry: LogEntry): HTMLLIElement {
    const actorId = this.store.actorId(entry.actor)
    const to = entry.to === undefined ? '' : summaryOf({ value: entry.to, tags: entry.tags ?? [], status: 'active' })
    return el(
      'li',
      { 'data-seq': String(entry.seq), 'data-actor-id': actorId, 'data-to': valuePath(entry.to), 'data-to-summary': to },
      el('time', {}, clock(entry.at)),
      el('span', { class: 'who' }, this.store.actorLabel(entry.actor)),
      el('span', { class: 'path' }, `${valuePath(entry.from)} → ${valuePath(entry.to)}`),
      el('span', { class: 'cause' }, entry.type),
    )
  }

  #eventRow(entry: LogEntry): HTMLLIElement {
    const payload = entry.payload === undefined ? '' : JSON.stringify(entry.payload)
    const source = entry.source === undefined ? '' : `${this.store.actorLabel(entry.source)} → `
    return el(
      'li',
      { 'data-seq': String(entry.seq), 'data-kind': entry.kind, class: `k-${entry.kind}` },
      el('time', {}, clock(entry.at)),
      el('span', { class: 'kind' }, ARROWS[entry.kind]),
      el('span', { class: 'who' }, `${source}${this.store.actorLabel(entry.actor)}`),
      el('span', { class: 'type' }, entry.type),
      el('code', { class: 'payload', title: payload }, payload.length > 240 ? `${payload.slice(0, 240)}…` : payload),
    )
  }
}

function newest<T>(list: readonly T[]): T[] {
  return list.slice(-SHOWN).reverse()
}
