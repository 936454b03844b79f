/**
 * The presence state of one channel, as pure data: no timers, no I/O, no XState. It follows Phoenix's
 * `Presence` (phoenix/assets/js/phoenix/presence.js, protocol.md §6.3) step for step — same state, same
 * join/leave reports in the same order, same pending-diff rule — and differs only in *how*:
 *
 * - Cost. A diff touches only the keys it names: O(size of the diff + metas of those keys), never a
 *   copy of the room. Each key keeps its frozen metas and a cached, frozen user view (`presence_ref`
 *   entries). `presenceState()` is one live, read-only object updated in place (as Phoenix's
 *   `presence.state` is): reading it is O(1) whatever the room's size, where a new object per change
 *   would cost one pointer per key on every read (~1.7 ms at 10 000 keys, issue 6's bench reads the
 *   state on every sync). It is built on first read; from then on each changed key's frozen entries
 *   are replaced in it, so entries can still be compared by reference key by key. `get(key)` reads one
 *   key without building the object.
 * - Isolation. Reports are fresh deep copies built from the store's frozen metas: a listener can
 *   neither see a half-applied state nor reach into it (realtime-js 2.109.0 handed out the live state
 *   while mutating it and left ghost members). Inputs are copied too, so the caller's payload stays
 *   the caller's.
 * - Keys live in a Map, so wire keys like `__proto__` are plain data; objects handed out have a null
 *   prototype, and meta fields are copied by definition, never by assignment (json.ts).
 *
 * Payloads are expected to be validated already (src/protocol/schemas.ts: metas arrays of objects with
 * a string `phx_ref`); a key whose `metas` is not an array is skipped rather than trusted.
 */
import { enumerationOrder } from './key-order.js'
import { cloneJson, freezeMeta, reportEntries, viewEntries } from './json.js'
import type { PresenceEntry, PresencePayload, PresenceState, RawMeta, RawPresenceDiff, RawPresenceMap, TrackedState } from './types.js'

interface KeyPresence {
  /** Frozen metas, in Phoenix's order. */
  readonly metas: readonly RawMeta[]
  /** The user view of `metas`, built on first read, replaced with the entry when the key changes. */
  view: readonly Readonly<PresenceEntry>[] | null
}

/** Keys with their (frozen) metas, in the order Phoenix visits them. */
type Batch = ReadonlyArray<readonly [key: string, metas: readonly RawMeta[]]>

interface PreparedDiff {
  readonly joins: Batch
  readonly leaves: Batch
}

export interface PresenceStoreOptions {
  /**
   * The channel's current join ref (Phoenix's `channel.joinRef()`), read on every frame. Diffs wait
   * until the `presence_state` of the current join has arrived; a rejoin (new ref) makes them wait again
   * (the state is kept meanwhile, as Phoenix keeps it, and that `presence_state` reports the differences).
   */
  joinRef: () => string | null
  /**
   * Whether join/leave reports are wanted right now. When not (nobody listens), only `{ event: 'sync' }`
   * is returned, which saves a deep copy of every changed key; the state is updated all the same.
   * @default always
   */
  wantsReports?: () => boolean
}

const always = (): boolean => true

/** Own keys in enumeration order (what Phoenix's `Object.getOwnPropertyNames` visits), metas copied and frozen. */
function prepare(map: RawPresenceMap | undefined): Batch {
  if (map === null || typeof map !== 'object') return []
  const batch: Array<readonly [string, readonly RawMeta[]]> = []
  for (const key of Object.keys(map)) {
    const metas = map[key]?.metas
    if (Array.isArray(metas)) batch.push([key, metas.map(freezeMeta)])
  }
  return batch
}

function refsOf(metas: readonly RawMeta[]): Set<string> {
  const refs = new Set<string>()
  for (const meta of metas) refs.add(meta.phx_ref)
  return refs
}

function without(metas: readonly RawMeta[], refs: ReadonlySet<string>): RawMeta[] {
  return metas.filter((meta) => !refs.has(meta.phx_ref))
}

/**
 * Usage by a channel: `applyState(payload)` on `presence_state`, `applyDiff(payload)` on `presence_diff`,
 * then emit the returned payloads in order. `T` is the user's tracked-state type; it only types the
 * outputs (nothing is checked at run time).
 */
export class PresenceStore<T extends object = TrackedState> {
  private readonly keys = new Map<string, KeyPresence>()
  private pending: PreparedDiff[] = []
  /** The join ref current when the last `presence_state` arrived (Phoenix's `presence.joinRef`). */
  private syncedJoinRef: string | null = null
  /** The object `presenceState()` returns, once asked for; kept in step with `keys` from then on. */
  private live: Record<string, readonly Readonly<PresenceEntry>[]> | null = null
  private readonly joinRef: () => string | null
  private readonly wantsReports: () => boolean

  constructor(options: PresenceStoreOptions) {
    this.joinRef = options.joinRef
    this.wantsReports = options.wantsReports ?? always
  }

  /** Phoenix's `inPendingSyncState()`: no `presence_state` yet for the current join. */
  get inPendingSyncState(): boolean {
    return !this.syncedJoinRef || this.syncedJoinRef !== this.joinRef()
  }

  /** Number of diffs held until the `presence_state` of the current join arrives. */
  get pendingDiffs(): number {
    return this.pending.length
  }

  /** Number of keys. */
  get size(): number {
    return this.keys.size
  }

  /**
   * A `presence_state`: replaces the state, reporting what differs as joins then leaves; then applies
   * (and reports) every held diff, oldest first; then `{ event: 'sync' }`.
   */
  applyState(raw: RawPresenceMap): PresencePayload<T>[] {
    this.syncedJoinRef = this.joinRef()
    const incoming = prepare(raw)
    const incomingKeys = new Set<string>()
    const joins: Array<readonly [string, readonly RawMeta[]]> = []
    const partial: Array<readonly [string, readonly RawMeta[]]> = []
    for (const [key, metas] of incoming) {
      incomingKeys.add(key)
      const current = this.keys.get(key)
      if (!current) {
        joins.push([key, metas])
        continue
      }
      const joined = without(metas, refsOf(current.metas))
      const left = without(current.metas, refsOf(metas))
      if (joined.length > 0) joins.push([key, joined])
      if (left.length > 0) partial.push([key, left])
    }
    // Phoenix collects leaves in an object — keys gone entirely (state order), then keys that lost some
    // metas (incoming order) — and visits it in an object's key order: array indices first.
    const leaving = new Map<string, readonly RawMeta[]>()
    for (const [key, current] of this.keys) if (!incomingKeys.has(key)) leaving.set(key, current.metas)
    for (const [key, left] of partial) leaving.set(key, left)
    const leaves = enumerationOrder([...leaving.keys()]).map((key) => [key, leaving.get(key) ?? []] as const)

    const reports = this.wantsReports() ? ([] as PresencePayload<T>[]) : null
    this.merge({ joins, leaves }, reports)
    const held = this.pending
    this.pending = []
    for (const diff of held) this.merge(diff, reports)
    return this.synced(reports)
  }

  /**
   * A `presence_diff`: applied now and reported (joins, leaves, then `sync`), or — before the current
   * join's `presence_state` — held, and `[]` returned.
   */
  applyDiff(raw: RawPresenceDiff): PresencePayload<T>[] {
    const diff: PreparedDiff = { joins: prepare(raw?.joins), leaves: prepare(raw?.leaves) }
    if (this.inPendingSyncState) {
      this.pending.push(diff)
      return []
    }
    const reports = this.wantsReports() ? ([] as PresencePayload<T>[]) : null
    this.merge(diff, reports)
    return this.synced(reports)
  }

  /**
   * `{ [key]: [{ ...meta, presence_ref }] }`, null prototype, keys in Phoenix's state order. One live
   * object, updated in place as presence changes (O(1) to read): copy it (`structuredClone`) to keep a
   * snapshot. Each key's array and its entries are frozen and replaced, never mutated, when that key
   * changes, so a kept array never changes under its holder.
   */
  presenceState(): PresenceState<T> {
    if (!this.live) {
      const state = Object.create(null) as Record<string, readonly Readonly<PresenceEntry>[]>
      for (const [key, presence] of this.keys) state[key] = presence.view ??= viewEntries(presence.metas)
      this.live = state
    }
    return this.live as PresenceState<T>
  }

  /**
   * One key's entries, as in `presenceState()` (frozen, cached per key), or `undefined`. O(metas of the
   * key) at most: for a lookup that should not assemble the whole room after every change.
   */
  get(key: string): readonly Readonly<PresenceEntry<T>>[] | undefined {
    const presence = this.keys.get(key)
    if (!presence) return undefined
    return (presence.view ??= viewEntries(presence.metas)) as readonly Readonly<PresenceEntry<T>>[]
  }

  /** The state in Phoenix's shape (`{ [key]: { metas } }` with `phx_ref`), as a mutable deep copy. For tests and debugging. */
  toRaw(): Record<string, { metas: Record<string, unknown>[] }> {
    const raw = Object.create(null) as Record<string, { metas: Record<string, unknown>[] }>
    for (const [key, presence] of this.keys) raw[key] = { metas: presence.metas.map((meta) => cloneJson(meta, false) as Record<string, unknown>) }
    return raw
  }

  /** Phoenix's `syncDiff`: every join (metas not re-joined are kept, in front), then every leave. */
  private merge(diff: PreparedDiff, reports: PresencePayload<T>[] | null): void {
    for (const [key, joined] of diff.joins) {
      const current = this.keys.get(key)
      let metas = joined
      if (current) {
        const kept = without(current.metas, refsOf(joined))
        if (kept.length > 0) metas = [...kept, ...joined]
      }
      this.setKey(key, metas)
      reports?.push({ event: 'join', key, currentPresences: current ? reportEntries<T>(current.metas) : [], newPresences: reportEntries<T>(joined) })
    }
    for (const [key, left] of diff.leaves) {
      // Phoenix ignores leaves of unknown keys (no report); a leave whose refs match nothing is reported.
      const current = this.keys.get(key)
      if (!current) continue
      const remaining = without(current.metas, refsOf(left))
      if (remaining.length === 0) this.deleteKey(key)
      else if (remaining.length !== current.metas.length) this.setKey(key, remaining)
      reports?.push({ event: 'leave', key, currentPresences: reportEntries<T>(remaining), leftPresences: reportEntries<T>(left) })
    }
  }

  private setKey(key: string, metas: readonly RawMeta[]): void {
    if (!this.live) {
      this.keys.set(key, { metas, view: null })
      return
    }
    const view = viewEntries(metas)
    this.keys.set(key, { metas, view })
    // A null-prototype object: `__proto__` is an ordinary own key here, so assignment is safe.
    this.live[key] = view
  }

  private deleteKey(key: string): void {
    this.keys.delete(key)
    if (this.live) delete this.live[key]
  }

  private synced(reports: PresencePayload<T>[] | null): PresencePayload<T>[] {
    const done = reports ?? []
    done.push({ event: 'sync' })
    return done
  }
}
