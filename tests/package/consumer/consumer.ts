// A user's file, type-checked against the built declarations (dist/types) through the package's
// `exports` map: it breaks when declaration emit or the exports map breaks.
import { createRealtimeClient, RealtimeError, toSupabaseError, type RealtimeEvent } from 'realtime-xstate'
import { clientMachine, connectionMachine, channelMachine, type ClientEvent } from 'realtime-xstate/machines'
import { startDevServer, type DevServer } from 'realtime-xstate/dev-server'
import { createActor } from 'xstate'

export async function consumer(): Promise<void> {
  const server: DevServer = await startDevServer({ port: 0 })
  const client = createRealtimeClient({ url: server.url, apikey: server.apikey, handleEvent: (event: RealtimeEvent) => void event.type })
  const channel = client.channel('room:lobby', { broadcast: { self: true } })
  const off: () => void = channel.on('broadcast', { event: '*' }, ({ event, payload }) => void [event, payload])
  off()
  const event: ClientEvent = { type: 'connect' }
  client.send(event)
  const error = new RealtimeError('timeout', 'x')
  toSupabaseError(error).service satisfies 'realtime'
  createActor(connectionMachine, { input: { vsn: '2.0.0', apikey: 'k' } })
  void [clientMachine, channelMachine]
  await client.close()
  await server.close()
}
