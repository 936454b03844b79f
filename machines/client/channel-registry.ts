/**
 * The parent of every channel actor when the root client runs with `channelActors: 'registry'`
 * (issue 6). One child of the root (id `channels`), in the root's actor system.
 *
 * Why it exists: XState 5 copies `snapshot.children` on every `spawnChild` / `spawn` (resolveSpawn)
 * and on every `stopChild` (resolveStop), and stopping a parent stops its children one `stopChild`
 * at a time. With one child per channel that makes creating, removing and closing N channels
 * O(N²): 5 000 channels took ~6 s just in those copies. Channel actors parented here are not in
 * any `snapshot.children`, so adding or stopping one costs O(1).
 *
 * What stays the same: they are created with `parent` (so they share the root's system): `inspect`
 * sees them (`@xstate.actor`, their events and snapshots), `system.get('realtime-channel:<topic>')`
 * finds them, and they are stopped when the root stops — the root stops this actor, and this actor
 * stops every channel in `input.channels` through its `ActorScope.stopChild` (public API for
 * custom logic).
 *
 * What changes: `rootSnapshot.children[topic]` no longer holds the channel (read
 * `channelActorOf(rootSnapshot, topic)` or the system); a channel's `sendParent` reaches this actor,
 * which forwards the event to the root unchanged (inspection shows it as sent to the root without a
 * source actor) — except outgoing frames (`channel.transmit`), which it hands to the root's connection
 * actor as the `send` event the root would have sent, or, while the connection is open with nothing
 * buffered, straight to the connection's socket actor as the `transmit` the connection would send.
 *
 * No decision is taken here: the root machine decides when a channel is created or stopped.
 */
import type { ActorLogic, AnyActorRef, EventObject, Snapshot } from 'xstate'
import type { ChannelNotification } from '../channel/contract.js'
import { CONNECTION_SYSTEM_ID } from './contract.js'
import type { SocketCommand } from '../connection/connection.machine.js'

type TransmitEvent = Extract<ChannelNotification, { type: 'channel.transmit' }>

/** Stop one channel actor of this registry (the root sends it when a removed channel has closed). */
export interface RegistryStopEvent {
  type: 'registry.stop'
  ref: AnyActorRef
}

export interface ChannelRegistryInput {
  /** The root: channel notifications are forwarded to it. */
  parent: AnyActorRef
  /** The live channel table of the root (`context.channels`): everything in it is stopped with this actor. */
  channels: ReadonlyMap<string, { readonly ref: AnyActorRef }>
}

export type ChannelRegistrySnapshot = Snapshot<undefined> & { input: ChannelRegistryInput }

export type ChannelRegistryLogic = ActorLogic<ChannelRegistrySnapshot, EventObject, ChannelRegistryInput>

const XSTATE_STOP = 'xstate.stop'

/** The connection's socket actor when the connection is open with an empty send buffer, else null. */
function openSocketOf(connection: AnyActorRef): AnyActorRef | null {
  const snapshot = connection.getSnapshot() as { hasTag?: (tag: string) => boolean; context?: { buffer?: readonly unknown[] }; children?: Record<string, AnyActorRef | undefined> }
  if (typeof snapshot.hasTag !== 'function' || !snapshot.hasTag('open') || (snapshot.context?.buffer?.length ?? 1) > 0) return null
  return snapshot.children?.['socket'] ?? null
}

function isStopCommand(event: EventObject): event is RegistryStopEvent {
  return event.type === 'registry.stop'
}

export const channelRegistryLogic: ChannelRegistryLogic = {
  config: 'channelRegistry',
  transition: (snapshot, event, actorScope) => {
    if (event.type === XSTATE_STOP) {
      for (const { ref } of snapshot.input.channels.values()) {
        if (ref._parent === actorScope.self) actorScope.stopChild(ref)
      }
      return { ...snapshot, status: 'stopped', error: undefined }
    }
    if (isStopCommand(event)) {
      if (event.ref._parent === actorScope.self) actorScope.stopChild(event.ref)
      return snapshot
    }
    // An outgoing frame goes straight to the root's connection actor, as the root's `transmit` action
    // would send it (issue 6: one macrostep of the root less per frame). Inspection shows it as a
    // `send` event to the connection. Without that connection (a registry used alone) it goes to the root.
    if (event.type === 'channel.transmit') {
      const connection = actorScope.system.get(CONNECTION_SYSTEM_ID) as AnyActorRef | undefined
      if (connection !== undefined && connection._parent === snapshot.input.parent) {
        const message = (event as TransmitEvent).message
        // Open with nothing buffered: the connection would only hand the frame to its socket actor, so
        // the frame goes there directly (one macrostep of the connection less per frame). Otherwise the
        // connection decides (buffer, order after a flush).
        const socket = openSocketOf(connection)
        if (socket !== null) socket.send({ type: 'transmit', message } satisfies SocketCommand)
        else connection.send({ type: 'send', message })
        return snapshot
      }
    }
    // A channel's notification (`channel.closed`, `xstate.error.actor.*`, …).
    snapshot.input.parent.send(event)
    return snapshot
  },
  getInitialSnapshot: (_actorScope, input) => ({ status: 'active', output: undefined, error: undefined, input }),
  // Nothing to persist: the channels are live actors, recreated by whoever restores the root.
  getPersistedSnapshot: ({ input: _live, ...snapshot }) => snapshot,
}
