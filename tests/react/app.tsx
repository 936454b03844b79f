// The page of browser.test.ts: a chat room on `useRealtime` in StrictMode, bundled with esbuild from
// the built package (browser.test.ts points these source imports at dist/esm). Query: url, apikey, user, grace.
import { memo, StrictMode, useEffect, useRef, useState } from 'react'
import { createRoot } from 'react-dom/client'
import { createRealtimeClient } from '../../src/index.js'
import { RealtimeProvider, useRealtime, useRealtimeEvent } from '../../src/react/index.js'

const query = new URLSearchParams(location.search)
const user = query.get('user') ?? 'alice'
const TOPIC = 'room:react'
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
Object.assign(window, { pageClient: client, pageJoins: joins })

/** Commits of a component (StrictMode's double mount counts 2; each update 1). */
function useCommits(): number {
  const commits = useRef(0)
  useEffect(() => void (commits.current += 1))
  return commits.current
}

function Room() {
  const room = useRealtime(TOPIC, { presence: { key: user } })
  const connectionHistory = useRef<string[]>([])
  if (connectionHistory.current.at(-1) !== room.connectionState) connectionHistory.current.push(room.connectionState)
  const joined = room.status === 'joined'
  useEffect(() => {
    if (joined) void room.track({ user })
  }, [joined])
  return (
    <section>
      <p id="connection">{room.connectionState}</p>
      <p id="connection-history">{connectionHistory.current.join(' ')}</p>
      <p id="status">{room.status}</p>
      <p id="presence">{Object.keys(room.presence).sort().join(',')}</p>
      <p id="error">{room.error?.code ?? ''}</p>
      <button id="send" onClick={() => room.broadcast('chat', { text: `hi from ${user}` })}>send</button>
    </section>
  )
}

/** Reads only the status: presence syncs must not re-render it (memo: nor its parent's renders). */
const StatusOnly = memo(function StatusOnly() {
  const { status } = useRealtime(TOPIC, { presence: { key: user } })
  const commits = useCommits()
  return <p id="status-only" data-commits={commits}>{status}</p>
})

/** The callback changes on every render (it closes over `label`); the listener is added once. */
function Messages({ label }: { label: string }) {
  const [messages, setMessages] = useState<string[]>([])
  useRealtimeEvent(TOPIC, { type: 'broadcast', event: 'chat' }, ({ payload }) => setMessages((list) => [...list, `${label}:${(payload as { text: string }).text}`]))
  return <ul id="messages">{messages.map((text, index) => <li key={index}>{text}</li>)}</ul>
}

function App() {
  const [mounted, setMounted] = useState(true)
  const [label, setLabel] = useState('a')
  return (
    <>
      <button id="toggle" onClick={() => setMounted((on) => !on)}>toggle</button>
      <button id="relabel" onClick={() => setLabel((old) => old + 'b')}>relabel</button>
      {mounted && <><Room /><StatusOnly /><Messages label={label} /></>}
    </>
  )
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RealtimeProvider client={client} leaveGraceMs={Number(query.get('grace') ?? 1000)}>
      <App />
    </RealtimeProvider>
  </StrictMode>,
)
