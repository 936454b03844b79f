/**
 * Heartbeat round trips (from the connection's emitted `heartbeat` events) and reconnect attempts
 * (the `attempt` field of any actor's context that has one: our connection counts them there).
 */
import { el } from './dom.js'
import type { Store } from './store.js'
import { displayName } from './summary.js'

export class MetricsView {
  constructor(
    private readonly store: Store,
    private readonly box: HTMLElement,
  ) {}

  render(): void {
    const beats = this.store.heartbeats
    const rtts = beats.flatMap((beat) => (beat.rttMs === undefined ? [] : [beat.rttMs]))
    const last = rtts[rtts.length - 1]
    const rows: HTMLElement[] = [
      row('heartbeat rtt', last === undefined ? '–' : `${last} ms`, 'rtt'),
      row('rtt min/avg/max', rtts.length === 0 ? '–' : `${Math.min(...rtts)} / ${Math.round(rtts.reduce((a, b) => a + b, 0) / rtts.length)} / ${Math.max(...rtts)} ms`, 'rtt-stats'),
      row('last heartbeats', beats.slice(-8).map((beat) => beat.status).join(' ') || '–', 'beats'),
    ]
    for (const actor of this.store.actors.values()) {
      const context = actor.context
      if (context === null || typeof context !== 'object' || Array.isArray(context)) continue
      const attempt = context['attempt']
      if (typeof attempt === 'number') rows.push(row(`reconnect attempt (${displayName(actor)})`, String(attempt), 'attempt'))
    }
    this.box.replaceChildren(...rows)
  }
}

function row(label: string, value: string, role: string): HTMLElement {
  return el('div', { class: 'metric', 'data-metric': role }, el('span', { class: 'label' }, label), el('span', { class: 'value' }, value))
}
