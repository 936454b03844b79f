/**
 * The inbound data path. The connection actor calls `deliver(message)` for every decoded frame; the
 * router finds the channel by topic (one Map lookup), drops frames of a stale join, hands lifecycle
 * frames (replies, close, error, system) to the channel actor as events, and calls broadcast listeners
 * directly — a broadcast costs a snapshot read, not a state-machine transition (xstate-notes §11b).
 */
import type { ChannelActorRef } from '../machines/channel/channel.machine.js'
import type { BroadcastPayload, PhoenixMessage } from './protocol/types.js'

/** What the router needs from a channel (RealtimeChannel implements it). */
export interface RouteTarget {
  /** The channel actor of the current incarnation of the topic. */
  readonly actorRef: ChannelActorRef | null
  /** A broadcast on a joined channel. */
  dispatchBroadcast(payload: BroadcastPayload): void
  /** Any other data frame (presence, postgres_changes, …); extension point for those features. */
  dispatchFrame(message: PhoenixMessage): void
}

/** Frames that change a channel's lifecycle, and therefore go through its statechart. */
const LIFECYCLE_EVENTS = new Set(['phx_reply', 'phx_close', 'phx_error', 'system'])

export interface RouterStats {
  delivered: number
  /** Frames of a join that is no longer the channel's current one. */
  stale: number
  /** Frames for a topic without a channel (e.g. late frames of a removed channel). */
  unrouted: number
  /** Broadcasts that arrived while the channel was not joined. */
  notJoined: number
}

export class Router {
  private readonly routes = new Map<string, RouteTarget>()
  readonly stats: RouterStats = { delivered: 0, stale: 0, unrouted: 0, notJoined: 0 }

  set(topic: string, target: RouteTarget): void {
    this.routes.set(topic, target)
  }

  delete(topic: string, target?: RouteTarget): void {
    if (target === undefined || this.routes.get(topic) === target) this.routes.delete(topic)
  }

  get(topic: string): RouteTarget | undefined {
    return this.routes.get(topic)
  }

  /** Bound, so it can be handed to the connection as is. */
  readonly deliver = (message: PhoenixMessage): void => {
    const target = this.routes.get(message.topic)
    const actor = target?.actorRef
    if (!target || !actor) {
      this.stats.unrouted++
      return
    }
    const snapshot = actor.getSnapshot()
    // phoenix.js `isMember`: a non-null join ref that is not the current one belongs to an old join.
    if (message.joinRef !== null && message.joinRef !== snapshot.context.joinRef) {
      this.stats.stale++
      return
    }
    this.stats.delivered++
    if (message.event === 'broadcast') {
      if (snapshot.value === 'joined') target.dispatchBroadcast(message.payload as BroadcastPayload)
      else this.stats.notJoined++
      return
    }
    if (LIFECYCLE_EVENTS.has(message.event)) {
      actor.send({ type: 'message', message })
      return
    }
    target.dispatchFrame(message)
  }
}
