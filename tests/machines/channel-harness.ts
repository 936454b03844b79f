/** Shared builder for channel machine tests: a started channel actor on a simulated clock, with spies. */
import { createActor, SimulatedClock } from 'xstate'
import { channelMachine, channelStateOf } from '../../machines/channel/channel.machine.js'
import type { ChannelEmitted, ChannelInput } from '../../machines/channel/contract.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'

export const TOPIC = 'realtime:room'

export function startChannel(input: Partial<ChannelInput> = {}) {
  const clock = new SimulatedClock()
  let counter = 0
  const sent: PhoenixMessage[] = []
  const emitted: ChannelEmitted[] = []
  const machine = channelMachine.provide({
    actions: { transmit: (_args, params) => void sent.push(...params.messages) },
  })
  const actor = createActor(machine, {
    clock,
    input: { topic: TOPIC, makeRef: () => String(++counter), now: () => clock.now(), socketOpen: true, ...input },
  })
  actor.on('*', (event) => void emitted.push(event))
  actor.start()

  const frame = (event: string, fields: Partial<PhoenixMessage> = {}): void =>
    actor.send({ type: 'message', message: { joinRef: null, ref: null, topic: TOPIC, event, payload: {}, ...fields } })

  return {
    actor,
    clock,
    sent,
    emitted,
    state: () => channelStateOf(actor.getSnapshot()),
    context: () => actor.getSnapshot().context,
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
