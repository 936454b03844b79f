/**
 * Turns XState inspection events into the bridge's messages and keeps what a page needs when it
 * joins: the charts seen so far, each live actor's last snapshot, and the last log entries. Memory is
 * bounded by the live actors plus a fixed backlog: stopped actors are forgotten at once.
 *
 * Generic: actors are told apart by their snapshot (`snapshot.machine` on machine snapshots, public
 * API) and frames by their Phoenix shape, never by our state or actor names.
 */
import type { AnyStateMachine, InspectionEvent } from 'xstate'
import { chartOf } from './chart-model.js'
import type { ActorInfo, BridgeMessage, ChartEntry, LogEntry, LogKind, StateValueJson } from './messages.js'
import { CONTEXT_LIMITS, EVENT_LIMITS, redact } from './redact.js'
import { RingBuffer } from './ring-buffer.js'

/** The chart events of classified inbound frames (src/lifecycle-frames.ts): upper-case names. */
const CLASSIFIED_FRAME = /^[A-Z][A-Z_]+$/

export interface RecorderOptions {
  /** Log entries kept for pages that connect later. @default 2000 */
  backlog?: number
  /** Actors remembered at most (the oldest are dropped beyond it). @default 50000 */
  maxActors?: number
  /** @default Date.now */
  now?: () => number
}

type Snapshotish = { status?: unknown; value?: unknown; context?: unknown; error?: unknown; machine?: unknown; hasTag?: unknown; tags?: unknown }
type ActorRefish = { sessionId: string; id?: unknown; systemId?: unknown }

/** Frames the log already showed (a registry forwarding a frame to the socket would show it twice). */
const RECENT_FRAMES = 64

export class InspectionRecorder {
  readonly #charts = new Map<string, ChartEntry>()
  /** Machine config object → chart key: `.provide()` keeps the config, so provided copies share a chart. */
  readonly #chartKeys = new WeakMap<object, string>()
  readonly #actors = new Map<string, ActorInfo>()
  readonly #lastJson = new Map<string, string>()
  readonly #log: RingBuffer<LogEntry>
  readonly #recentFrames: string[] = []
  readonly #listeners = new Set<(message: BridgeMessage) => void>()
  readonly #maxActors: number
  readonly #now: () => number
  #seq = 0

  constructor(options: RecorderOptions = {}) {
    this.#log = new RingBuffer(options.backlog ?? 2000)
    this.#maxActors = options.maxActors ?? 50_000
    this.#now = options.now ?? Date.now
  }

  /** Registers `listener` for every message from now on; returns the unsubscribe. */
  subscribe(listener: (message: BridgeMessage) => void): () => void {
    this.#listeners.add(listener)
    return () => void this.#listeners.delete(listener)
  }

  /** The first message for a new page: charts, live actors, backlog. */
  hello(): BridgeMessage {
    return { type: 'hello', at: this.#now(), charts: [...this.#charts.values()], actors: [...this.#actors.values()], log: this.#log.toArray() }
  }

  /** Makes a machine's chart known before any actor of it runs (so a page can draw and export it). */
  addMachine(machine: AnyStateMachine): string {
    const known = this.#chartKeys.get(machine.config)
    if (known !== undefined) return known
    let key = machine.id
    for (let n = 2; this.#charts.has(key); n++) key = `${machine.id}#${n}`
    this.#chartKeys.set(machine.config, key)
    const chart: ChartEntry = { key, model: chartOf(machine) }
    this.#charts.set(key, chart)
    this.#publish({ type: 'chart', chart })
    return key
  }

  /** The XState inspection observer. Never throws: a throwing inspector would stop the client's actors. */
  readonly observe = (event: InspectionEvent): void => {
    try {
      this.#observe(event)
    } catch {
      // The visualizer is a debugging aid: losing one message is better than breaking the client.
    }
  }

  #observe(event: InspectionEvent): void {
    const ref = event.actorRef as ActorRefish
    switch (event.type) {
      case '@xstate.actor':
        // The snapshot follows in its own event; reading it here could run before the actor has one.
        this.#updateActor(ref, event.rootId, undefined)
        return
      case '@xstate.snapshot':
        this.#updateActor(ref, event.rootId, event.snapshot as Snapshotish, event.event.type)
        return
      case '@xstate.event': {
        if (event.event.type === 'xstate.init') return
        const source = event.sourceRef?.sessionId
        this.#logEvent(this.#eventKind(event.event, ref.sessionId, source), ref.sessionId, source, event.event)
        return
      }
      case '@xstate.action': {
        // Emitted events (`emit()`), e.g. heartbeat outcomes: the inspection stream's only view of them.
        const params = event.action.params as { event?: { type?: unknown } } | undefined
        if (event.action.type === 'xstate.emit' && typeof params?.event?.type === 'string') {
          const emitted = params.event as { type: string }
          this.#logEvent(hasError(emitted) ? 'error' : 'emitted', ref.sessionId, undefined, emitted)
        }
        return
      }
      default:
        return
    }
  }

  #updateActor(ref: ActorRefish, root: string, snapshot: Snapshotish | undefined, cause?: string): void {
    const session = ref.sessionId
    const previous = this.#actors.get(session)
    const machine = machineOf(snapshot)
    const info: ActorInfo = {
      session,
      id: typeof ref.id === 'string' ? ref.id : session,
      root,
      status: typeof snapshot?.status === 'string' ? snapshot.status : 'active',
      tags: tagsOf(snapshot),
      at: this.#now(),
    }
    if (typeof ref.systemId === 'string') info.systemId = ref.systemId
    if (machine) {
      info.chart = this.addMachine(machine)
      info.value = redact(snapshot?.value, { depth: 16, maxString: 200, maxItems: 256 }) as StateValueJson
      info.context = redact(snapshot?.context, CONTEXT_LIMITS)
    }
    if (info.status === 'error') info.error = redact(snapshot?.error, EVENT_LIMITS)

    // Only what changed goes out: the root sees a snapshot per event, most of them identical.
    const { at: _at, ...comparable } = info
    const json = JSON.stringify(comparable)
    if (this.#lastJson.get(session) === json) return
    this.#lastJson.set(session, json)

    if (previous?.value !== undefined && info.value !== undefined && JSON.stringify(previous.value) !== JSON.stringify(info.value)) {
      this.#append({ kind: 'transition', actor: session, type: cause ?? '', from: previous.value, to: info.value, tags: info.tags })
    }
    if (info.status === 'error') this.#append({ kind: 'error', actor: session, type: 'actor error', payload: info.error ?? null })

    if (info.status === 'active') {
      this.#actors.set(session, info)
      this.#evictBeyondLimit()
    } else {
      this.#actors.delete(session)
      this.#lastJson.delete(session)
    }
    this.#publish({ type: 'actor', actor: info })
  }

  #evictBeyondLimit(): void {
    if (this.#actors.size <= this.#maxActors) return
    const oldest = this.#actors.keys().next().value
    if (oldest !== undefined) {
      this.#actors.delete(oldest)
      this.#lastJson.delete(oldest)
    }
  }

  /**
   * A Phoenix frame (`{ message: { topic, event } }`) going to an I/O actor is outbound; one from
   * outside the system is inbound, and so is a lifecycle frame the router classified into a chart
   * event (`JOIN_OK`, `REPLY`, `SERVER_CLOSE`…: upper-case, sent from outside the system).
   */
  #eventKind(event: { type: string }, target: string, source: string | undefined): LogKind {
    if (hasError(event)) return 'error'
    if (source === undefined && CLASSIFIED_FRAME.test(event.type)) return 'frame-in'
    const message = (event as { message?: { topic?: unknown; event?: unknown } }).message
    if (typeof message?.topic !== 'string' || typeof message.event !== 'string') return 'event'
    const targetIsMachine = this.#actors.get(target)?.chart !== undefined
    if (!targetIsMachine) return 'frame-out'
    return source === undefined ? 'frame-in' : 'event'
  }

  #logEvent(kind: LogKind, actor: string, source: string | undefined, event: { type: string }): void {
    if (kind === 'frame-out' && this.#seenFrame(event)) return
    const entry: Omit<LogEntry, 'seq' | 'at'> = { kind, actor, type: event.type, payload: redact(event, EVENT_LIMITS) }
    if (source !== undefined) entry.source = source
    this.#append(entry)
  }

  #seenFrame(event: { type: string }): boolean {
    const message = (event as { message?: { topic?: unknown; event?: unknown; ref?: unknown; joinRef?: unknown } }).message
    const key = `${String(message?.topic)}|${String(message?.event)}|${String(message?.ref)}|${String(message?.joinRef)}`
    if (this.#recentFrames.includes(key)) return true
    this.#recentFrames.push(key)
    if (this.#recentFrames.length > RECENT_FRAMES) this.#recentFrames.shift()
    return false
  }

  #append(partial: Omit<LogEntry, 'seq' | 'at'>): void {
    const entry: LogEntry = { seq: ++this.#seq, at: this.#now(), ...partial }
    this.#log.push(entry)
    this.#publish({ type: 'log', entry })
  }

  #publish(message: BridgeMessage): void {
    for (const listener of [...this.#listeners]) listener(message)
  }
}

function machineOf(snapshot: Snapshotish | undefined): AnyStateMachine | undefined {
  const machine = snapshot?.machine as { root?: unknown; config?: unknown; id?: unknown } | undefined
  return machine && typeof machine === 'object' && machine.root && machine.config && typeof machine.id === 'string' ? (machine as AnyStateMachine) : undefined
}

function tagsOf(snapshot: Snapshotish | undefined): string[] {
  return snapshot?.tags instanceof Set ? [...(snapshot.tags as Set<unknown>)].map(String).sort() : []
}

function hasError(event: object): boolean {
  const candidate = event as { type?: unknown; error?: unknown }
  return candidate.error !== undefined || candidate.type === 'error'
}
