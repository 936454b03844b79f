/**
 * What the inspection bridge sends the visualizer page over its WebSocket (one JSON text frame per
 * batch). The page only reads; it never sends anything that reaches the client.
 */
import type { ChartModel } from './chart-model.js'
import type { Json } from './stately-export.js'

/** A state value as XState gives it: a key, or nested keys for compound and parallel states. */
export type StateValueJson = string | { [key: string]: StateValueJson }

/** A machine the page can draw; `key` is the machine id, suffixed when two different machines share one. */
export interface ChartEntry {
  key: string
  model: ChartModel
}

/** One actor of an inspected system, as of its last snapshot. */
export interface ActorInfo {
  /** `actorRef.sessionId`: unique in the process. */
  session: string
  /** `actorRef.id`: unique among its siblings (a channel actor's id is its topic). */
  id: string
  systemId?: string
  /** The session of the system's root actor (one per client). */
  root: string
  /** The chart key of a machine actor; absent for other logic (callbacks, promises). */
  chart?: string
  value?: StateValueJson
  /** `active | done | error | stopped`. */
  status: string
  tags: string[]
  /** The context, redacted and summarised. */
  context?: Json
  /** Set when status is `error`. */
  error?: Json
  /** When this snapshot arrived (ms since epoch). */
  at: number
}

export type LogKind = 'event' | 'frame-in' | 'frame-out' | 'emitted' | 'transition' | 'error'

export interface LogEntry {
  /** Increasing per bridge, so a page can tell a backlog entry from a live one it already has. */
  seq: number
  at: number
  kind: LogKind
  /** The session of the actor the entry is about (the receiver of an event). */
  actor: string
  /** The sender's session, when XState knows it. */
  source?: string
  /** The event's type (for a transition, the event that caused it). */
  type: string
  payload?: Json
  /** Transitions: the state value before and after. */
  from?: StateValueJson
  to?: StateValueJson
  /** Transitions: the tags of the state entered. */
  tags?: string[]
}

export type BridgeMessage =
  /** First message on every page connection: everything known now, then live messages follow. */
  | { type: 'hello'; at: number; charts: ChartEntry[]; actors: ActorInfo[]; log: LogEntry[] }
  | { type: 'chart'; chart: ChartEntry }
  | { type: 'actor'; actor: ActorInfo }
  | { type: 'log'; entry: LogEntry }

/** The URL path of the bridge's WebSocket. */
export const BRIDGE_SOCKET_PATH = '/inspect'
