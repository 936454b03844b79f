/**
 * One word for where an actor is, read from its snapshot alone: its tags when the machine tags its
 * states (our connection tags `connecting | open | closing | closed`), else its top-level state.
 */
import type { StateValueJson } from '../../src/inspect/messages.js'

export function summaryOf(actor: { value?: StateValueJson; tags: readonly string[]; status: string }): string {
  if (actor.status !== 'active') return actor.status
  if (actor.tags.length > 0) return actor.tags.join(' ')
  if (actor.value === undefined) return 'running'
  return typeof actor.value === 'string' ? actor.value : Object.keys(actor.value).join(' | ')
}

/** The model keys (`a.b.c`) of every active state of `value`, the root ('') included. */
export function activeKeys(value: StateValueJson | undefined): Set<string> {
  const keys = new Set<string>([''])
  const visit = (v: StateValueJson, prefix: string) => {
    if (typeof v === 'string') {
      keys.add(prefix === '' ? v : `${prefix}.${v}`)
      return
    }
    for (const [key, sub] of Object.entries(v)) {
      const path = prefix === '' ? key : `${prefix}.${key}`
      keys.add(path)
      visit(sub, path)
    }
  }
  if (value !== undefined) visit(value, '')
  return keys
}

/** `socket.open.idle` for `{ socket: { open: 'idle' } }` (parallel regions joined with ` | `). */
export function valuePath(value: StateValueJson | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return Object.entries(value)
    .map(([key, sub]) => {
      const rest = valuePath(sub)
      return rest === '' ? key : `${key}.${rest}`
    })
    .join(' | ')
}

/** A name for people: the actor's id, or its systemId when the id is only the session (a root actor's `x:0`). */
export function displayName(actor: { id: string; session: string; systemId?: string }): string {
  return actor.id === actor.session && actor.systemId !== undefined ? actor.systemId : actor.id
}
