// Server rendering (react-dom/server): the hooks open no socket, create no channel, and report
// `closed`; a provider given options makes no client on the server. (Hydration connecting: browser.test.ts.)
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient } from '../../src/index.js'
import { RealtimeProvider, useRealtime, useRealtimeClient, useRealtimeEvent } from '../../src/react/index.js'

function Room() {
  const room = useRealtime('room:ssr', { presence: { key: 'server' } })
  useRealtimeEvent('room:ssr', { type: 'broadcast', event: 'chat' }, () => {})
  const client = useRealtimeClient()
  return createElement('p', null, `${room.connectionState}|${room.status}|${Object.keys(room.presence).length}|${room.error}|${client ? 'client' : 'none'}`)
}

let server: DevServer
let sockets = 0
test.before(async () => {
  server = await startDevServer({ database: false, logger: ({ message }) => void (message.startsWith('socket connected') && (sockets += 1)) })
})
test.after(() => server.close())

test('rendering on the server with a client opens no socket and reports closed', async () => {
  const client = createRealtimeClient({ url: server.url, apikey: server.apikey })
  try {
    const html = renderToString(createElement(RealtimeProvider, { client }, createElement(Room)))
    assert.is(html, '<p>closed|closed|0|null|client</p>')
    await new Promise((resolve) => setTimeout(resolve, 100))
    assert.is(sockets, 0, 'no socket reached the server')
    assert.is(client.connectionState(), 'closed')
    assert.equal(client.getChannels(), [], 'no channel was created')
    // The same client connects when asked outside React: the count above could have seen a socket.
    await client.channel('room:other').subscribe()
    assert.is(sockets, 1)
  } finally {
    await client.close()
  }
})

test('a provider given options makes no client on the server', () => {
  const html = renderToString(createElement(RealtimeProvider, { options: { url: server.url, apikey: server.apikey } }, createElement(Room)))
  assert.is(html, '<p>closed|closed|0|null|none</p>')
})

test('a hook outside a provider says so', () => {
  assert.throws(() => renderToString(createElement(Room)), /RealtimeProvider/)
})

test('pushes during a server render throw (there is no client to push with)', () => {
  function Pusher() {
    const room = useRealtime('room:ssr')
    room.broadcast('x', {})
    return null
  }
  assert.throws(() => renderToString(createElement(RealtimeProvider, { options: { url: server.url, apikey: server.apikey } }, createElement(Pusher))), /server render/)
})

test.run()
