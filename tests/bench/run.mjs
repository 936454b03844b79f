// `npm run bench`: realtime-xstate side by side with @supabase/realtime-js, phoenix and a raw `ws`
// floor, in one run, on the same server, with the same frames (issue 6).
//
//   - the bench server (server.mjs) runs in its own process and writes prebuilt frames in 1 MiB writes;
//   - every (case, client) pair runs in a fresh worker process (worker.mjs, --expose-gc);
//   - cases are interleaved over several rounds, the client order rotating each round; medians are
//     reported with the ratio to the floor and to realtime-js;
//   - browser bundle sizes come from esbuild (bundle.mjs);
//   - the table goes to stdout, the results (every sample, the machine, the config) to
//     .bench-results/latest.json (+ a timestamped copy) and the table to .bench-results/latest.md.
//
// Environment: BENCH_QUICK=1 (small sizes, 2 rounds), BENCH_ROUNDS, BENCH_BROADCASTS, BENCH_CHANNELS,
// BENCH_PRESENCE_MEMBERS, BENCH_PRESENCE_DIFFS, BENCH_PRESENCE_BUDGET_MS, BENCH_RECONNECT_CHANNELS, BENCH_SPREAD_CLIENTS,
// BENCH_BROADCAST_REPS (also the postgres cases' blasts), BENCH_CHANGES, BENCH_JOIN_CAP_MS, BENCH_SLOW_CASE_MS, BENCH_CASES / BENCH_CLIENTS (comma lists to run a subset),
// BENCH_CASE_TIMEOUT_MS, BENCH_PROFILE (a directory: every worker writes a --cpu-prof profile there).
// Benchmarks report; they never fail: the exit code is 0 unless the harness itself breaks.
import { execFileSync, fork } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, totalmem, platform, release, arch } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { bundleSizes } from './bundle.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '../..')
const resultsDir = join(root, '.bench-results')
const workDir = join(resultsDir, `run-${process.pid}`)

// ── configuration ──

const env = process.env
const quick = env.BENCH_QUICK === '1' || env.BENCH_QUICK === 'true'
const int = (name, full, small) => {
  const value = env[name]
  if (value !== undefined && value !== '') {
    const n = Number(value)
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`)
    return n
  }
  return quick ? small : full
}
const config = {
  quick,
  rounds: Math.max(1, int('BENCH_ROUNDS', 3, 2)),
  broadcasts: int('BENCH_BROADCASTS', 200_000, 20_000),
  changes: int('BENCH_CHANGES', 50_000, 5_000),
  channels: int('BENCH_CHANNELS', 5_000, 500),
  presenceMembers: int('BENCH_PRESENCE_MEMBERS', 10_000, 1_000),
  presenceDiffs: int('BENCH_PRESENCE_DIFFS', 1_000, 100),
  // A client slower than this on the presence case is stopped and its total extrapolated (marked ~).
  presenceBudgetMs: int('BENCH_PRESENCE_BUDGET_MS', 10_000, 5_000),
  reconnectChannels: int('BENCH_RECONNECT_CHANNELS', 500, 100),
  spreadClients: Math.max(2, int('BENCH_SPREAD_CLIENTS', 20, 10)),
  // Measured blasts per broadcast worker (after a warm-up); the best one counts.
  broadcastReps: Math.max(1, int('BENCH_BROADCAST_REPS', 5, 2)),
  // The join case gives up when the channels are not all joined after this long.
  joinCapMs: int('BENCH_JOIN_CAP_MS', 60_000, 30_000),
  caseTimeoutMs: int('BENCH_CASE_TIMEOUT_MS', 240_000, 120_000),
  // A (case, client) whose worker takes longer than this runs in the first round only.
  slowCaseMs: int('BENCH_SLOW_CASE_MS', 15_000, 15_000),
}
config.warmup = Math.max(1_000, Math.round(config.broadcasts / 10))

const CLIENTS = ['floor', 'realtime-js', 'phoenix', 'realtime-xstate']
const only = (name) => (env[name] ? env[name].split(',').map((s) => s.trim()).filter(Boolean) : null)
const onlyCases = only('BENCH_CASES')
const onlyClients = only('BENCH_CLIENTS')

/** The cases: what the worker runs, for which clients, and why a client is left out. */
const CASES = [
  { id: 'broadcast-json', run: 'broadcast', params: { kind: 'json', n: config.broadcasts, warmup: config.warmup, reps: config.broadcastReps }, clients: CLIENTS },
  {
    id: 'broadcast-binary',
    run: 'broadcast',
    params: { kind: 'binary', n: config.broadcasts, warmup: config.warmup, reps: config.broadcastReps },
    clients: ['floor', 'realtime-js', 'realtime-xstate'],
    skipped: { phoenix: 'phoenix.js does not decode kind-4 user broadcasts' },
  },
  ...[false, true].map((exact) => ({
    id: exact ? 'postgres-exact' : 'postgres',
    run: 'postgresChanges',
    params: { n: config.changes, warmup: Math.max(1_000, Math.round(config.changes / 10)), reps: config.broadcastReps, exact },
    clients: ['floor', 'realtime-js', 'realtime-xstate'],
    skipped: { phoenix: 'phoenix.js has no postgres_changes bindings' },
  })),
  { id: 'channels', run: 'channels', params: { channels: config.channels, capMs: config.joinCapMs }, clients: CLIENTS },
  {
    id: 'presence',
    run: 'presence',
    params: { members: config.presenceMembers, diffs: config.presenceDiffs, budgetMs: config.presenceBudgetMs },
    clients: CLIENTS,
  },
  { id: 'reconnect', run: 'reconnect', params: { channels: config.reconnectChannels }, clients: CLIENTS },
  { id: 'reconnect-spread', run: 'reconnectSpread', params: { clients: config.spreadClients }, clients: ['realtime-js', 'phoenix', 'realtime-xstate'], skipped: { floor: 'the floor does not reconnect' } },
].filter((c) => !onlyCases || onlyCases.includes(c.id))

// ── process bookkeeping: everything started here is stopped here, even on error ──

const children = new Set()
let cleanedUp = false

function cleanup() {
  if (cleanedUp) return
  cleanedUp = true
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
  children.clear()
  rmSync(workDir, { recursive: true, force: true })
}

process.on('exit', cleanup)
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    console.error(`\nbench: ${signal}, stopping`)
    cleanup()
    process.exit(130)
  })
}

function track(child) {
  children.add(child)
  child.on('exit', () => children.delete(child))
  return child
}

function startServer() {
  return new Promise((resolvePort, reject) => {
    const server = track(fork(join(here, 'server.mjs'), [], { cwd: root, stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...env, BENCH_PORT: '0' } }))
    const timer = setTimeout(() => reject(new Error('the bench server did not start within 10 s')), 10_000)
    server.once('message', (message) => {
      clearTimeout(timer)
      if (message?.type === 'listening') resolvePort({ server, port: message.port })
      else reject(new Error(`unexpected message from the bench server: ${JSON.stringify(message)}`))
    })
    server.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before listening`)))
  })
}

async function resetServer(port) {
  const res = await fetch(`http://127.0.0.1:${port}/control/reset`, { method: 'POST' })
  await res.arrayBuffer()
}

let jobCounter = 0
function runWorker(job) {
  const resultFile = join(workDir, `job-${++jobCounter}.json`)
  return new Promise((resolveResult) => {
    const child = track(
      fork(join(here, 'worker.mjs'), [], {
        cwd: root,
        // BENCH_PROFILE=<dir>: a CPU profile of every worker (open in Chrome DevTools), for the note's "what bounds it".
        execArgv: env.BENCH_PROFILE ? ['--expose-gc', '--cpu-prof', `--cpu-prof-dir=${resolve(env.BENCH_PROFILE)}`] : ['--expose-gc'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        env: { ...env, BENCH_JOB: JSON.stringify({ ...job, resultFile }) },
      }),
    )
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 4000) stderr += chunk
    })
    const timer = setTimeout(() => child.kill('SIGKILL'), config.caseTimeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      let result
      try {
        result = JSON.parse(readFileSync(resultFile, 'utf8'))
      } catch {
        const why = signal === 'SIGKILL' ? `killed after ${config.caseTimeoutMs} ms` : `exited with ${code ?? signal} and no result`
        result = { ok: false, error: `${why}${stderr ? `: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}` }
      }
      resolveResult(result)
    })
  })
}

/** Our client, bundled from the TS sources for Node (dependencies external), or why it is unavailable. */
async function buildXState() {
  if (!existsSync(join(root, 'src/client.ts')) || !existsSync(join(root, 'src/index.ts'))) {
    return { module: null, reason: 'src/client.ts does not exist yet' }
  }
  const outfile = join(workDir, 'realtime-xstate.mjs')
  try {
    const { build } = await import('esbuild')
    await build({
      entryPoints: [join(root, 'src/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outfile,
      logLevel: 'silent',
    })
    // Resolve `ws`, `xstate`, `valibot` from the repository's node_modules.
    return { module: pathToFileURL(outfile).href, reason: null }
  } catch (error) {
    return { module: null, reason: `esbuild could not bundle src/index.ts: ${String(error?.message ?? error).split('\n')[0]}` }
  }
}

// ── statistics and formatting ──

const median = (values) => {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

const group = (n) => String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
const fmt = {
  rate: (v) => `${group(v)}/s`,
  us: (v) => `${v.toFixed(2)} µs`,
  ms: (v) => (v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : v >= 100 ? `${group(v)} ms` : `${v.toFixed(1)} ms`),
  kb: (v) => `${(v / 1024).toFixed(1)} KB`,
  ratio: (v) => (v === null || !Number.isFinite(v) ? '—' : v.toFixed(2)),
}

function gitInfo() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src', 'machines'], { cwd: root, encoding: 'utf8' }).trim().length > 0
    return { commit, dirtySources: dirty }
  } catch {
    return null
  }
}

function versionOf(pkg) {
  try {
    return JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version
  } catch {
    return null
  }
}

function machine() {
  const cpu = cpus()
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGB: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    loadavg: loadavg().map((l) => Number(l.toFixed(2))),
  }
}

// ── main ──

/** Remove the work folders of earlier runs that were killed before they could clean up. */
function removeStaleWorkDirs() {
  if (!existsSync(resultsDir)) return
  for (const name of readdirSync(resultsDir)) {
    const match = /^run-(\d+)$/.exec(name)
    if (!match || Number(match[1]) === process.pid) continue
    let alive = true
    try {
      process.kill(Number(match[1]), 0)
    } catch (error) {
      alive = error?.code !== 'ESRCH'
    }
    if (!alive) rmSync(join(resultsDir, name), { recursive: true, force: true })
  }
}

async function main() {
  removeStaleWorkDirs()
  mkdirSync(workDir, { recursive: true })
  const startedAt = new Date()
  const machineAtStart = machine()
  console.log(`bench: ${quick ? 'QUICK ' : ''}${config.rounds} rounds; ${group(config.broadcasts)} broadcasts, ${group(config.channels)} channels, presence ${group(config.presenceMembers)} + ${group(config.presenceDiffs)} diffs, reconnect ${group(config.reconnectChannels)} channels`)
  console.log(`bench: ${machineAtStart.cpu} × ${machineAtStart.cores}, ${machineAtStart.node}, load ${machineAtStart.loadavg.join(' ')}`)

  const xstate = await buildXState()
  if (!xstate.module) console.log(`bench: realtime-xstate not available: ${xstate.reason}`)

  const { server, port } = await startServer()
  server.on('exit', (code, signal) => {
    if (!cleanedUp) console.error(`bench: the bench server exited unexpectedly (${code ?? signal})`)
  })
  const url = `ws://127.0.0.1:${port}/socket`
  const controlUrl = `http://127.0.0.1:${port}`

  // Is the server fast enough? A raw TCP reader takes the JSON blast without any WebSocket parsing.
  let serverCeiling = null
  if (CASES.some((c) => c.run === 'broadcast')) {
    await resetServer(port)
    const result = await runWorker({ case: 'ceiling', client: 'none', url, control: controlUrl, params: { kind: 'json', n: config.broadcasts } })
    serverCeiling = result.ok ? result.metrics : { error: result.error }
    console.log(`  server ceiling (raw TCP reader, no WebSocket parsing): ${result.ok ? fmt.rate(result.metrics.msgsPerSec) : `FAILED: ${result.error}`}`)
  }

  /** samples[caseId][client] = [metrics…]; notes[caseId][client] = why there is no number */
  const samples = {}
  const notes = {}
  const errors = []
  // A (case, client) whose run took longer than slowCaseMs is not run again in later rounds (its
  // median is then of one sample): it keeps the whole run within a few minutes.
  const skipLater = new Set()
  for (const c of CASES) {
    samples[c.id] = {}
    notes[c.id] = { ...(c.skipped ?? {}) }
  }

  for (let round = 0; round < config.rounds; round++) {
    for (const c of CASES) {
      const clients = c.clients.filter((client) => !onlyClients || onlyClients.includes(client))
      // Rotate the order each round so no client always runs first (or last) in a case.
      const order = clients.map((_, i) => clients[(i + round) % clients.length])
      for (const client of order) {
        if (client === 'realtime-xstate' && !xstate.module) {
          notes[c.id][client] = xstate.reason
          continue
        }
        if (notes[c.id][client]?.startsWith('unsupported') || skipLater.has(`${c.id}:${client}`)) continue
        await resetServer(port)
        const started = performance.now()
        const result = await runWorker({ case: c.run, client, url, control: controlUrl, params: c.params, xstateModule: xstate.module })
        const tookMs = performance.now() - started
        const took = `${(tookMs / 1000).toFixed(1)} s${tookMs > config.slowCaseMs && round + 1 < config.rounds ? ', slow: not repeated' : ''}`
        if (tookMs > config.slowCaseMs) skipLater.add(`${c.id}:${client}`)
        if (result.ok) {
          ;(samples[c.id][client] ??= []).push(result.metrics)
          console.log(`  round ${round + 1} ${c.id.padEnd(16)} ${client.padEnd(15)} ${summarize(c.id, result.metrics)}  (${took})`)
        } else if (result.unsupported) {
          notes[c.id][client] = `unsupported: ${result.reason}`
          console.log(`  round ${round + 1} ${c.id.padEnd(16)} ${client.padEnd(15)} n/a: ${result.reason}`)
        } else {
          errors.push({ round: round + 1, case: c.id, client, error: result.error })
          notes[c.id][client] ??= `failed: ${result.error.split('\n')[0]}`
          console.log(`  round ${round + 1} ${c.id.padEnd(16)} ${client.padEnd(15)} FAILED: ${result.error.split('\n')[0]}  (${took})`)
        }
      }
    }
  }

  console.log('bench: bundle sizes (esbuild, browser, minified, tree-shaken)')
  const bundles = await bundleSizes(root)

  server.kill('SIGTERM')

  const medians = {}
  for (const [caseId, byClient] of Object.entries(samples)) {
    medians[caseId] = {}
    for (const [client, list] of Object.entries(byClient)) {
      const keys = Object.keys(list[0]).filter((k) => typeof list[0][k] === 'number')
      medians[caseId][client] = Object.fromEntries(keys.map((k) => [k, median(list.map((m) => m[k]))]))
      medians[caseId][client].samples = list.length
      medians[caseId][client].extrapolated = list.some((m) => m.extrapolated === true)
    }
  }

  const rows = buildRows(medians, notes, bundles, samples)
  const table = renderTable(rows)
  const targets = renderTargets(rows)
  const machineAtEnd = machine()
  const ceilingText = serverCeiling?.msgsPerSec ? ` · server ceiling ${fmt.rate(serverCeiling.msgsPerSec)}` : ''
  const header = `${startedAt.toISOString()} · ${machineAtStart.cpu} × ${machineAtStart.cores} cores · ${machineAtStart.node} · load ${machineAtStart.loadavg.join('/')} → ${machineAtEnd.loadavg.join('/')} · medians of ${config.rounds} rounds (runs slower than ${config.slowCaseMs / 1000} s: first round only)${ceilingText}${quick ? ' · QUICK sizes' : ''}`
  console.log(`\n${header}\n\n${table}\n\n${targets}`)
  if (errors.length > 0) console.log(`\n${errors.length} failed run(s); see errors in the JSON.`)

  const report = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { ...machineAtStart, loadavgAtEnd: machineAtEnd.loadavg },
    git: gitInfo(),
    versions: {
      '@supabase/realtime-js': versionOf('@supabase/realtime-js'),
      phoenix: versionOf('phoenix'),
      ws: versionOf('ws'),
      xstate: versionOf('xstate'),
      esbuild: versionOf('esbuild'),
    },
    config,
    serverCeiling,
    xstateAvailable: xstate.module !== null,
    xstateUnavailableReason: xstate.reason,
    rows,
    medians,
    samples,
    notes,
    errors,
    bundles,
  }
  mkdirSync(resultsDir, { recursive: true })
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
  writeFileSync(join(resultsDir, `bench-${stamp}.json`), JSON.stringify(report, null, 2))
  writeFileSync(join(resultsDir, 'latest.json'), JSON.stringify(report, null, 2))
  writeFileSync(join(resultsDir, 'latest.md'), `${header}\n\n${table}\n\n${targets}\n`)
  console.log(`\nbench: results in .bench-results/latest.json (and bench-${stamp}.json), table in .bench-results/latest.md`)
}

function summarize(caseId, m) {
  switch (caseId) {
    case 'broadcast-json':
    case 'broadcast-binary':
      return `${fmt.rate(m.msgsPerSec)} (${fmt.ms(m.ms)})`
    case 'postgres':
    case 'postgres-exact':
      return `${fmt.us(m.cpuUsPerChange)} CPU/change, ${fmt.rate(m.msgsPerSec)}, last row ${m.exactIds ? 'exact' : `not exact (id ${m.lastId}, price ${m.lastPrice})`}`
    case 'channels':
      return `joined in ${fmt.ms(m.joinMs)}${m.failedJoins ? ` (${m.failedJoins} subscribe() calls failed first)` : ''}, ${fmt.kb(m.heapPerChannelBytes)}/channel`
    case 'presence':
      return `${m.extrapolated ? '~' : ''}${fmt.ms(m.ms)}${m.extrapolated ? ` (extrapolated from ${m.syncs}/${m.total} syncs)` : ''}`
    case 'reconnect-spread':
      return `first reconnects spread over ${fmt.ms(m.spreadMs)} (median delay ${fmt.ms(m.medianDelayMs)})`
    case 'reconnect':
      return `all rejoined after ${fmt.ms(m.ms)} (first reconnect ${m.firstReconnectMs === null ? '?' : fmt.ms(m.firstReconnectMs)}, then ${m.afterFirstReconnectMs == null ? '?' : fmt.ms(m.afterFirstReconnectMs)} to rejoin)`
    default:
      return JSON.stringify(m)
  }
}

/**
 * Table rows. `better` says which way a ratio is good: 'higher' for throughput, 'lower' for times and
 * sizes. `values[client]` is a number or null (then `notes[client]` says why).
 */
function buildRows(medians, notes, bundles, samples = {}) {
  const rows = []
  const fromCase = (caseId, key, label, unit, better, target) => {
    if (!medians[caseId] && !notes[caseId]) return
    const values = {}
    const why = {}
    const approx = {}
    for (const client of CLIENTS) {
      const m = medians[caseId]?.[client]
      values[client] = m?.[key] ?? null
      approx[client] = m?.extrapolated === true
      if (values[client] === null) why[client] = notes[caseId]?.[client] ?? 'not run'
    }
    const failedJoins = Object.fromEntries(CLIENTS.map((client) => [client, medians[caseId]?.[client]?.failedJoins ?? 0]))
    const paired = {
      floor: pairedRatio(samples[caseId]?.['realtime-xstate'], samples[caseId]?.floor, key),
      'realtime-js': pairedRatio(samples[caseId]?.['realtime-xstate'], samples[caseId]?.['realtime-js'], key),
    }
    rows.push({ id: `${caseId}:${key}`, label, unit, better, values, notes: why, approx, failedJoins, target, paired })
  }
  fromCase('broadcast-json', 'msgsPerSec', `inbound broadcasts, ${group(config.broadcasts)} JSON frames (vsn 2.0.0)`, 'rate', 'higher', { vsFloor: 0.95, text: '≥ 0.95 × floor' })
  fromCase('broadcast-binary', 'msgsPerSec', `inbound binary user broadcasts (kind 4), ${group(config.broadcasts)}`, 'rate', 'higher', { vsFloor: 0.85, text: '≥ 0.85 × floor' })
  // Issue 12: CPU per delivered change, the same frames for every client; realtime-xstate must stay exact.
  fromCase('postgres', 'cpuUsPerChange', `postgres changes: client CPU per delivered change, 10-column row (int8, text, bool, timestamptz, jsonb, numeric, arrays), ${group(config.changes)} INSERTs`, 'us', 'lower', {
    vsRealtimeJs: 1,
    exact: 'postgres',
    text: '≤ realtime-js, exact',
  })
  fromCase('postgres-exact', 'cpuUsPerChange', `the same row with an int8 beyond 2^53 and a 30-digit numeric (realtime-js and the floor round them)`, 'us', 'lower', {
    vsRealtimeJs: 1,
    exact: 'postgres-exact',
    text: '≤ realtime-js, exact',
  })
  fromCase('channels', 'joinMs', `join ${group(config.channels)} channels on one client`, 'ms', 'lower', { vsRealtimeJs: 0.5, text: '≤ 0.5 × realtime-js' })
  fromCase('channels', 'heapPerChannelBytes', `retained heap per joined channel (${group(config.channels)})`, 'bytes', 'lower', { absolute: 4 * 1024, text: '≤ 4 KB' })
  fromCase(
    'presence',
    'ms',
    `presence: ${group(config.presenceMembers)} members + ${group(config.presenceDiffs)} diffs, state read on every sync`,
    'ms',
    'lower',
    config.presenceMembers === 10_000 && config.presenceDiffs === 1_000 ? { absolute: 500, text: '≤ 0.5 s' } : { text: '≤ 0.5 s (at full size only)' },
  )
  fromCase('reconnect', 'ms', `reconnect: ${group(config.reconnectChannels)} channels, server drops every socket`, 'ms', 'lower', { vsRealtimeJs: 0.25, text: '≤ 0.25 × realtime-js' })
  // Informational: the same reconnect from the first new socket on (without the retry delay, random
  // by design for our client), i.e. the rejoin itself.
  fromCase('reconnect', 'afterFirstReconnectMs', `reconnect, from the first new socket to all ${group(config.reconnectChannels)} rejoined`, 'ms', 'lower', null)
  // Informational (issue 6's "without lockstep reconnects"): 0 ms means every client came back at once.
  fromCase('reconnect-spread', 'spreadMs', `reconnect spread: ${config.spreadClients} clients, first reconnects from first to last (0 = lockstep)`, 'ms', 'higher', null)

  const size = (kind) => {
    const values = { floor: null }
    const why = { floor: '—' }
    for (const client of ['realtime-js', 'phoenix', 'realtime-xstate']) {
      const entry = bundles[client]?.client
      values[client] = entry?.[kind] ?? null
      if (values[client] === null) why[client] = entry?.unavailable ?? 'not measured'
    }
    return { values, notes: why }
  }
  rows.push({ id: 'bundle:gzip', label: `browser bundle of the client, gzip -${bundles.gzipLevel}`, unit: 'bytes', better: 'lower', approx: {}, target: { sameAsRealtimeJs: true, text: '≤ realtime-js' }, ...size('gzipBytes') })
  rows.push({ id: 'bundle:raw', label: 'browser bundle of the client, minified', unit: 'bytes', better: 'lower', approx: {}, target: null, ...size('rawBytes') })
  const only = bundles['realtime-xstate']?.clientOnly
  rows.push({
    id: 'bundle:client-only-gzip',
    label: 'browser bundle, only createRealtimeClient, gzip',
    unit: 'bytes',
    better: 'lower',
    approx: {},
    target: null,
    values: { floor: null, 'realtime-js': null, phoenix: null, 'realtime-xstate': only?.gzipBytes ?? null },
    notes: { floor: '—', 'realtime-js': '—', phoenix: '—', 'realtime-xstate': only?.unavailable ?? 'not measured' },
  })
  const react = bundles['realtime-xstate']?.react
  const client = bundles['realtime-xstate']?.client
  const added = react?.gzipBytes !== undefined && client?.gzipBytes !== undefined ? `+${react.gzipBytes - client.gzipBytes} B over \`.\`` : null
  rows.push({
    id: 'bundle:react-gzip',
    label: `browser bundle of \`.\` with the React entry (React external, xstate once), gzip${added ? ` (${added})` : ''}`,
    unit: 'bytes',
    better: 'lower',
    approx: {},
    target: null,
    values: { floor: null, 'realtime-js': null, phoenix: null, 'realtime-xstate': react?.gzipBytes ?? null },
    notes: { floor: '—', 'realtime-js': '—', phoenix: '—', 'realtime-xstate': added ?? (react?.unavailable ? 'n/a (src/react/index.ts missing)' : 'not measured') },
  })

  for (const row of rows) {
    const x = row.values['realtime-xstate']
    const floor = row.values.floor
    const rjs = row.values['realtime-js']
    // Paired by round where every round has both samples (the machine's speed drifts between rounds;
    // a ratio of two workers that ran back to back cancels most of that), else the ratio of medians.
    row.ratioXStateFloor = row.paired?.floor ?? (x !== null && floor ? x / floor : null)
    row.ratioXStateRealtimeJs = row.paired?.['realtime-js'] ?? (x !== null && rjs ? x / rjs : null)
    if (row.target?.exact) {
      const rounds = samples[row.target.exact]?.['realtime-xstate'] ?? []
      row.exactRounds = rounds.length > 0 && rounds.every((m) => m.exactIds === 1)
    }
    row.met = targetMet(row)
  }
  return rows
}

/** The median over rounds of a[r][key] / b[r][key], or null unless both have one sample per round. */
function pairedRatio(a, b, key) {
  if (!a || !b || a.length !== b.length || a.length !== config.rounds) return null
  const ratios = a.map((m, r) => (typeof m[key] === 'number' && b[r][key] ? m[key] / b[r][key] : null))
  return ratios.includes(null) ? null : median(ratios)
}

function targetMet(row) {
  const t = row.target
  const x = row.values['realtime-xstate']
  if (!t || x === null) return null
  if (t.vsFloor !== undefined) return row.ratioXStateFloor === null ? null : row.ratioXStateFloor >= t.vsFloor
  // "while exact": every round's last row must have arrived with its exact digits.
  if (t.exact !== undefined && row.exactRounds !== undefined && row.exactRounds !== true) return false
  if (t.vsRealtimeJs !== undefined) return row.ratioXStateRealtimeJs === null ? null : row.ratioXStateRealtimeJs <= t.vsRealtimeJs
  if (t.absolute !== undefined) return x <= t.absolute
  if (t.sameAsRealtimeJs) return row.values['realtime-js'] === null ? null : x <= row.values['realtime-js']
  return null
}

function cell(row, client) {
  const v = row.values[client]
  if (v === null) {
    const note = row.notes[client] ?? ''
    if (note === '—') return '—'
    if (note.startsWith('failed')) return 'failed'
    if (client === 'realtime-xstate' || note.startsWith('unsupported')) return 'n/a'
    return note.startsWith('phoenix.js does not') ? '—' : 'n/a'
  }
  const approx = row.approx?.[client] ? '~' : ''
  switch (row.unit) {
    case 'rate': {
      const floor = row.values.floor
      return floor && client !== 'floor' ? `${fmt.rate(v)} (${fmt.ratio(v / floor)})` : fmt.rate(v)
    }
    case 'us':
      return fmt.us(v)
    case 'ms': {
      const failed = row.id === 'channels:joinMs' ? row.failedJoins?.[client] : 0
      return approx + fmt.ms(v) + (failed ? ` (${Math.round(failed)} joins failed first)` : '')
    }
    case 'bytes':
      return fmt.kb(v)
    default:
      return String(v)
  }
}

function renderTable(rows) {
  const head = ['benchmark', 'floor', 'realtime-js', 'phoenix', 'realtime-xstate', 'ratio xstate/floor', 'xstate/realtime-js']
  const body = rows.map((row) => [row.label, ...CLIENTS.map((client) => cell(row, client)), fmt.ratio(row.ratioXStateFloor), fmt.ratio(row.ratioXStateRealtimeJs)])
  const lines = [head, head.map(() => '---'), ...body].map((cols) => `| ${cols.join(' | ')} |`)
  const legend = [
    'Throughput rows show msgs/s with the ratio of medians to the floor in brackets (higher is better); times and sizes: lower is better.',
    'The two ratio columns are medians of per-round ratios (each round runs the clients back to back), which the machine\'s drift between rounds disturbs less.',
    '~ = extrapolated linearly from the syncs done within the presence budget. — = does not apply. n/a = not available (see notes in the JSON).',
  ]
  return `${lines.join('\n')}\n\n${legend.join('\n')}`
}

function renderTargets(rows) {
  const lines = ['Targets (issue 6; postgres changes: issue 12) for realtime-xstate:']
  for (const row of rows) {
    if (!row.target) continue
    const status = row.met === null ? 'not measured' : row.met ? 'met' : 'not met'
    lines.push(`- ${row.label}: ${row.target.text} → ${status}`)
  }
  return lines.join('\n')
}

main()
  .catch((error) => {
    console.error('bench: the harness failed:', error?.stack ?? error)
    process.exitCode = 1
  })
  .finally(cleanup)
