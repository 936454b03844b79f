import { test } from 'uvu'
import * as assert from 'uvu/assert'
import NodeWebSocket from 'ws'
import { createConnectionLogic, wireBrowserLifecycle } from '../../src/connection.js'
import { RealtimeError } from '../../src/errors.js'
import { openWebSocket, resolveWebSocket, type WebSocketConstructor } from '../../src/transport/websocket.js'

const scope = globalThis as { WebSocket?: unknown }

test('the transport option wins over everything', () => {
  const Fake = class {} as unknown as WebSocketConstructor
  assert.is(resolveWebSocket(Fake), Fake)
})

test('globalThis.WebSocket is used when it exists, else the ws package', () => {
  const saved = scope.WebSocket
  try {
    const Global = class {}
    scope.WebSocket = Global
    assert.is(resolveWebSocket(), Global as unknown as WebSocketConstructor)
    delete scope.WebSocket
    assert.is(resolveWebSocket(), NodeWebSocket as unknown as WebSocketConstructor)
  } finally {
    if (saved === undefined) delete scope.WebSocket
    else scope.WebSocket = saved
  }
})

/** A socket whose `binaryType` setter behaves like `accepts` says (browsers, undici and `ws` differ). */
function fakeSocketClass(accepts: (type: string) => string | null) {
  const made: Array<{ url: string; binaryType: string }> = []
  const Fake = class {
    private type = 'blob'
    constructor(readonly url: string) {
      made.push(this)
    }
    get binaryType(): string {
      return this.type
    }
    set binaryType(type: string) {
      this.type = accepts(type) ?? this.type
    }
  } as unknown as WebSocketConstructor
  return { Fake, made: () => made.map((s) => [s.url, s.binaryType]) }
}

test('openWebSocket asks for ArrayBuffer binary frames where Node buffers are not offered', () => {
  // Browsers ignore an unknown value; undici (Node's global WebSocket) falls back to 'blob'.
  const browser = fakeSocketClass((type) => (type === 'blob' || type === 'arraybuffer' ? type : null))
  openWebSocket(browser.Fake, 'ws://x')
  assert.equal(browser.made(), [['ws://x', 'arraybuffer']])
  const undici = fakeSocketClass((type) => (type === 'blob' || type === 'arraybuffer' ? type : 'blob'))
  openWebSocket(undici.Fake, 'ws://y')
  assert.equal(undici.made(), [['ws://y', 'arraybuffer']])
})

test('openWebSocket asks the ws package for Node buffers (no copy per binary frame)', async () => {
  const ws = fakeSocketClass((type) => (['nodebuffer', 'arraybuffer', 'fragments'].includes(type) ? type : null))
  openWebSocket(ws.Fake, 'ws://x')
  assert.equal(ws.made(), [['ws://x', 'nodebuffer']])
  // The real one: a socket to a closed port, only to read its binaryType.
  const socket = openWebSocket(NodeWebSocket as unknown as WebSocketConstructor, 'ws://127.0.0.1:9')
  socket.addEventListener('error', () => {})
  assert.is(socket.binaryType, 'nodebuffer')
  await new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()))
})

test('createConnectionLogic rejects a URL that is not http(s)/ws(s) at construction', () => {
  try {
    createConnectionLogic({ url: 'ftp://nope' })
    assert.unreachable('should throw')
  } catch (error) {
    assert.instance(error, RealtimeError)
    assert.is((error as RealtimeError).code, 'invalid_argument')
  }
})

function fakeBrowser() {
  const window = new EventTarget()
  const document = Object.assign(new EventTarget(), { visibilityState: 'visible' })
  return { window, document }
}

test('wireBrowserLifecycle forwards online/offline/visibilitychange and its disposer is idempotent', () => {
  const env = fakeBrowser()
  const seen: string[] = []
  const dispose = wireBrowserLifecycle((event) => seen.push(event.type), {}, env)
  env.window.dispatchEvent(new Event('offline'))
  env.window.dispatchEvent(new Event('online'))
  env.document.visibilityState = 'hidden'
  env.document.dispatchEvent(new Event('visibilitychange'))
  env.document.visibilityState = 'visible'
  env.document.dispatchEvent(new Event('visibilitychange'))
  assert.equal(seen, ['offline', 'online', 'hidden', 'visible'])
  dispose()
  dispose()
  env.window.dispatchEvent(new Event('online'))
  assert.is(seen.length, 4)
})

test('wireBrowserLifecycle does nothing outside browsers or when turned off', () => {
  const seen: string[] = []
  wireBrowserLifecycle((event) => seen.push(event.type))() // Node: no window/document
  const env = fakeBrowser()
  const dispose = wireBrowserLifecycle((event) => seen.push(event.type), { browserLifecycle: false }, env)
  env.window.dispatchEvent(new Event('online'))
  dispose()
  assert.equal(seen, [])
})

test.run()
