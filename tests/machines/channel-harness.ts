/** Shared builder for channel machine tests: a started channel actor on a simulated clock, with spies. */
import { createActor, SimulatedClock } from 'xstate'
import { channelMachineWithClock, channelStateOf } from '../../machines/channel/channel.machine.js'
import type { ChannelEmitted, ChannelInput } from '../../machines/channel/contract.js'
import { classifyLifecycleFrame } from '../../src/lifecycle-frames.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

export const TOPIC = 'realtime:room'

export function startChannel(input: Partial<ChannelInput> & { socketOpen?: boolean } = {}) {
  const clock = new SimulatedClock()
  const sent: PhoenixMessage[] = []
  const emitted: ChannelEmitted[] = []
  const closedNotes: string[] = []
  const { socketOpen = true, ...channelInput } = input
  const machine = channelMachineWithClock(() => clock.now()).provide({
    actions: {
      transmit: (_args, params) => void sent.push(...params.messages),
      notifyClosed: ({ context }) => void closedNotes.push(context.topic),
    },
  })
  const actor = createActor(machine, { clock, input: { topic: TOPIC, ...channelInput } })
  actor.on('*', (event) => void emitted.push(event))
  actor.start()
  if (socketOpen) actor.send({ type: 'socket.open' })

  /** A lifecycle frame, classified as the router classifies it (stale frames never arrive). */
  const frame = (event: string, fields: Partial<PhoenixMessage> = {}): void => {
    const message: PhoenixMessage = { joinRef: null, ref: null, topic: TOPIC, event, payload: {}, ...fields }
    const joinRef = actor.getSnapshot().context.joinRef
    if (message.joinRef !== null && message.joinRef !== joinRef) return
    const classified = classifyLifecycleFrame(message, joinRef)
    if (classified) actor.send(classified)
  }

  return {
    actor,
    clock,
    sent,
    emitted,
    closedNotes,
    state: () => channelStateOf(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
    /** The ref of the push of this kind now waiting for its reply, or null. */
    inFlightRef: (kind: 'retrack' | 'leave') => actor.getSnapshot().context.inFlight.find((push) => push.kind === kind)?.ref ?? null,
    /** The last frame sent with this event name. */
    last: (event: string) => [...sent].reverse().find((message) => message.event === event),
    sentOf: (event: string) => sent.filter((message) => message.event === event),
    frame,
    reply: (ref: string | null, status: string, response: unknown = {}, joinRef: string | null = null) =>
      frame('phx_reply', { ref, joinRef, payload: { status, response } }),
    /** Subscribe and answer the join with ok. */
    join: () => {
      actor.send({ type: 'subscribe' })
      const join = [...sent].reverse().find((message) => message.event === 'phx_join')!
      frame('phx_reply', { ref: join.ref, joinRef: join.joinRef, payload: { status: 'ok', response: { postgres_changes: [] } } })
      return join
    },
    emittedOf: <T extends ChannelEmitted['type']>(type: T) => emitted.filter((event): event is Extract<ChannelEmitted, { type: T }> => event.type === type),
    stateChanges: () =>
      emitted.flatMap((event) => (event.type === 'channel' && event.kind === 'state_change' ? [`${event.old}>${event.new}`] : [])),
  }
}
