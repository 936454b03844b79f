import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createRealtimeClient } from '../../src/index.js'
import { startDevServer } from '../../src/dev-server/index.js'
import type { HeartbeatStatus } from '../../machines/connection/contract.js'

test('heartbeatCallback hears sent then ok with the round trip, and timeout when the server goes silent', async () => {
  const server = await startDevServer({ port: 0 })
  const seen: Array<[HeartbeatStatus, number | undefined]> = []
  let wake: () => void = () => {}
  const client = createRealtimeClient({
    url: server.url,
    apikey: server.apikey,
    heartbeatIntervalMs: 30,
    heartbeatTimeoutMs: 60,
    reconnectDelays: () => 10_000,
    logger: () => {},
    heartbeatCallback: (status, rttMs) => {
      seen.push([status, rttMs])
      wake()
    },
  })
  const until = (status: HeartbeatStatus) =>
    new Promise<void>((resolve) => {
      const check = () => (seen.some(([s]) => s === status) ? resolve() : (wake = check))
      check()
    })
  try {
    client.connect()
    await until('ok')
    assert.is(seen[0]![0], 'sent')
    const ok = seen.find(([status]) => status === 'ok')!
    assert.type(ok[1], 'number')
    server.faults.goSilent()
    await until('timeout')
  } finally {
    await client.close()
    await server.close()
  }
})

test.run()
