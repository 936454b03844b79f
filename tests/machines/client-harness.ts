/** Shared builder for root client machine tests: a fake connection actor (the contract in machines/connection/contract.ts) on a simulated clock. */
import { createActor, fromCallback, SimulatedClock, type AnyActorRef } from 'xstate'
import type { ChannelActorRef } from '../../machines/channel/channel.machine.js'
import { channelStateOf } from '../../machines/channel/channel.machine.js'
import { channelActorOf, clientMachine } from '../../machines/client/client.machine.js'
import { channelSystemId, type ClientEmitted, type ClientInput } from '../../machines/client/contract.js'
import { classifyLifecycleFrame } from '../../src/lifecycle-frames.js'
import type { ConnectionMachine } from '../../machines/connection/connection.machine.js'
import type { ConnectionEvent, ConnectionInput, ConnectionNotification, ConnectionStateName } from '../../machines/connection/contract.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

export function startClient(input: Partial<ClientInput> = {}) {
  const clock = new SimulatedClock()
  const received: ConnectionEvent[] = []
  const inputs: ConnectionInput[] = []
  let toParent: ((notification: ConnectionNotification) => void) | null = null
  let connectionState: ConnectionStateName = 'closed'
  const fake = fromCallback<ConnectionEvent, ConnectionInput>(({ sendBack, receive, input: connectionInput }) => {
    inputs.push(connectionInput)
    toParent = (notification) => sendBack(notification)
    receive((event) => void received.push(event))
  })
  // The fake honours the contract, not the machine's internals: the cast only bridges the logic type.
  const machine = clientMachine.provide({ actors: { connection: fake as unknown as ConnectionMachine } })
  const root = createActor(machine, {
    clock,
    systemId: 'realtime-client',
    input: { apikey: 'anon', ...input },
  })
  const emitted: ClientEmitted[] = []
  root.on('*', (event) => void emitted.push(event))
  root.start()

  const moveTo = (next: ConnectionStateName, accessToken?: string): void => {
    const notification: ConnectionNotification =
      accessToken === undefined ? { type: 'connection.state', old: connectionState, new: next } : { type: 'connection.state', old: connectionState, new: next, accessToken }
    connectionState = next
    toParent!(notification)
  }
  const channel = (topic: string): ChannelActorRef | undefined => root.system.get(channelSystemId(topic)) as ChannelActorRef | undefined
  const frames = (): PhoenixMessage[] => received.flatMap((event) => (event.type === 'send' ? [event.message] : []))
  /** A frame for `topic`, classified as the router does. */
  const deliver = (message: PhoenixMessage): void => {
    const actor = channel(message.topic)!
    const event = classifyLifecycleFrame(message, actor.getSnapshot().context.joinRef)
    if (event) actor.send(event)
  }

  return {
    root,
    clock,
    received,
    inputs,
    emitted,
    moveTo,
    notify: (notification: ConnectionNotification) => toParent!(notification),
    channel,
    child: (id: string): AnyActorRef | undefined => (root.getSnapshot().children as Record<string, AnyActorRef | undefined>)[id],
    /** The channel actor of `topic`, found through its channel group. */
    actorOf: (topic: string): ChannelActorRef | undefined => channelActorOf(root.getSnapshot(), topic),
    channelState: (topic: string) => channelStateOf(channel(topic)!.getSnapshot()),
    frames,
    framesOf: (event: string, topic?: string) => frames().filter((m) => m.event === event && (topic === undefined || m.topic === topic)),
    /** Answer the latest join of `topic` with ok (what the router does with a phx_reply). */
    ackJoin: (topic: string) => {
      const join = frames()
        .filter((m) => m.event === 'phx_join' && m.topic === topic)
        .at(-1)!
      deliver({ joinRef: join.joinRef, ref: join.ref, topic, event: 'phx_reply', payload: { status: 'ok', response: {} } })
      return join
    },
    reply: (topic: string, ref: string | null, status = 'ok') => deliver({ joinRef: null, ref, topic, event: 'phx_reply', payload: { status, response: {} } }),
    commands: () => received.filter((event) => event.type !== 'send').map((event) => event.type),
  }
}
