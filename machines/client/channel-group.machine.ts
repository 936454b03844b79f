/**
 * A channel group: the parent of the channel actors whose topics hash to it. The root spreads its
 * channels over a fixed number of groups because XState copies a parent's `snapshot.children` on every
 * spawn and stop: one parent of 5 000 channels made creating them take ~7 s (a scratch benchmark,
 * `spawnChild` into one parent vs into 64), a group of ~80 keeps each copy small.
 *
 * A group spawns what the root adds, forwards what the root says to the channel of a topic, and owns
 * one decision: a channel it was asked to remove is stopped once it reports closed (`removing`, the
 * topics whose removal is under way, is its context; a `group.add` of such a topic keeps it).
 */
import { enqueueActions, setup, type ActorRefFrom, type AnyActorRef } from 'xstate'
import { channelMachine } from '../channel/channel.machine.js'
import { channelSystemId } from '../system-ids.js'
import type { ChannelGroupEvent, ChannelGroupNotification } from './contract.js'

/** How many groups a client's channels are spread over. */
export const CHANNEL_GROUPS = 64

/** The child id of the group that holds `topic` (a string hash, stable across runs). */
export function channelGroupOf(topic: string): string {
  let hash = 0
  for (let i = 0; i < topic.length; i++) hash = (Math.imul(hash, 31) + topic.charCodeAt(i)) | 0
  return `channels:${(hash >>> 0) % CHANNEL_GROUPS}`
}

export interface ChannelGroupContext {
  /** Topics whose removal is under way: left, stopped once closed. */
  removing: readonly string[]
}

function childOf(self: AnyActorRef, topic: string): AnyActorRef | undefined {
  return (self.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children[topic]
}

const machine = setup({
  types: { context: {} as ChannelGroupContext, events: {} as ChannelGroupEvent },
  actors: { channel: channelMachine },
  guards: {
    isRemoving: ({ context, event }) => event.type === 'channel.closed' && context.removing.includes(event.topic),
  },
  actions: {
    /**
     * A new topic gets its channel actor, registered under its topic's systemId (checked first: a
     * duplicate systemId is an uncaught error in XState 5, xstate-notes §8); a topic being removed is kept.
     */
    addOrKeep: enqueueActions(({ context, event, enqueue, self, system }) => {
      if (event.type !== 'group.add') return
      const { topic } = event.input
      if (childOf(self, topic) !== undefined) {
        if (context.removing.includes(topic)) enqueue.assign({ removing: context.removing.filter((t) => t !== topic) })
        return
      }
      const systemId = system.get(channelSystemId(topic)) === undefined ? channelSystemId(topic) : undefined
      const wasEmpty = Object.keys((self.getSnapshot() as { children: object }).children).length === 0
      enqueue.spawnChild('channel', { id: topic, input: event.input, ...(systemId !== undefined && { systemId }) })
      // The root only counts groups with channels: one notification per group, not per channel.
      if (wasEmpty) enqueue.sendParent({ type: 'group.occupied' } satisfies ChannelGroupNotification)
    }),
    forward: enqueueActions(({ event, enqueue, self }) => {
      if (event.type !== 'group.forward') return
      if (childOf(self, event.topic) === undefined) enqueue.sendParent({ type: 'channel.unknown', topic: event.topic, event: event.event.type } satisfies ChannelGroupNotification)
      else enqueue.sendTo(event.topic, event.event)
    }),
    /** Leave; the channel answers `channel.closed` when it is (at once when it already is). */
    startRemoval: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'group.remove') return
      if (childOf(self, event.topic) === undefined) {
        enqueue.sendParent({ type: 'channel.unknown', topic: event.topic, event: 'channel.remove' } satisfies ChannelGroupNotification)
        return
      }
      if (!context.removing.includes(event.topic)) enqueue.assign({ removing: [...context.removing, event.topic] })
      enqueue.sendTo(event.topic, { type: 'unsubscribe' })
    }),
    stopRemoved: enqueueActions(({ context, event, enqueue, self }) => {
      if (event.type !== 'channel.closed') return
      const lastOne = Object.keys((self.getSnapshot() as { children: object }).children).length === 1
      enqueue.stopChild(event.topic)
      enqueue.assign({ removing: context.removing.filter((topic) => topic !== event.topic) })
      enqueue.sendParent({ type: 'channel.removed', topic: event.topic } satisfies ChannelGroupNotification)
      if (lastOne) enqueue.sendParent({ type: 'group.empty' } satisfies ChannelGroupNotification)
    }),
    tellAll: enqueueActions(({ event, enqueue, self }) => {
      if (event.type !== 'group.broadcast') return
      for (const id of Object.keys((self.getSnapshot() as { children: object }).children)) enqueue.sendTo(id, event.event)
    }),
  },
}).createMachine({
  id: 'channelGroup',
  description: 'The parent of the channel actors of some topics (a hash bucket): spawns, forwards, removes.',
  context: { removing: [] },
  on: {
    'group.add': { actions: 'addOrKeep' },
    'group.forward': { actions: 'forward' },
    'group.remove': { actions: 'startRemoval' },
    'group.broadcast': { actions: 'tellAll' },
    'channel.closed': { guard: 'isRemoving', actions: 'stopRemoved' },
  },
})

export type ChannelGroupMachine = typeof machine
export const channelGroupMachine: ChannelGroupMachine = machine
export type ChannelGroupActorRef = ActorRefFrom<ChannelGroupMachine>
