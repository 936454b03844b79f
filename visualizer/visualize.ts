#!/usr/bin/env node
/**
 * `npm run visualize`: the local dev server, a client with a few channels that chat every second, and
 * the visualizer page watching it. Prints the page's URL; Ctrl-C stops everything. The dev server's
 * fault endpoint is on, so `curl -X POST <dev server>/__faults/drop` shows a reconnect live.
 */
import { startDevServer } from '../src/dev-server/index.js'
import { createRealtimeClient } from '../src/index.js'
import { startVisualizer } from './start.js'

const TOPICS = ['room:lobby', 'room:1', 'room:2']

const server = await startDevServer({ port: Number(process.env['DEV_SERVER_PORT'] ?? 0), faultEndpoint: true })
const bridge = await startVisualizer()
const client = createRealtimeClient({ url: server.url, apikey: server.apikey, inspect: bridge.inspect })
const channels = TOPICS.map((topic) => client.channel(topic, { broadcast: { self: true } }))
await Promise.all(channels.map((channel) => channel.subscribe()))
console.log(`dev server: ${server.url} (drop every connection: curl -X POST ${server.url}/__faults/drop)`)
console.log('press Ctrl-C to stop')

let tick = 0
const timer = setInterval(() => {
  tick += 1
  channels[tick % channels.length]?.broadcast('tick', { n: tick })
}, 1000)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  clearInterval(timer)
  await client.close()
  await bridge.close()
  await server.close()
}
process.once('SIGINT', () => void stop())
process.once('SIGTERM', () => void stop())
