/** Identifiers the server makes up: presence keys (UUID v1, as Realtime generates), presence refs, binding ids. */
import { createHash, randomBytes } from 'node:crypto'

// 100-ns intervals between the Gregorian epoch (1582-10-15) and the Unix epoch.
const GREGORIAN_OFFSET = 122_192_928_000_000_000n
const clockSequence = randomBytes(2).readUInt16BE(0) & 0x3fff
// A random node id with the multicast bit set, as RFC 4122 asks for ids not taken from a NIC.
const node = (() => {
  const bytes = randomBytes(6)
  bytes[0] = bytes[0]! | 0x01
  return bytes.toString('hex')
})()
let lastTicks = 0n

/** A time-based UUID (version 1), the kind Realtime uses for presence keys it generates. */
export function uuidV1(nowMs: number = Date.now()): string {
  let ticks = BigInt(nowMs) * 10_000n + GREGORIAN_OFFSET
  if (ticks <= lastTicks) ticks = lastTicks + 1n
  lastTicks = ticks
  const hex = ticks.toString(16).padStart(15, '0')
  const timeLow = hex.slice(7, 15)
  const timeMid = hex.slice(3, 7)
  const timeHigh = `1${hex.slice(0, 3)}`
  const seq = ((clockSequence & 0x3fff) | 0x8000).toString(16).padStart(4, '0')
  return `${timeLow}-${timeMid}-${timeHigh}-${seq}-${node}`
}

/** A presence `phx_ref`: opaque, unique, 16 URL-safe characters like Phoenix's. */
export function presenceRef(): string {
  return randomBytes(12).toString('base64url')
}

/** JSON with object keys sorted, so equal maps give equal text whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
    return `{${entries.join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}

const PHASH2_RANGE = 2 ** 27

/**
 * A binding id: an integer in 0…2^27−1 that depends only on the binding's params, like the
 * server's `:erlang.phash2(params)` (the values differ; only range and stability matter to clients).
 */
export function bindingId(params: unknown): number {
  return createHash('sha256').update(canonicalJson(params)).digest().readUInt32BE(0) % PHASH2_RANGE
}

/** Deep equality of JSON values, key order ignored (Elixir map equality). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
