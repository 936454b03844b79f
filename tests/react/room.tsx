// The chat page of browser.test.ts, shared by the browser entry (app.tsx, which hydrates it) and the
// test, which renders it on the server first (react-dom/server) to prove that hydration then connects.
import { memo, StrictMode, useEffect, useRef, useState } from 'react'
import type { RealtimeClient } from '../../src/index.js'
import { RealtimeProvider, useRealtime, useRealtimeEvent } from '../../src/react/index.js'

const TOPIC = 'room:react'

/** Commits of a component (StrictMode's double mount counts 2; each update 1). */
function useCommits(): number {
  const commits = useRef(0)
  useEffect(() => void (commits.current += 1))
  return commits.current
}

function Room({ user }: { user: string }) {
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
const StatusOnly = memo(function StatusOnly({ user }: { user: string }) {
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

function App({ user }: { user: string }) {
  const [mounted, setMounted] = useState(true)
  const [label, setLabel] = useState('a')
  return (
    <>
      <button id="toggle" onClick={() => setMounted((on) => !on)}>toggle</button>
      <button id="relabel" onClick={() => setLabel((old) => old + 'b')}>relabel</button>
      {mounted && <><Room user={user} /><StatusOnly user={user} /><Messages label={label} /></>}
    </>
  )
}

export function ChatPage({ client, user, graceMs }: { client: RealtimeClient; user: string; graceMs: number }) {
  return (
    <StrictMode>
      <RealtimeProvider client={client} leaveGraceMs={graceMs}>
        <App user={user} />
      </RealtimeProvider>
    </StrictMode>
  )
}
