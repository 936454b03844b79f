/**
 * The connection actor's contract: what it accepts, what it tells its parent, what it emits.
 * Shared by machines/connection/connection.machine.ts (which implements it) and machines/client/client.machine.ts
 * (which spawns it), so the two can be written and tested apart.
 */
import type { PhoenixMessage, Vsn } from '../../src/protocol/types.js'
import type { RealtimeError } from '../../src/errors.js'

export type ConnectionStateName = 'connecting' | 'open' | 'closing' | 'closed'

export type HeartbeatStatus = 'sent' | 'ok' | 'error' | 'timeout' | 'disconnected'

/** Lifecycle signals from the platform (browser online/visibility, React Native AppState, …). */
export type LifecycleSignal = 'online' | 'offline' | 'visible' | 'hidden' | 'resume' | 'suspend'

export type ConnectionEvent =
  | { type: 'connect' }
  | { type: 'disconnect'; code?: number; reason?: string }
  /** Send one message: written now when open, else kept in the send buffer (bounded). */
  | { type: 'send'; message: PhoenixMessage }
  | { type: LifecycleSignal }
  /** A token for the next upgrades (null: back to the static token / apikey). */
  | { type: 'setAuth'; token: string | null }

/** What the connection actor tells its parent (the root client actor) through `notifyParent`. */
export type ConnectionNotification =
  | {
      type: 'connection.state'
      old: ConnectionStateName
      new: ConnectionStateName
      /**
       * Added by connection.machine: on a move to `open`, the token resolved for this connection
       * (setAuth token, else the token function's result, else the static `accessToken`, else the apikey),
       * for join payloads. Absent on other moves.
       */
      accessToken?: string
    }
  | { type: 'connection.error'; error: RealtimeError }
  | { type: 'connection.heartbeat'; status: HeartbeatStatus; rttMs?: number }

/** What the connection actor emits (actor.on): the public events of the connection. */
export type ConnectionEmitted =
  | { type: 'connection'; kind: 'state_change'; old: ConnectionStateName; new: ConnectionStateName }
  | { type: 'connection'; kind: 'heartbeat'; status: HeartbeatStatus; rttMs?: number }
  | { type: 'error'; error: RealtimeError }

export interface ConnectionInput {
  vsn: Vsn
  /** Send buffer capacity while not open. @default 100 */
  sendBufferSize?: number
  /** Static token used when the token function fails or is absent; then the apikey. */
  accessToken?: string | null
  apikey: string
  /**
   * Called with every decoded inbound frame that is not a heartbeat reply — the data path. It is a plain
   * function so that a broadcast does not cost a state-machine transition.
   */
  deliver?: (message: PhoenixMessage) => void
  /**
   * Reconnect schedule after an unclean close: an array of base delays in ms (entry n-1 for attempt n,
   * the last one repeats, each jittered ±10 %) or a function of the attempt number (1-based) used as is.
   * @default quick first retry (random 0–250 ms), then 1000, 2000, 5000, 10000, 10000 … ms, each ±10 %
   */
  reconnectDelays?: ReconnectSchedule
  /** Source of randomness for the backoff jitter, in [0, 1). Tests inject a fixed one. @default Math.random */
  random?: () => number
  /** Clock for heartbeat round-trip times, in ms. Tests pass the simulated clock's `now`. @default Date.now */
  now?: () => number
  /** Fresh refs for heartbeats; pass the client's ref counter to share one sequence. @default own counter "1", "2", … */
  makeRef?: () => string
}

/** See `ConnectionInput.reconnectDelays`. */
export type ReconnectSchedule = readonly number[] | ((attempt: number) => number)
