// One benchmark case for one client, in a fresh process (forked by run.mjs with --expose-gc).
// Input: the BENCH_JOB environment variable (JSON: { case, client, url, control, params, resultFile,
// xstateModule }). Output: one JSON object written synchronously to resultFile, then the process exits
// (synchronous, so a case can stop in the middle of a burst of frames without waiting for the loop).
import { writeFileSync } from 'node:fs'
import { Agent, request } from 'node:http'
import { createClient, Unsupported } from './clients.mjs'
import { postgresChangeId, postgresChangePrice, presenceKey } from './frames.mjs'

const job = JSON.parse(process.env.BENCH_JOB ?? '{}')
const agent = new Agent({ keepAlive: true, maxSockets: 1 })

function finish(result) {
  writeFileSync(job.resultFile, JSON.stringify(result))
  process.exit(0)
}

function fail(error) {
  if (error instanceof Unsupported) finish({ ok: false, unsupported: true, reason: error.message })
  else finish({ ok: false, error: String(error?.stack ?? error) })
}

process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)
process.on('disconnect', () => process.exit(1))

/** A control request to the bench server; resolves with its JSON answer. */
function control(path) {
  return new Promise((resolve, reject) => {
    const req = request(`${job.control}${path}`, { method: path.includes('stats') || path.includes('ping') ? 'GET' : 'POST', agent }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk) => (body += chunk))
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body)) : reject(new Error(`${path}: ${res.statusCode} ${body}`))))
    })
    req.on('error', reject)
    req.end()
  })
}

const now = () => performance.now()
const tick = () => new Promise((resolve) => setImmediate(resolve))
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function deferred() {
  let resolve
  const promise = new Promise((r) => (resolve = r))
  return { promise, resolve }
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([promise, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result after ${ms} ms`)), ms)))]).finally(() =>
    clearTimeout(timer),
  )
}

async function heapAfterGc() {
  for (let i = 0; i < 4; i++) {
    globalThis.gc()
    await tick()
  }
  return process.memoryUsage().heapUsed
}

/** Poll `predicate` every millisecond (timer resolution); resolves with the time it first held. */
async function waitUntil(predicate, timeoutMs, what) {
  const start = now()
  for (;;) {
    if (predicate()) return now()
    if (now() - start > timeoutMs) throw new Error(`${what}: not reached within ${timeoutMs} ms`)
    await sleep(1)
  }
}

// ── cases ──

/**
 * Blasts of `n` prebuilt `kind` frames to `topic`, which `ch` joins: the frames are prepared first (so
 * building them never lands in a timing), a warm-up blast of `warmup`, then `reps` measured blasts,
 * each timed from the blast command to the n-th `hit()` of the listener that `listen` registers.
 * `afterRep` checks each blast's outcome. Returns each blast's wall time (ms) and CPU time (µs, all threads).
 */
async function blasts(ch, { topic, kind, n, warmup, reps, listen, beforeRep = () => {}, afterRep = () => {} }) {
  let count = 0
  let target = 0
  let done = deferred()
  listen(() => {
    if (++count === target) done.resolve(now())
  })
  await withTimeout(ch.subscribe(), 10_000, 'join')
  await control(`/control/prepare?topic=${topic}&kind=${kind}&n=${warmup}`)
  await control(`/control/prepare?topic=${topic}&kind=${kind}&n=${n}`)

  target = warmup
  await control(`/control/blast?topic=${topic}&kind=${kind}&n=${warmup}`)
  await withTimeout(done.promise, 60_000, `warm-up (${count}/${warmup} received)`)

  const times = []
  const cpuUs = []
  for (let rep = 0; rep < reps; rep++) {
    count = 0
    target = n
    beforeRep()
    done = deferred()
    await sleep(20)
    const cpu0 = process.cpuUsage()
    const t0 = now()
    void control(`/control/blast?topic=${topic}&kind=${kind}&n=${n}`)
    const t1 = await withTimeout(done.promise, 120_000, `blast (${count}/${n} received)`)
    const cpu = process.cpuUsage(cpu0)
    afterRep()
    times.push(t1 - t0)
    cpuUs.push(cpu.user + cpu.system)
  }
  return { times, cpuUs }
}

/**
 * Inbound broadcasts (JSON text or binary kind 4): msgs/s from the blast command to the last callback.
 * After a warm-up blast, `reps` measured blasts; the best one counts (load from other processes only
 * ever slows a run down), all are kept.
 */
async function broadcast(client, { kind, n, warmup, reps = 1 }) {
  const ch = client.channel('bench')
  let lastId = -1
  const { times } = await blasts(ch, {
    topic: 'realtime:bench',
    kind,
    n,
    warmup,
    reps,
    listen: (hit) =>
      ch.onBroadcast((message) => {
        lastId = message.payload.id
        hit()
      }),
    beforeRep: () => (lastId = -1),
    afterRep: () => {
      if (lastId !== n - 1) throw new Error(`the last broadcast had id ${lastId}, expected ${n - 1}`)
    },
  })
  const ms = Math.min(...times)
  return { ms, msgsPerSec: (n / ms) * 1000, n, repMs: times }
}

/**
 * Postgres changes: one channel with a `'*'` binding on public.todos and a listener on it, as users
 * write it; the server sends N INSERT frames of a 10-column row (the same bytes to every client).
 * Measured: the worker's CPU time (all threads) from the blast command to the N-th callback, per change,
 * best of `reps` blasts after a warm-up; and whether the last row's int8 id and numeric price arrived exact.
 */
async function postgresChanges(client, { n, warmup, reps = 1, exact }) {
  const ch = client.channel('pg')
  let last = null
  const { times, cpuUs } = await blasts(ch, {
    topic: 'realtime:pg',
    kind: exact ? 'postgres-exact' : 'postgres',
    n,
    warmup,
    reps,
    listen: (hit) =>
      ch.onPostgresChange((row) => {
        last = row
        hit()
      }),
    beforeRep: () => (last = null),
  })
  // The rows come in order: the last one is change n - 1. Exact means the digits of its int8 id and of
  // its numeric price, whatever the JavaScript type (a number is written out in full to compare).
  const digits = (value) => (typeof value === 'number' ? (Number.isInteger(value) ? BigInt(value).toString() : String(value)) : value == null ? null : String(value))
  const lastId = digits(last?.id)
  const expected = postgresChangeId(n - 1, exact)
  if (!exact && lastId !== expected) throw new Error(`the last change had id ${lastId}, expected ${expected}`)
  const same = (got, want) => (exact ? got === want : got !== null && Number(got) === Number(want))
  const exactIds = same(lastId, expected) && same(digits(last?.price), postgresChangePrice(n - 1, exact)) ? 1 : 0
  return {
    cpuUsPerChange: Math.min(...cpuUs) / n,
    msgsPerSec: (n / Math.min(...times)) * 1000,
    exactIds,
    lastId,
    lastPrice: digits(last?.price),
    n,
    repCpuUs: cpuUs,
    repMs: times,
  }
}

/**
 * Join `channels` channels on one client: the time until all are joined (a join that fails or times
 * out is counted, and the clock runs on until the client's own retries have joined every channel, up
 * to `capMs`), then the retained heap per channel.
 */
async function channels(client, { channels: count, capMs }) {
  const warm = client.channel('warmup')
  await withTimeout(warm.subscribe(), 10_000, 'warm-up join')
  const heapBefore = await heapAfterGc()

  const held = new Array(count)
  let joins = new Array(count)
  let failedJoins = 0
  const cpu0 = process.cpuUsage()
  const t0 = now()
  for (let i = 0; i < count; i++) {
    const ch = client.channel(`bench-${i}`)
    held[i] = ch
    joins[i] = ch.subscribe().catch(() => {
      failedJoins++
    })
  }
  await withTimeout(Promise.all(joins), capMs, 'joins')
  let t1 = now()
  joins = null
  const joinedCount = () => held.reduce((n, ch) => n + (ch.joined() ? 1 : 0), 0)
  if (failedJoins > 0) {
    // Poll coarsely (10 ms) so the polling does not compete with the client.
    for (;;) {
      const joined = joinedCount()
      if (joined === count) break
      if (now() - t0 > capMs) throw new Error(`${joined}/${count} channels joined after ${capMs} ms (${failedJoins} subscribe() calls failed)`)
      await sleep(10)
    }
    t1 = now()
  }
  const joinMs = t1 - t0
  // CPU time of this process over the same span: steadier than wall time on a shared machine (A/B work).
  const cpu = process.cpuUsage(cpu0)
  const joinCpuMs = (cpu.user + cpu.system) / 1000

  const heapAfter = await heapAfterGc()
  const joined = joinedCount()
  if (joined !== count) throw new Error(`${joined}/${count} channels report joined`)
  return { joinMs, joinCpuMs, heapPerChannelBytes: (heapAfter - heapBefore) / count, heapBefore, heapAfter, channels: count, failedJoins }
}

/** presence_state of `members` members, then `diffs` diffs (one join + one leave each); the state is read on every sync. */
async function presence(client, { members, diffs, budgetMs }) {
  const topic = 'realtime:presence'
  const lastKey = presenceKey(members + diffs - 1)
  const total = diffs + 1
  const ch = client.channel('presence')
  let syncs = 0
  let t0 = 0
  const done = deferred()
  ch.onPresenceSync(() => {
    syncs++
    const complete = ch.readPresenceHas(lastKey)
    if (complete) done.resolve({ extrapolated: false })
    else if (budgetMs > 0 && t0 > 0 && now() - t0 > budgetMs) {
      // realtime-js takes close to a minute here at full size: stop and extrapolate linearly (the room
      // keeps the same size, so every sync costs about the same). Written synchronously, then exit.
      const elapsed = now() - t0
      finish({ ok: true, metrics: { ms: (elapsed / syncs) * total, measuredMs: elapsed, syncs, total, extrapolated: true, members, diffs } })
    }
  })
  await withTimeout(ch.subscribe(), 10_000, 'join')
  await control(`/control/prepare-presence?topic=${topic}&members=${members}&diffs=${diffs}`)
  await tick()
  t0 = now()
  void control(`/control/presence?topic=${topic}&members=${members}&diffs=${diffs}`)
  await withTimeout(done.promise, 300_000, `presence (${syncs}/${total} syncs)`)
  const ms = now() - t0
  const size = ch.presenceSize()
  if (size !== members) throw new Error(`the final presence state has ${size} members, expected ${members}`)
  return { ms, syncs, total, extrapolated: false, members, diffs }
}

/** `channels` joined channels; the server drops every socket; time until all are joined again. */
async function reconnect(client, { channels: count }) {
  const held = []
  const joins = []
  for (let i = 0; i < count; i++) {
    const ch = client.channel(`rc-${i}`)
    held.push(ch)
    joins.push(ch.subscribe())
  }
  await withTimeout(Promise.all(joins), 60_000, 'joins')
  await sleep(50)
  const allJoined = () => {
    for (const ch of held) if (!ch.joined()) return false
    return true
  }
  const t0 = now()
  const cpu0 = process.cpuUsage()
  await control('/control/drop')
  const noticed = await waitUntil(() => !allJoined(), 10_000, 'noticing the drop')
  const t1 = await waitUntil(allJoined, 60_000, 'rejoining')
  // CPU time of this process over the same span (the client's own work; the rest is waiting).
  const cpu = process.cpuUsage(cpu0)
  const stats = await control('/control/stats')
  const firstReconnectMs = stats.firstUpgradeAfterDropMs
  // What the client spent after its first new socket reached the server (the rejoin itself), apart
  // from the wait before it (the reconnect delay, random by design for our client).
  const afterFirstReconnectMs = firstReconnectMs === null ? null : t1 - t0 - firstReconnectMs
  return { ms: t1 - t0, noticedMs: noticed - t0, firstReconnectMs, afterFirstReconnectMs, cpuMs: (cpu.user + cpu.system) / 1000, upgrades: stats.upgradesSinceDrop, channels: count }
}

/**
 * `clients` clients, one joined channel each; the server drops every socket. Lockstep shows as every
 * client's first reconnect arriving at the same moment: reported is the spread of the first
 * `clients` upgrades after the drop (last − first) and their median delay.
 */
async function reconnectSpread(first, { clients: count }) {
  const clients = [first]
  for (let i = 1; i < count; i++) clients.push(await createClient(job.client, { url: job.url, xstateModule: job.xstateModule }))
  const held = []
  for (const [i, client] of clients.entries()) {
    const ch = client.channel(`spread-${i}`)
    await withTimeout(ch.subscribe(), 10_000, 'join')
    held.push(ch)
  }
  await sleep(50)
  await control('/control/drop')
  await waitUntil(() => held.some((ch) => !ch.joined()), 10_000, 'noticing the drop')
  await waitUntil(() => held.every((ch) => ch.joined()), 60_000, 'rejoining')
  const { upgradeTimesSinceDrop: times } = await control('/control/stats')
  const firsts = times.slice(0, count).sort((a, b) => a - b)
  if (firsts.length < count) throw new Error(`${firsts.length} upgrades after the drop, expected ${count}`)
  return { spreadMs: firsts[count - 1] - firsts[0], medianDelayMs: firsts[count >> 1], delaysMs: firsts, clients: count }
}

/**
 * The server's ceiling: a raw TCP reader (no WebSocket parsing) joins, asks for the same blast and
 * counts bytes. It shows the server writes far faster than any client reads, i.e. is not the bottleneck.
 */
async function ceiling(_client, { kind, n }) {
  const { connect } = await import('node:net')
  const { port } = new URL(job.url)
  const topic = 'realtime:bench'
  const { bytes } = await control(`/control/prepare?topic=${topic}&kind=${kind}&n=${n}`)
  const socket = connect(Number(port), '127.0.0.1')
  const maskedText = (text) => {
    const payload = Buffer.from(text)
    return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length, 0, 0, 0, 0]), payload]) // zero mask, < 126 bytes
  }
  const times = []
  let received = 0
  let waiting = null
  socket.on('data', (chunk) => {
    received += chunk.length
    if (waiting && received >= waiting.until) {
      const w = waiting
      waiting = null
      w.resolve(now())
    }
  })
  const expect = (extra) => new Promise((resolve) => (waiting = { until: received + extra, resolve }))
  await new Promise((resolve) => socket.once('connect', resolve))
  let got = expect(1)
  socket.write(`GET /socket/websocket?vsn=2.0.0 HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`)
  await got
  await sleep(20)
  got = expect(1)
  socket.write(maskedText(`["1","1","${topic}","phx_join",{}]`))
  await got
  await sleep(20)
  for (let rep = 0; rep < 3; rep++) {
    got = expect(bytes)
    const t0 = now()
    void control(`/control/blast?topic=${topic}&kind=${kind}&n=${n}`)
    times.push((await withTimeout(got, 60_000, 'ceiling blast')) - t0)
  }
  socket.destroy()
  const ms = Math.min(...times)
  return { ms, msgsPerSec: (n / ms) * 1000, bytes, repMs: times }
}

const cases = { broadcast, postgresChanges, channels, presence, reconnect, reconnectSpread, ceiling }

async function main() {
  await control('/control/ping')
  const client = job.case === 'ceiling' ? null : await createClient(job.client, { url: job.url, xstateModule: job.xstateModule })
  const run = cases[job.case]
  if (!run) throw new Error(`unknown case ${job.case}`)
  const metrics = await run(client, job.params)
  finish({ ok: true, metrics })
}

main().catch(fail)
