/**
 * The connection actor's contract: what it accepts, what it tells its parent, what it emits.
 * Shared by machines/connection.machine.ts (which implements it) and machines/client.machine.ts
 * (which spawns it), so the two can be written and tested apart.
 */
import type { PhoenixMessage, Vsn } from '../src/protocol/types.js'
import type { RealtimeError } from '../src/errors.js'

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
  | { type: 'connection.state'; old: ConnectionStateName; new: ConnectionStateName }
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
}
