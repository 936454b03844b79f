/**
 * One room's presence, with Phoenix semantics: every tracked entry is (owner, key, meta) where the
 * meta carries a fresh `phx_ref`; an update replaces the meta with a new ref and remembers the old
 * one as `phx_ref_prev`. Each change comes back as the diff to fan out. Keys come from the wire, so
 * every map handed out has a null prototype.
 */
import { jsonEqual, presenceRef } from './ids.js'

export type Meta = Readonly<Record<string, unknown>>
export type PresenceMap = Record<string, { metas: Meta[] }>

export interface PresenceDiff {
  readonly joins: PresenceMap
  readonly leaves: PresenceMap
}

interface Entry {
  readonly key: string
  readonly payload: Readonly<Record<string, unknown>>
  readonly meta: Meta
}

function emptyMap(): PresenceMap {
  return Object.create(null) as PresenceMap
}

function single(key: string, meta: Meta): PresenceMap {
  const map = emptyMap()
  map[key] = { metas: [meta] }
  return map
}

function buildMeta(payload: Readonly<Record<string, unknown>>, ref: string, prev?: string): Meta {
  const meta: Record<string, unknown> = Object.create(null)
  for (const [key, value] of Object.entries(payload)) meta[key] = value
  meta['phx_ref'] = ref
  if (prev !== undefined) meta['phx_ref_prev'] = prev
  else delete meta['phx_ref_prev']
  return meta
}

export class RoomPresence<Owner> {
  readonly #entries = new Map<Owner, Entry>()

  get size(): number {
    return this.#entries.size
  }

  /** Tracks or updates `owner`'s presence. `null` when the payload did not change. */
  track(owner: Owner, key: string, payload: Readonly<Record<string, unknown>>): PresenceDiff | null {
    const current = this.#entries.get(owner)
    if (current && current.key === key && jsonEqual(current.payload, payload)) return null
    if (current && current.key === key) {
      const meta = buildMeta(payload, presenceRef(), current.meta['phx_ref'] as string)
      this.#entries.set(owner, { key, payload, meta })
      return { joins: single(key, meta), leaves: single(key, current.meta) }
    }
    const meta = buildMeta(payload, presenceRef())
    this.#entries.set(owner, { key, payload, meta })
    return { joins: single(key, meta), leaves: current ? single(current.key, current.meta) : emptyMap() }
  }

  /** Removes `owner`'s presence. `null` when it had none. */
  untrack(owner: Owner): PresenceDiff | null {
    const current = this.#entries.get(owner)
    if (!current) return null
    this.#entries.delete(owner)
    return { joins: emptyMap(), leaves: single(current.key, current.meta) }
  }

  /** The `presence_state` payload: every key with all its metas, oldest first. */
  state(): PresenceMap {
    const map = emptyMap()
    for (const { key, meta } of this.#entries.values()) {
      const existing = map[key]
      if (existing) existing.metas.push(meta)
      else map[key] = { metas: [meta] }
    }
    return map
  }
}
