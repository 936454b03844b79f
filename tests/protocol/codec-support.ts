/**
 * Shared helpers for the codec tests: the fixture file, a seeded PRNG, generators of random names and
 * JSON, byte helpers and the `invalid_frame` assertion. Not a suite itself (no tests, no `test.run()`).
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as assert from 'uvu/assert'
import { RealtimeError } from '../../src/errors.js'
import type { DecodeResult } from '../../src/protocol/index.js'

// ---------------------------------------------------------------------------------------------
// Fixtures: the team's ../shared/frames/examples.jsonl beside the repository when it is there (CI,
// developers), else the copy in tests/protocol/fixtures so a plain clone still runs every test.
// codec.fixtures.test.ts fails when the two differ, so the copy cannot drift unnoticed.

const here = dirname(fileURLToPath(import.meta.url))
export const SHARED_FIXTURES_PATH = resolve(here, '../../../shared/frames/examples.jsonl')
export const VENDORED_FIXTURES_PATH = resolve(here, 'fixtures/examples.jsonl')
export const FIXTURES_PATH = existsSync(SHARED_FIXTURES_PATH) ? SHARED_FIXTURES_PATH : VENDORED_FIXTURES_PATH

export interface Fixture {
  line: number
  dir: 'in' | 'out'
  vsn: '1.0.0' | '2.0.0'
  note: string
  frame: unknown
}

export function loadFixtures(): Fixture[] {
  if (!existsSync(FIXTURES_PATH)) {
    throw new Error(`codec fixtures not found at ${FIXTURES_PATH} (expected ../shared/frames/examples.jsonl beside the repo, or tests/protocol/fixtures/examples.jsonl)`)
  }
  const fixtures: Fixture[] = []
  readFileSync(FIXTURES_PATH, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (text.trim() === '') return
      let parsed: Fixture
      try {
        parsed = { line: index + 1, ...(JSON.parse(text) as Omit<Fixture, 'line'>) }
      } catch (error) {
        throw new Error(`${FIXTURES_PATH}:${index + 1} is not JSON: ${(error as Error).message}`)
      }
      if ((parsed.dir !== 'in' && parsed.dir !== 'out') || (parsed.vsn !== '1.0.0' && parsed.vsn !== '2.0.0')) {
        throw new Error(`${FIXTURES_PATH}:${index + 1} has an unexpected dir/vsn: ${text.slice(0, 80)}`)
      }
      fixtures.push(parsed)
    })
  return fixtures
}

// ---------------------------------------------------------------------------------------------
// Bytes

export function hexToBytes(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || /[^0-9a-f]/i.test(hex)) throw new Error(`not hex: ${hex}`)
  const out = new Uint8Array(hex.length / 2)
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16)
  return out
}

export function toHex(data: ArrayBuffer | ArrayBufferView | string): string {
  if (typeof data === 'string') return Buffer.from(data, 'utf8').toString('hex')
  const view = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  return Buffer.from(view).toString('hex')
}

/** The frame's size as an independent reference (UTF-8 bytes for text). */
export function sizeOf(frame: string | ArrayBuffer | ArrayBufferView): number {
  return typeof frame === 'string' ? Buffer.byteLength(frame, 'utf8') : frame.byteLength
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

/**
 * A canonical text for deep comparison: own enumerable keys (including `__proto__` data keys) in
 * order, binary values as `bytes:<hex>` tagged with their type.
 */
export function canon(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item instanceof ArrayBuffer) return `ArrayBuffer:${toHex(item)}`
    if (ArrayBuffer.isView(item)) return `${item.constructor.name}:${toHex(item)}`
    return item
  })
}

export function assertSame(actual: unknown, expected: unknown, message?: string): void {
  const a = canon(actual)
  const e = canon(expected)
  if (a !== e) assert.fixture(a, e, message)
}

// ---------------------------------------------------------------------------------------------
// Decode results

export function expectOk<M>(result: DecodeResult<M>, what = 'frame'): M {
  if (!result.ok) throw new Error(`${what} should decode, got ${result.error.code}: ${result.error.message}`)
  return result.message
}

/** A malformed frame: `{ ok: false }`, a RealtimeError `invalid_frame`, `metadata.bytes` = the frame's size. */
export function expectInvalid(result: DecodeResult<unknown>, frame: string | ArrayBuffer | ArrayBufferView, what = 'frame'): RealtimeError {
  if (result.ok) throw new Error(`${what} should be rejected, decoded to ${canon(result.message).slice(0, 200)}`)
  assert.instance(result.error, RealtimeError, what)
  assert.is(result.error.code, 'invalid_frame', what)
  assert.is(result.error.metadata['bytes'], sizeOf(frame), `${what}: metadata.bytes`)
  assert.type(result.error.metadata['reason'], 'string', `${what}: metadata.reason`)
  return result.error
}

export function expectThrowsCode(fn: () => unknown, code: string, what: string): RealtimeError {
  try {
    fn()
  } catch (error) {
    assert.instance(error, RealtimeError, what)
    assert.is((error as RealtimeError).code, code, what)
    return error as RealtimeError
  }
  throw new Error(`${what}: expected a RealtimeError ${code}, nothing was thrown`)
}

// ---------------------------------------------------------------------------------------------
// Seeded randomness (mulberry32): every run sees the same cases; a failure names its seed and case.

export class Rng {
  private state: number
  constructor(readonly seed: number) {
    this.state = seed >>> 0
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1))
  }
  bool(p = 0.5): boolean {
    return this.next() < p
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!
  }
  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length)
    for (let i = 0; i < length; i++) out[i] = Math.floor(this.next() * 256)
    return out
  }
}

/** Code point pools: ASCII, Latin-1, CJK, emoji (astral, surrogate pairs), combining marks, oddities. */
const POOLS: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x7e],
  [0x00, 0x1f],
  [0xa0, 0xff],
  [0x4e00, 0x9fff],
  [0x1f300, 0x1faff],
  [0x0300, 0x036f],
  [0x0590, 0x06ff],
  [0xac00, 0xd7a3],
  [0xe000, 0xf8ff],
  [0x10000, 0x10ffff],
]
const SPECIALS = ['\uFEFF', '\uFFFD', '\u2028', '\u2029', '\u0000', '"', '\\', '/', 'e\u0301', '👩‍👩‍👧‍👦', '🇫🇷', ':', '*']

export function randomCodePoint(rng: Rng): string {
  if (rng.bool(0.08)) return rng.pick(SPECIALS)
  const [lo, hi] = rng.pick(POOLS)
  return String.fromCodePoint(rng.int(lo, hi))
}

/** A well-formed string of up to `maxBytes` UTF-8 bytes (never cut inside a code point). */
export function randomString(rng: Rng, maxBytes: number, minLength = 0): string {
  const target = rng.bool(0.1) ? maxBytes : rng.int(minLength, Math.min(maxBytes, 40))
  let out = ''
  let bytes = 0
  for (;;) {
    const cp = randomCodePoint(rng)
    const size = utf8Length(cp)
    if (bytes + size > target) break
    out += cp
    bytes += size
  }
  while (out.length < minLength) out += 'x'
  return out
}

/** A topic like realtime's or any random name. */
export function randomTopic(rng: Rng, maxBytes = 255): string {
  if (rng.bool(0.3)) return 'realtime:' + randomString(rng, maxBytes - 9)
  return randomString(rng, maxBytes)
}

/** A ref for binary frames: null or a non-empty string (length 0 means "absent" on the wire). */
export function randomRef(rng: Rng): string | null {
  if (rng.bool(0.2)) return null
  return rng.bool(0.6) ? String(rng.int(1, 1_000_000_000)) : randomString(rng, 255, 1)
}

/** An object whose keys are set as own data properties, whatever they are (`__proto__` included). */
export function ownObject(entries: ReadonlyArray<readonly [string, unknown]>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [key, value] of entries) Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
  return out
}

const DANGEROUS_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty']

export function randomKey(rng: Rng): string {
  if (rng.bool(0.1)) return rng.pick(DANGEROUS_KEYS)
  if (rng.bool(0.1)) return String(rng.int(0, 20))
  return randomString(rng, 24)
}

export function randomNumber(rng: Rng): number {
  switch (rng.int(0, 3)) {
    case 0:
      return rng.int(-1000, 1000) || 0
    case 1:
      return (rng.next() - 0.5) * 1e6
    case 2:
      return rng.pick([Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e300, -1e-300, 0.1, 2 ** 53 + 2])
    default:
      return rng.int(0, 2 ** 31)
  }
}

/** A JSON value (what JSON.parse can produce) with keys built as own properties. */
export function randomJson(rng: Rng, depth = 0): unknown {
  const leafOnly = depth >= 4
  switch (rng.int(0, leafOnly ? 3 : 5)) {
    case 0:
      return null
    case 1:
      return rng.bool()
    case 2:
      return randomNumber(rng)
    case 3:
      return randomString(rng, 60)
    case 4: {
      const items: unknown[] = []
      const length = rng.int(0, 5)
      for (let i = 0; i < length; i++) items.push(randomJson(rng, depth + 1))
      return items
    }
    default: {
      const entries: Array<[string, unknown]> = []
      const seen = new Set<string>()
      const length = rng.int(0, 5)
      for (let i = 0; i < length; i++) {
        const key = randomKey(rng)
        if (seen.has(key)) continue
        seen.add(key)
        entries.push([key, randomJson(rng, depth + 1)])
      }
      return ownObject(entries)
    }
  }
}

/** A random JSON object (payloads of pushes are objects). */
export function randomJsonObject(rng: Rng): Record<string, unknown> {
  const value = randomJson(rng, 3)
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>
  return ownObject([[randomKey(rng), value]])
}

/** Events that have payload schemas; random events avoid them unless a test asks for one. */
export const SCHEMA_EVENTS = new Set([
  'phx_reply',
  'broadcast',
  'presence_state',
  'presence_diff',
  'postgres_changes',
  'system',
  'phx_join',
  'access_token',
  'presence',
])

export function randomEvent(rng: Rng, maxBytes = 255): string {
  for (;;) {
    const event = rng.bool(0.2) ? rng.pick(['heartbeat', 'phx_leave', 'phx_close', 'phx_error', 'custom-event', 'cursor-pos']) : randomString(rng, maxBytes)
    if (!SCHEMA_EVENTS.has(event)) return event
  }
}

/** Repeats a property `runs` times; a failure reports the seed and the case number. */
export function forAll(seed: number, runs: number, body: (rng: Rng, index: number) => void): void {
  const rng = new Rng(seed)
  for (let i = 0; i < runs; i++) {
    try {
      body(rng, i)
    } catch (error) {
      let reason = error instanceof Error ? error.message : String(error)
      const { actual, expects } = (error ?? {}) as { actual?: unknown; expects?: unknown }
      if (actual !== undefined || expects !== undefined) {
        const show = (value: unknown) => (typeof value === 'string' ? value : canon(value)).slice(0, 800)
        reason += `\n      actual:   ${show(actual)}\n      expected: ${show(expects)}`
      }
      throw new Error(`property failed at seed ${seed}, case ${i}: ${reason}`, { cause: error })
    }
  }
}
