/**
 * A channel group: the parent of the channel actors whose topics hash to it. The root spreads its
 * channels over a fixed number of groups because XState copies a parent's `snapshot.children` on every
 * spawn and stop: one parent of 5 000 channels made creating them take ~7 s (a scratch benchmark,
 * `spawnChild` into one parent vs into 64), a group of ~80 keeps each copy small.
 *
 * No decision about a channel's life is taken here: a group spawns what the root adds, forwards what
 * the root says to the channel of a topic, and stops a channel that reports `channel.removed`.
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

function childOf(self: AnyActorRef, topic: string): AnyActorRef | undefined {
  return (self.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children[topic]
}

const machine = setup({
  types: { events: {} as ChannelGroupEvent },
  actors: { channel: channelMachine },
  actions: {
    /**
     * A new topic gets its channel actor, registered under its topic's systemId (checked first: a
     * duplicate systemId is an uncaught error in XState 5, xstate-notes §8); a topic that exists is kept.
     */
    addOrKeep: enqueueActions(({ event, enqueue, self, system }) => {
      if (event.type !== 'group.add') return
      const { topic } = event.input
      if (childOf(self, topic) !== undefined) {
        enqueue.sendTo(topic, { type: 'keep' })
        return
      }
      const systemId = system.get(channelSystemId(topic)) === undefined ? channelSystemId(topic) : undefined
      enqueue.spawnChild('channel', { id: topic, input: event.input, ...(systemId !== undefined && { systemId }) })
      if (event.online) enqueue.sendTo(topic, { type: 'socket.open' })
      enqueue.sendParent({ type: 'channel.added', topic } satisfies ChannelGroupNotification)
    }),
    forward: enqueueActions(({ event, enqueue, self }) => {
      if (event.type !== 'group.forward') return
      if (childOf(self, event.topic) === undefined) enqueue.sendParent({ type: 'channel.unknown', topic: event.topic, event: event.event.type } satisfies ChannelGroupNotification)
      else enqueue.sendTo(event.topic, event.event)
    }),
    tellAll: enqueueActions(({ event, enqueue, self }) => {
      if (event.type !== 'group.broadcast') return
      for (const id of Object.keys((self.getSnapshot() as { children: object }).children)) enqueue.sendTo(id, event.event)
    }),
    stopRemoved: enqueueActions(({ event, enqueue }) => {
      if (event.type !== 'channel.removed') return
      enqueue.stopChild(event.topic)
      enqueue.sendParent({ type: 'channel.removed', topic: event.topic } satisfies ChannelGroupNotification)
    }),
  },
}).createMachine({
  id: 'channelGroup',
  description: 'The parent of the channel actors of some topics (a hash bucket): spawns, forwards, stops.',
  on: {
    'group.add': { actions: 'addOrKeep' },
    'group.forward': { actions: 'forward' },
    'group.broadcast': { actions: 'tellAll' },
    'channel.removed': { actions: 'stopRemoved' },
  },
})

export type ChannelGroupMachine = typeof machine
export const channelGroupMachine: ChannelGroupMachine = machine
export type ChannelGroupActorRef = ActorRefFrom<ChannelGroupMachine>
