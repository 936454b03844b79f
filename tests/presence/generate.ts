/**
 * Random presence traffic for the differential test, from a seeded PRNG so a failure names its seed.
 * A small server model makes most frames plausible (track, untrack, update with `phx_ref_prev`, batched
 * fan-out, a fresh `presence_state`, rejoins with diffs racing the new state); the rest is chaos the
 * server would not send (unknown keys and refs, duplicate refs, empty metas, arbitrary states) because
 * exactness must not depend on a well-behaved server. Not a test file: it only exports helpers.
 */
import type { PhxDiff, PhxState } from './reference.js'

export type Rng = () => number

/** mulberry32: tiny, fast, good enough for test data. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export type Step =
  | { kind: 'state'; payload: PhxState }
  | { kind: 'diff'; payload: PhxDiff }
  | { kind: 'joinRef'; ref: string | null }

type Meta = Record<string, unknown>

/** Prototype names, array indices (ordered first by objects) and plain names. */
const KEYS = ['u1', 'u2', 'u3', '__proto__', 'constructor', 'toString', '0', '7', '42', 'b', 'a']

/** Sets `key` as own data even when it is `__proto__`, like JSON.parse does. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
}

export class Traffic {
  private readonly server = new Map<string, Meta[]>()
  private refs = 0
  private joins = 0
  private usedRefs: string[] = []

  constructor(private readonly rng: Rng) {}

  private int(n: number): number {
    return Math.floor(this.rng() * n)
  }

  private pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T
  }

  private key(): string {
    return this.pick(KEYS)
  }

  private ref(reuse = 0.1): string {
    // Mostly fresh refs; sometimes one seen before (the server resending, or chaos).
    if (this.usedRefs.length > 0 && this.rng() < reuse) return this.pick(this.usedRefs)
    const ref = `r${++this.refs}`
    this.usedRefs.push(ref)
    return ref
  }

  private meta(ref = this.ref(), prev?: string): Meta {
    const meta: Meta = { phx_ref: ref }
    if (prev !== undefined) meta['phx_ref_prev'] = prev
    const fields = this.int(4)
    for (let i = 0; i < fields; i++) {
      switch (this.int(5)) {
        case 0:
          meta['name'] = `n${this.int(100)}`
          break
        case 1:
          meta['count'] = this.int(10)
          break
        case 2:
          meta['nested'] = { list: [this.int(5), { deep: `d${this.int(5)}` }], on: this.rng() < 0.5 }
          break
        case 3:
          put(meta, '__proto__', { polluted: this.int(3) })
          break
        default:
          meta['constructor'] = 'c'
      }
    }
    return meta
  }

  private map(entries: Array<[string, Meta[]]>): PhxState {
    const out: PhxState = {}
    for (const [key, metas] of entries) {
      const existing = Object.hasOwn(out, key) ? out[key] : undefined
      if (existing) existing.metas.push(...metas)
      else put(out, key, { metas })
    }
    return out
  }

  private serverState(): PhxState {
    return this.map([...this.server].map(([key, metas]) => [key, [...metas]]))
  }

  /** One server-side change as [joins, leaves] entries, applied to the model. */
  private change(): { joins: Array<[string, Meta[]]>; leaves: Array<[string, Meta[]]> } {
    const tracked = [...this.server].flatMap(([key, metas]) => metas.map((meta) => [key, meta] as const))
    const roll = this.rng()
    if (tracked.length === 0 || roll < 0.45) {
      const key = this.key()
      const meta = this.meta()
      this.server.set(key, [...(this.server.get(key) ?? []), meta])
      return { joins: [[key, [meta]]], leaves: [] }
    }
    const [key, old] = this.pick(tracked)
    const rest = (this.server.get(key) ?? []).filter((meta) => meta !== old)
    if (roll < 0.75) {
      if (rest.length > 0) this.server.set(key, rest)
      else this.server.delete(key)
      return { joins: [], leaves: [[key, [old]]] }
    }
    // An update: the new meta names the old ref in phx_ref_prev, the old one leaves.
    const updated = this.meta(this.ref(), old['phx_ref'] as string)
    this.server.set(key, [...rest, updated])
    return { joins: [[key, [updated]]], leaves: [[key, [old]]] }
  }

  private diff(changes: number): PhxDiff {
    const joins: Array<[string, Meta[]]> = []
    const leaves: Array<[string, Meta[]]> = []
    for (let i = 0; i < changes; i++) {
      const change = this.change()
      joins.push(...change.joins)
      leaves.push(...change.leaves)
    }
    return { joins: this.map(joins), leaves: this.map(leaves) }
  }

  private chaosMetas(): Meta[] {
    const metas: Meta[] = []
    const count = this.int(4)
    for (let i = 0; i < count; i++) metas.push(this.meta(this.ref(0.6)))
    return metas
  }

  private chaosMap(size: number): PhxState {
    const entries: Array<[string, Meta[]]> = []
    for (let i = 0; i < size; i++) entries.push([this.key(), this.chaosMetas()])
    return this.map(entries)
  }

  /** The next frame or join-ref change. */
  next(): Step {
    const roll = this.rng()
    if (roll < 0.5) return { kind: 'diff', payload: this.diff(1) }
    if (roll < 0.62) return { kind: 'diff', payload: this.diff(2 + this.int(3)) }
    if (roll < 0.72) return { kind: 'state', payload: this.serverState() }
    if (roll < 0.8) {
      // A rejoin; the server may lose members meanwhile (their leaves are never sent).
      for (let i = this.int(3); i > 0 && this.server.size > 0; i--) this.server.delete(this.pick([...this.server.keys()]))
      return { kind: 'joinRef', ref: this.rng() < 0.1 ? null : `j${++this.joins}` }
    }
    if (roll < 0.92) return { kind: 'diff', payload: { joins: this.chaosMap(this.int(3)), leaves: this.chaosMap(this.int(3)) } }
    return { kind: 'state', payload: this.chaosMap(this.int(6)) }
  }

  /** The first join of a sequence. */
  start(): Step {
    return { kind: 'joinRef', ref: `j${++this.joins}` }
  }
}
