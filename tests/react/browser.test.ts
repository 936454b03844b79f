// Issue 13, the proof in a real browser: the chat page of tests/react/room.tsx (StrictMode, React's
// development build), rendered on the server with react-dom/server, then hydrated by tests/react/app.tsx
// bundled with esbuild from the built package; served on loopback to headless Chromium, against the
// dev server: two pages (alice, bob) and a Node client in the same room. Screenshots go to tests/react/output/ (git-ignored).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { build, type Plugin } from 'esbuild'
import { chromium, type Browser, type Page } from 'playwright-core'
import { createElement } from 'react'
import { renderToString } from 'react-dom/server'
import { ChatPage } from './room.js'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, type RealtimeClient } from '../../src/index.js'
import { FAST } from '../integration/client-harness.js'

const CHROMIUM = '/usr/bin/chromium'
const root = process.cwd()
const OUTPUT = join(root, 'tests', 'react', 'output')
const TOPIC = 'realtime:room:react'
const GRACE_MS = 600
const WAIT = { timeout: 10_000 }

/** The app's source imports of the package, pointed at the build (what `realtime-xstate` and `/react` resolve to). */
const builtPackage: Plugin = {
  name: 'built-package',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/\.\.\/src\/(react\/)?index\.js$/ }, (args) => ({ path: join(root, 'dist/esm', args.path.includes('react/') ? 'react.js' : 'index.js') }))
  },
}

async function bundleApp(): Promise<{ code: string; inputs: string[] }> {
  const result = await build({
    entryPoints: [join(root, 'tests/react/app.tsx')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    // StrictMode mounts twice only in React's development build.
    define: { 'process.env.NODE_ENV': '"development"' },
    plugins: [builtPackage],
    logLevel: 'silent',
  })
  return { code: result.outputFiles[0]!.text, inputs: Object.keys(result.metafile.inputs) }
}

function serve(code: string, markup: string): Promise<{ server: Server; url: string }> {
  const html = `<!doctype html><meta charset="utf-8"><div id="root">${markup}</div><script type="module" src="/app.js"></script>`
  const server = createServer((req, res) => {
    const js = req.url === '/app.js'
    res.writeHead(200, { 'content-type': js ? 'text/javascript' : 'text/html' }).end(js ? code : html)
  })
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })))
}

const text = (page: Page, selector: string): Promise<string> => page.$eval(selector, (element) => element.textContent ?? '')
const waitText = (page: Page, selector: string, expected: string) =>
  page.waitForFunction(({ selector, expected }) => document.querySelector(selector)?.textContent === expected, { selector, expected }, WAIT)

test('useRealtime in StrictMode, hydrated from the server render, two pages and a Node client: open, joined once, chat all ways, presence of three, a dropped server survived, shared channel, leave after the grace', async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`)
  rmSync(OUTPUT, { recursive: true, force: true })
  mkdirSync(OUTPUT, { recursive: true })
  const { code, inputs } = await bundleApp()
  // The package comes from the build, with one XState and React's own copy.
  assert.ok(inputs.includes('dist/esm/react.js') && !inputs.some((file) => file.startsWith('src/')), 'bundled from dist')
  assert.ok(inputs.some((file) => file.startsWith('node_modules/xstate/')) && inputs.some((file) => file.startsWith('node_modules/@xstate/react/')))
  assert.is(code.split("Actor with system ID '").length - 1, 1, 'XState is in the bundle once')

  let server: DevServer | undefined
  let http: Server | undefined
  let node: RealtimeClient | undefined
  let browser: Browser | undefined
  const pageErrors: string[] = []
  let joins = 0
  try {
    server = await startDevServer({ database: false, logger: ({ message }) => void (message.startsWith(`joined ${TOPIC}`) && (joins += 1)) })
    // The server's render: no socket, `closed` everywhere; the page hydrates this markup.
    const serverClient = createRealtimeClient({ url: server.url, apikey: server.apikey })
    const markup = renderToString(createElement(ChatPage, { client: serverClient, user: 'alice', graceMs: GRACE_MS }))
    await serverClient.close()
    assert.ok(markup.includes('<p id="connection">closed</p>') && markup.includes('<p id="status">closed</p>'), markup)
    const served = await serve(code, markup)
    http = served.server
    node = createRealtimeClient({ url: server.url, apikey: server.apikey, ...FAST })
    const nodeRoom = node.channel('room:react', { presence: { key: 'node' } })
    const received: unknown[] = []
    nodeRoom.on('broadcast', { event: 'chat' }, ({ payload }) => void received.push(payload))
    await nodeRoom.subscribe()
    assert.is(await nodeRoom.track({ user: 'node' }), 'ok')

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
    const openPage = async (user: string): Promise<Page> => {
      const opened = await browser!.newPage()
      opened.on('pageerror', (error) => pageErrors.push(`${user}: ${error.message}`))
      const query = new URLSearchParams({ url: server!.url, apikey: server!.apikey, user, grace: String(GRACE_MS) })
      await opened.goto(`${served.url}/?${query}`)
      return opened
    }
    const page = await openPage('alice')

    // Step 1: hydrated without a mismatch, then open, joined, both users present; StrictMode's double mount and three components joined once.
    await waitText(page, '#connection', 'open')
    await waitText(page, '#status', 'joined')
    await waitText(page, '#presence', 'alice,node')
    assert.is(await text(page, '#status-only'), 'joined')
    assert.equal(await page.evaluate(() => (window as unknown as { hydrationErrors: string[] }).hydrationErrors), [])
    assert.is(joins, 2, 'the server saw one join from Node and one from the page')
    assert.equal(await page.evaluate(() => (window as unknown as { pageJoins: string[] }).pageJoins), [TOPIC])
    assert.is(await page.evaluate(() => (window as unknown as { pageClient: RealtimeClient }).pageClient.getChannels().length), 1)
    await page.screenshot({ path: join(OUTPUT, '1-joined-presence.png') })

    // A second page (bob): all three see each other.
    const bobPage = await openPage('bob')
    await waitText(bobPage, '#status', 'joined')
    for (const each of [page, bobPage]) await waitText(each, '#presence', 'alice,bob,node')
    assert.is(joins, 3, 'one join per page')
    await bobPage.screenshot({ path: join(OUTPUT, '1-bob-joined-presence.png') })

    // Step 2: a broadcast from Node arrives; the page's reaches Node. The status-only component was not
    // re-rendered by presence syncs; a relabel changes the callback, the listener stays one.
    const statusCommits = await page.$eval('#status-only', (element) => Number((element as HTMLElement).dataset['commits']))
    await nodeRoom.untrack()
    await waitText(page, '#presence', 'alice,bob')
    await nodeRoom.track({ user: 'node' })
    await waitText(page, '#presence', 'alice,bob,node')
    await page.click('#relabel')
    nodeRoom.broadcast('chat', { text: 'hello from node' })
    await waitText(page, '#messages', 'ab:hello from node')
    await page.click('#send')
    await waitFor(() => received.length === 1, 'Node received the page broadcast')
    assert.equal(received, [{ text: 'hi from alice' }])
    // The pages chat with each other (no self-delivery: a page does not list its own message).
    await waitText(bobPage, '#messages', 'a:hello from nodea:hi from alice')
    await bobPage.click('#send')
    await waitText(page, '#messages', 'ab:hello from nodeab:hi from bob')
    await waitFor(() => received.length === 2, 'Node received the second page broadcast')
    const statusCommitsAfter = await page.$eval('#status-only', (element) => Number((element as HTMLElement).dataset['commits']))
    assert.is(statusCommitsAfter, statusCommits, 'presence syncs did not re-render a component reading only the status')
    await page.screenshot({ path: join(OUTPUT, '2-chat.png') })
    await bobPage.screenshot({ path: join(OUTPUT, '2-bob-chat.png') })

    // Step 3: the server drops every socket; both pages show connecting then open, rejoin and chat on.
    assert.ok(server.faults.dropAllSockets() >= 3)
    for (const each of [page, bobPage]) {
      await each.waitForFunction(() => / open$/.test(document.querySelector('#connection-history')?.textContent ?? '') && document.querySelector('#connection-history')!.textContent!.split(' ').length > 3, undefined, WAIT)
      await waitText(each, '#status', 'joined')
      await waitText(each, '#presence', 'alice,bob,node')
      assert.match(await text(each, '#connection-history'), /^closed (connecting )?open (closed )?(connecting )+open$/)
    }
    await page.click('#send')
    await waitText(bobPage, '#messages', 'a:hello from nodea:hi from alicea:hi from alice')
    await bobPage.click('#send')
    await waitText(page, '#messages', 'ab:hello from nodeab:hi from bobab:hi from bob')
    await waitFor(() => received.length === 4, 'Node received both pages after the reconnect')
    await page.screenshot({ path: join(OUTPUT, '3-reconnected.png') })
    await bobPage.screenshot({ path: join(OUTPUT, '3-bob-reconnected.png') })
    const joinsBefore = joins

    // Step 4: unmount and remount within the grace: no leave, no join.
    await page.click('#toggle')
    await page.click('#toggle')
    await waitText(page, '#status', 'joined')
    await sleep(GRACE_MS + 200)
    assert.is(joins, joinsBefore, 'a remount within the grace did not rejoin')
    assert.is(await text(page, '#presence'), 'alice,bob,node')

    // Step 5: unmount for good: still there before the grace, left after it.
    // Taken before the click: the unmount cannot come earlier, however late the click returns.
    const unmountedAt = Date.now()
    await page.click('#toggle')
    await sleep(GRACE_MS / 3)
    // Checked only while the grace surely lasts (a loaded machine may return from the click late).
    if (Date.now() - unmountedAt < GRACE_MS / 2) assert.ok('alice' in nodeRoom.presenceState(), 'still present within the grace')
    await waitFor(() => !('alice' in nodeRoom.presenceState()), 'alice left after the grace')
    assert.ok(Date.now() - unmountedAt >= GRACE_MS, 'not before the grace')
    await page.waitForFunction(() => (window as unknown as { pageClient: RealtimeClient }).pageClient.getChannels().length === 0, undefined, WAIT)
    await waitText(bobPage, '#presence', 'bob,node')
    await page.screenshot({ path: join(OUTPUT, '4-unmounted.png') })
    await bobPage.screenshot({ path: join(OUTPUT, '4-bob-sees-alice-gone.png') })
    assert.equal(pageErrors, [])
  } finally {
    await browser?.close()
    await node?.close()
    await new Promise((resolve) => (http ? http.close(resolve) : resolve(undefined)))
    await server?.close()
  }
})

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await sleep(20)
  }
}

test.run()
