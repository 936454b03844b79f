/**
 * The README's worked example (tests/examples/xstate-app.ts, shown in the README with its import from
 * `realtime-xstate`): an XState app invokes the client machine with plain input, drives it with typed
 * events, hears its emitted events and receives data frames — against the dev server, beside a
 * facade client in the same room.
 */
import { readFileSync } from 'node:fs'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startChatApp } from '../examples/xstate-app.js'
import { isBroadcast, isChannelState, startWorld, within } from './client-harness.js'

test('the README shows the worked example as it runs here', () => {
  const source = readFileSync(new URL('../examples/xstate-app.ts', import.meta.url), 'utf8').replace("from '../../src/index.js'", "from 'realtime-xstate'")
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
  assert.ok(readme.includes(source.trim()), 'README.md holds tests/examples/xstate-app.ts verbatim (with the package import)')
})

test('an XState app invokes the client machine, joins, broadcasts and receives', async () => {
  const world = await startWorld()
  const { app, lobby } = startChatApp(world.server.url, world.server.apikey)
  try {
    assert.ok(lobby, 'the channel actor is in the app\'s system')
    const joined = new Promise<void>((resolve) => {
      lobby!.on('channel', (event: { kind: string; new?: string }) => {
        if (event.kind === 'state_change' && event.new === 'joined') resolve()
      })
    })
    await within(joined, 5000, 'the lobby joined')

    const peer = world.makeClient()
    const room = peer.client.channel('room:lobby')
    await room.subscribe()
    app.send({ type: 'say', text: 'hello from xstate' })
    const heard = await peer.events.waitFor(isBroadcast('chat', 'realtime:room:lobby'))
    assert.equal(heard.type === 'broadcast' && heard.payload, { text: 'hello from xstate' })

    room.broadcast('chat', { text: 'hello from the facade' })
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => (app.getSnapshot().context.messages.length > 0 ? resolve() : void setTimeout(check, 10))
        check()
      }),
      5000,
      'the app received the broadcast',
    )
    assert.equal(app.getSnapshot().context.messages[0], { type: 'broadcast', event: 'chat', payload: { text: 'hello from the facade' } })
    await peer.events.waitFor(isChannelState('realtime:room:lobby', 'joined'))
    const snapshot = JSON.parse(JSON.stringify(app.getSnapshot().children.realtime!.getSnapshot())) as { value: unknown }
    assert.equal(snapshot.value, { connection: 'open', channels: 'occupied' }, 'the client machine\'s snapshot is JSON')
  } finally {
    app.stop()
    await world.close()
  }
})

test.run()
