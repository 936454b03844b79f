/**
 * The inbound path. The socket actor calls the router for every decoded frame; the router finds the
 * topic's channel (one lookup), drops frames of a stale join, hands lifecycle frames to the channel
 * actor as typed events (src/lifecycle-frames.ts), and data frames (broadcast, presence,
 * postgres_changes) to the channel's data listeners — a broadcast costs a snapshot read, not a
 * state-machine transition (xstate-notes §11b).
 */
import type { ChannelActorRef, ChannelSnapshot } from '../machines/channel/channel.machine.js'
import { classifyLifecycleFrame, isLifecycleFrame } from './lifecycle-frames.js'
import type { PhoenixMessage } from './protocol/types.js'

/** What the router needs of a topic: its channel actor and where its data frames go. */
export interface RouteTarget {
  /** The channel actor of the current incarnation of the topic. */
  readonly actorRef: ChannelActorRef | null
  /** A data frame of this channel; broadcasts only arrive while the channel is joined. */
  dispatchData(message: PhoenixMessage): void
}

/** The router over `lookup` (the facade's channel table, or the actor system for XState apps). */
export function createRouter(lookup: (topic: string) => RouteTarget | undefined): (message: PhoenixMessage) => void {
  return (message) => {
    const target = lookup(message.topic)
    const actor = target?.actorRef
    if (target === undefined || actor == null) return
    const snapshot: ChannelSnapshot = actor.getSnapshot()
    const joinRef = snapshot.context.joinRef
    // phoenix.js `isMember`: a non-null join ref that is not the current one belongs to an old join.
    if (message.joinRef !== null && message.joinRef !== joinRef) return
    if (message.event === 'broadcast') {
      if (snapshot.hasTag('joined')) target.dispatchData(message)
      return
    }
    if (!isLifecycleFrame(message.event)) {
      target.dispatchData(message)
      return
    }
    const event = classifyLifecycleFrame(message, joinRef)
    if (event !== null) actor.send(event)
  }
}
