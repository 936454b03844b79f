// The browser entry of browser.test.ts, bundled with esbuild from the built package (the test points
// these source imports at dist/esm): it hydrates the page the test rendered on the server.
// Query: url, apikey, user, grace.
import { hydrateRoot } from 'react-dom/client'
import { createRealtimeClient } from '../../src/index.js'
import { ChatPage } from './room.js'

const query = new URLSearchParams(location.search)
const client = createRealtimeClient({
  url: query.get('url')!,
  apikey: query.get('apikey')!,
  timeoutMs: 3000,
  reconnectDelays: () => 100,
  rejoinDelays: [50, 100, 200],
  emptyChannelsGraceMs: 100,
})
// The test reads the client's channels and its channel events (joins counted on the client side too).
const joins: string[] = []
client.subscribe((event) => {
  if (event.type === 'channel' && event.kind === 'state_change' && event.new === 'joining') joins.push(event.topic)
})
const hydrationErrors: string[] = []
Object.assign(window, { pageClient: client, pageJoins: joins, hydrationErrors })

hydrateRoot(document.getElementById('root')!, <ChatPage client={client} user={query.get('user') ?? 'alice'} graceMs={Number(query.get('grace') ?? 1000)} />, {
  onRecoverableError: (error) => void hydrationErrors.push(String(error)),
})
