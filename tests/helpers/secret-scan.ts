/**
 * Issue 15, over the whole test run: loaded before the tests (`--import`, see package.json's
 * test:unit), it searches every event the client hands its listeners, every line the client logs and
 * everything the process prints for a JWT in clear (the apikey and every access token are JWTs). At
 * exit it prints what it scanned and fails the run if it found one. The redacted form
 * (`eyJ…[redacted]`) is not a JWT. tests/integration/auth-redaction.test.ts scans one run through every
 * auth path in more detail (inspection events included, and each secret by value).
 */
import { RealtimeClient } from '../../src/client.js'

const JWT = /eyJ[A-Za-z0-9_-]{2,}\.eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{8,}/

interface Finding {
  readonly where: string
  readonly excerpt: string
}

const findings: Finding[] = []
const scanned = { events: 0, logLines: 0, writes: 0, redactedSeen: 0 }

/** JSON of anything: cycles, bigints and errors (message, metadata and cause) included. */
function serialise(value: unknown): string {
  const seen = new WeakSet<object>()
  try {
    return JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return String(item)
      if (typeof item !== 'object' || item === null) return item
      if (seen.has(item)) return '[seen]'
      seen.add(item)
      if (item instanceof Error) return { name: item.name, message: item.message, cause: item.cause, ...(item as object) }
      return item
    }) ?? String(value)
  } catch (error) {
    return `[unserialisable: ${(error as Error).message}]`
  }
}

function scan(where: string, text: string): void {
  if (text.includes('eyJ…[redacted]')) scanned.redactedSeen++
  const match = JWT.exec(text)
  if (match === null) return
  const at = match.index
  // The excerpt shows where, not the token: a failing run's log is no place for it either.
  findings.push({ where, excerpt: `${text.slice(Math.max(0, at - 160), at)}${match[0].slice(0, 12)}…` })
}

type Hooked = { emit: (event: unknown) => void; log: (...entry: unknown[]) => void }
const proto = RealtimeClient.prototype as unknown as Hooked
// The scan watches the client's two exits by name: a rename must fail here, not scan nothing.
if (typeof proto.emit !== 'function' || typeof proto.log !== 'function') throw new Error('secret scan: RealtimeClient has no emit/log to watch')
const { emit, log } = proto
proto.emit = function (this: unknown, event: unknown) {
  scanned.events++
  scan('event', serialise(event))
  emit.call(this, event)
}
proto.log = function (this: unknown, ...entry: unknown[]) {
  scanned.logLines++
  scan('log', serialise(entry))
  log.apply(this, entry)
}

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    scanned.writes++
    scan(stream === process.stdout ? 'stdout' : 'stderr', typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk))
    return write(chunk, ...rest)
  }) as typeof stream.write
}

process.on('exit', () => {
  const summary = `secret scan: ${scanned.events} events, ${scanned.logLines} log lines, ${scanned.writes} writes scanned; ${scanned.redactedSeen} carried a redacted token; ${findings.length} JWTs in clear`
  process.stderr.write(`\n${summary}\n`)
  if (findings.length === 0 && scanned.events > 0) return
  for (const { where, excerpt } of findings.slice(0, 10)) process.stderr.write(`  in clear (${where}): …${excerpt}\n`)
  if (scanned.events === 0) process.stderr.write('  no event was scanned: the hooks watch nothing\n')
  process.exitCode = 1
})
