/**
 * Copies of wire data that never touch a prototype. Presence metas come from other users: a tracked
 * `{"__proto__": {...}}` must stay an own property, so `__proto__` is defined, never assigned (an
 * assignment would call the `Object.prototype.__proto__` setter and replace the copy's prototype).
 */
import type { PresenceEntry, RawMeta } from './types.js'

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  else target[key] = value
}

/** A deep copy of JSON data; `freeze` makes every level immutable so it can be shared safely. */
export function cloneJson(value: unknown, freeze: boolean): unknown {
  if (value === null || typeof value !== 'object') return value
  let copy: unknown[] | Record<string, unknown>
  if (Array.isArray(value)) {
    copy = value.map((item) => cloneJson(item, freeze))
  } else {
    const source = value as Record<string, unknown>
    const out: Record<string, unknown> = {}
    for (const key of Object.keys(source)) setOwn(out, key, cloneJson(source[key], freeze))
    copy = out
  }
  return freeze ? Object.freeze(copy) : copy
}

/** The store's own frozen copy of a meta, shared by the state and the cached user view. */
export function freezeMeta(meta: RawMeta): RawMeta {
  return cloneJson(meta, true) as RawMeta
}

/**
 * realtime-js's entry: the meta's fields in order without `phx_ref` / `phx_ref_prev`, then
 * `presence_ref` (last, as its transform appends it). `deep` copies nested values so the entry shares
 * nothing with the state (reports); without it nested values are the state's frozen ones (the view).
 */
export function entryOf(meta: RawMeta, deep: boolean): PresenceEntry {
  const entry: Record<string, unknown> = {}
  for (const key of Object.keys(meta)) {
    if (key === 'phx_ref' || key === 'phx_ref_prev') continue
    setOwn(entry, key, deep ? cloneJson(meta[key], false) : meta[key])
  }
  entry['presence_ref'] = meta.phx_ref
  return entry as PresenceEntry
}

/** Fresh, mutable entries for a report. `T` is the caller's claim about the tracked state, not checked. */
export function reportEntries<T extends object>(metas: readonly RawMeta[]): PresenceEntry<T>[] {
  return metas.map((meta) => entryOf(meta, true) as PresenceEntry<T>)
}

/** The frozen entries of one key in `presenceState()`. */
export function viewEntries(metas: readonly RawMeta[]): readonly Readonly<PresenceEntry>[] {
  return Object.freeze(metas.map((meta) => Object.freeze(entryOf(meta, false))))
}
