/**
 * The page's copy of what the bridge reported: charts, live actors grouped by chart, and the logs.
 * Bounded: logs keep their last entries only; stopped actors are dropped as the bridge drops them.
 */
import type { ActorInfo, BridgeMessage, ChartEntry, LogEntry } from '../../src/inspect/messages.js'
import { displayName } from './summary.js'

const KEEP = { transitions: 300, events: 400, errors: 200, heartbeats: 40 }
const MAX_NAMES = 20_000

export interface Heartbeat {
  at: number
  status: string
  rttMs?: number
}

export class Store {
  readonly charts = new Map<string, ChartEntry>()
  readonly actors = new Map<string, ActorInfo>()
  /** chart key → sessions of its live actors, in arrival order. */
  readonly groups = new Map<string, Set<string>>()
  /** chart key → the session whose chart is drawn. */
  readonly selected = new Map<string, string>()
  transitions: LogEntry[] = []
  events: LogEntry[] = []
  errors: LogEntry[] = []
  heartbeats: Heartbeat[] = []
  /** Bumped by `hello`: views rebuild from scratch. */
  generation = 0
  #seenSeq = 0
  /** session → names, kept after an actor stops; bounded (the oldest are forgotten). */
  readonly #names = new Map<string, { id: string; label: string }>()

  apply(message: BridgeMessage): void {
    switch (message.type) {
      case 'hello':
        this.#reset()
        for (const chart of message.charts) this.charts.set(chart.key, chart)
        for (const actor of message.actors) this.#putActor(actor)
        for (const entry of message.log) this.#putLog(entry)
        return
      case 'chart':
        this.charts.set(message.chart.key, message.chart)
        return
      case 'actor':
        this.#putActor(message.actor)
        return
      case 'log':
        this.#putLog(message.entry)
        return
    }
  }

  /** The display name of an actor, also after it stopped (log rows outlive their actors). */
  actorLabel(session: string): string {
    return this.#names.get(session)?.label ?? session
  }

  /** The actor's `id` (a channel's topic), also after it stopped. */
  actorId(session: string): string {
    return this.#names.get(session)?.id ?? session
  }

  #reset(): void {
    this.charts.clear()
    this.actors.clear()
    this.groups.clear()
    this.transitions = []
    this.events = []
    this.errors = []
    this.heartbeats = []
    this.#seenSeq = 0
    this.generation += 1
  }

  #putActor(actor: ActorInfo): void {
    const previous = this.actors.get(actor.session)
    this.#names.set(actor.session, { id: actor.id, label: displayName(actor) })
    if (this.#names.size > MAX_NAMES) this.#names.delete(this.#names.keys().next().value!)
    if (actor.status !== 'active') {
      this.actors.delete(actor.session)
      if (previous?.chart !== undefined) this.groups.get(previous.chart)?.delete(actor.session)
      return
    }
    this.actors.set(actor.session, actor)
    if (actor.chart !== undefined) {
      const group = this.groups.get(actor.chart) ?? new Set<string>()
      group.add(actor.session)
      this.groups.set(actor.chart, group)
    }
  }

  #putLog(entry: LogEntry): void {
    if (entry.seq <= this.#seenSeq) return
    this.#seenSeq = entry.seq
    if (entry.kind === 'transition') push(this.transitions, entry, KEEP.transitions)
    else push(this.events, entry, KEEP.events)
    if (entry.kind === 'error') push(this.errors, entry, KEEP.errors)
    const heartbeat = heartbeatOf(entry)
    // The root re-emits its connection's heartbeat: the same outcome from two actors counts once.
    const last = this.heartbeats[this.heartbeats.length - 1]
    const repeat = last !== undefined && heartbeat !== null && last.status === heartbeat.status && last.rttMs === heartbeat.rttMs && heartbeat.at - last.at < 50
    if (heartbeat && !repeat) push(this.heartbeats, heartbeat, KEEP.heartbeats)
  }
}

function push<T>(list: T[], item: T, keep: number): void {
  list.push(item)
  if (list.length > keep) list.splice(0, list.length - keep)
}

/**
 * A heartbeat outcome, from an emitted event that says so (`{ kind: 'heartbeat', status, rttMs? }`,
 * the connection's documented `RealtimeEvent`). Only emitted events count: the same outcome is also
 * told to the parent as an event, and counting both would double every beat.
 */
function heartbeatOf(entry: LogEntry): Heartbeat | null {
  if (entry.kind !== 'emitted') return null
  const payload = entry.payload
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return null
  if (payload['kind'] !== 'heartbeat' || typeof payload['status'] !== 'string') return null
  const heartbeat: Heartbeat = { at: entry.at, status: payload['status'] }
  if (typeof payload['rttMs'] === 'number') heartbeat.rttMs = payload['rttMs']
  return heartbeat
}
