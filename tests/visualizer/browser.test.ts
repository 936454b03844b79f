// Issue 14, the proof: the dev server, a client with the inspection bridge, and the visualizer page in
// headless Chromium. The page shows the connection `open` and a channel `joined`; the dev server drops
// every connection; the page shows `connecting`, then `open`, and the channel `joined` again.
// Screenshots of each step go to tests/visualizer/output/ (git-ignored, replaced on every run).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { buildPage } from '../../visualizer/build-page.mjs'
import { startDevServer, type DevServer } from '../../src/dev-server/index.js'
import { createRealtimeClient, type RealtimeClient } from '../../src/index.js'
import { createInspectionBridge, machineConfigOf, chartOf, type InspectionBridge } from '../../src/inspect/index.js'
import { connectionMachine } from '../../machines/index.js'
import { FAST } from '../integration/client-harness.js'

const CHROMIUM = '/usr/bin/chromium'
const OUTPUT = join(process.cwd(), 'tests', 'visualizer', 'output')
const TOPIC = 'realtime:room:viz'
/** Long enough for the page to show `connecting` live, short enough for the suite. */
const SLOW_TOKEN_MS = 1000
const WAIT = { timeout: 10_000 }

test('the page follows a client through a dropped connection: open/joined → connecting → open/joined', async () => {
  // No silent skip: CI installs Chromium (.ci/run); a machine without it fails here.
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium (see .ci/run)`)
  rmSync(OUTPUT, { recursive: true, force: true })
  mkdirSync(OUTPUT, { recursive: true })
  const pageDir = await buildPage(join(OUTPUT, 'page'))

  let server: DevServer | undefined
  let bridge: InspectionBridge | undefined
  let client: RealtimeClient | undefined
  let browser: Browser | undefined
  const pageErrors: string[] = []
  try {
    server = await startDevServer()
    bridge = await createInspectionBridge({ pageDir })
    // After the drop, the token function takes a while, so `connecting` lasts long enough to be seen live.
    let slowTokens = false
    const token = server.signToken({ role: 'authenticated', sub: 'viz' })
    client = createRealtimeClient({
      url: server.url,
      apikey: server.apikey,
      ...FAST,
      reconnectDelays: () => 100,
      heartbeatIntervalMs: 300,
      accessTokenFn: async () => {
        if (slowTokens) await new Promise((resolve) => setTimeout(resolve, SLOW_TOKEN_MS))
        return token
      },
      inspect: bridge.inspect,
    })
    await client.channel('room:viz').subscribe()

    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
    })
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 }, acceptDownloads: true })
    page.on('pageerror', (error) => pageErrors.push(error.message))
    await page.goto(bridge.url)

    // Step 1: open and joined, and the charts drawn from the machines.
    await page.waitForSelector('[data-chart="connection"][data-summary="open"]', WAIT)
    await page.waitForSelector(channelRow('joined'), WAIT)
    await page.waitForSelector('[data-chart="connection"] svg [data-state="socket.open.heartbeat.idle"]', WAIT)
    await page.waitForSelector('[data-chart="channel"] svg [data-state="joined"].active', WAIT)
    assert.ok(await page.isVisible('[data-chart="connection"] svg [data-state="socket.open"].active'), 'the open state is highlighted')
    await page.screenshot({ path: join(OUTPUT, '1-open-joined.png') })
    const beforeDrop = await maxSeq(page)

    // Step 2: every connection dropped; the page shows the reconnect under way.
    slowTokens = true
    assert.ok(server.faults.dropAllSockets() >= 1, 'the client was connected')
    await page.waitForSelector('[data-chart="connection"][data-summary="connecting"]', WAIT)
    await page.screenshot({ path: join(OUTPUT, '2-connecting.png') })

    // Step 3: open again and the channel rejoined.
    await page.waitForSelector('[data-chart="connection"][data-summary="open"]', WAIT)
    await page.waitForFunction(
      ({ seq, topic }) =>
        [...document.querySelectorAll<HTMLElement>(`#transitions li[data-actor-id="${topic}"][data-to-summary="joined"]`)].some((row) => Number(row.dataset['seq']) > seq),
      { seq: beforeDrop, topic: TOPIC },
      WAIT,
    )
    await page.waitForSelector(channelRow('joined'), WAIT)
    await page.screenshot({ path: join(OUTPUT, '3-open-rejoined.png') })

    // The recent transitions say the same, in order, after the drop: connecting, then open.
    const after = await connectionSummariesAfter(page, beforeDrop)
    const connecting = after.indexOf('connecting')
    assert.ok(connecting >= 0, `connecting after the drop (saw ${after.join(', ')})`)
    assert.ok(after.indexOf('open', connecting) > connecting, `open after connecting (saw ${after.join(', ')})`)
    await page.waitForFunction(() => /^\d+ ms$/.test(document.querySelector('[data-metric="rtt"] .value')?.textContent ?? ''), undefined, WAIT)

    // Export: the downloaded JSON is the connection machine's config.
    const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.click('[data-chart="connection"] [data-role="export"]')])
    const exported = JSON.parse(await streamText(await download.createReadStream())) as unknown
    assert.equal(exported, JSON.parse(JSON.stringify(machineConfigOf(chartOf(connectionMachine)))))
    assert.equal(pageErrors, [])
  } finally {
    await browser?.close()
    await client?.close()
    await bridge?.close()
    await server?.close()
  }
})

function channelRow(summary: string): string {
  return `[data-group="channel"] li[data-actor-id="${TOPIC}"][data-summary="${summary}"]`
}

async function maxSeq(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, ...[...document.querySelectorAll<HTMLElement>('[data-seq]')].map((row) => Number(row.dataset['seq']))))
}

/** The summaries the connection entered after `seq`, oldest first (the list shows newest first). */
async function connectionSummariesAfter(page: Page, seq: number): Promise<string[]> {
  return page.evaluate(
    (after) =>
      [...document.querySelectorAll<HTMLElement>('#transitions li[data-actor-id="connection"]')]
        .filter((row) => Number(row.dataset['seq']) > after)
        .map((row) => row.dataset['toSummary'] ?? '')
        .reverse(),
    seq,
  )
}

async function streamText(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer))
  return Buffer.concat(chunks).toString('utf8')
}

test.run()
