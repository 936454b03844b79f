import { createActor, sendTo, setup } from 'xstate'
import { channelSystemId, createRealtimeLogic, type ClientEvent } from '../../src/index.js'

const LOBBY = 'realtime:room:lobby'

/** A chat app whose own machine invokes the realtime client machine. */
export function startChatApp(url: string, apikey: string) {
  // The I/O (WebSocket, router, clock) comes from one helper; the machine itself is pure.
  const realtime = createRealtimeLogic({
    // Data frames of joined channels arrive here, without a state-machine transition.
    onData: (frame) => {
      if (frame.event === 'broadcast') app.send({ type: 'message', payload: frame.payload })
    },
  })

  const say = (text: string): ClientEvent => ({
    type: 'channel.push',
    topic: LOBBY,
    ref: `say-${text}`,
    event: 'broadcast',
    payload: { type: 'broadcast', event: 'chat', payload: { text } },
    expectReply: false,
  })

  const chat = setup({
    types: {} as {
      context: { messages: unknown[] }
      events: { type: 'message'; payload: unknown } | { type: 'say'; text: string }
    },
    actors: { realtime },
  }).createMachine({
    context: { messages: [] },
    // Plain input: the client machine needs nothing else.
    invoke: { id: 'realtime', src: 'realtime', input: { url, apikey } },
    entry: [sendTo('realtime', { type: 'channel.add', topic: LOBBY }), sendTo('realtime', { type: 'channel.subscribe', topic: LOBBY })],
    on: {
      // The same typed events `client.send` accepts.
      say: { actions: sendTo('realtime', ({ event }) => say(event.text)) },
      message: { actions: ({ context, event }) => void context.messages.push(event.payload) },
    },
  })

  const app = createActor(chat).start()
  // Emitted events: the root's (connection, channels added/removed) and each channel actor's.
  const lobby = app.system.get(channelSystemId(LOBBY))
  return { app, lobby }
}
