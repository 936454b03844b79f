// The store half of a shared channel: one immutable object of fields, replaced on every change (React
// compares it by reference), and listeners told which field changed, so that a hook re-renders only
// for the fields its component read.
import type { ChannelActorRef } from '../../machines/channel/channel.machine.js'
import type { RealtimeError } from '../errors.js'
import type { PresenceState } from '../presence/types.js'

export interface SharedFields {
  readonly actorRef: ChannelActorRef | undefined
  readonly presence: PresenceState
  readonly error: RealtimeError | null
}
export type SharedField = keyof SharedFields

export const EMPTY_FIELDS: SharedFields = Object.freeze({ actorRef: undefined, presence: Object.freeze({}), error: null })

export class FieldStore {
  fields: SharedFields = EMPTY_FIELDS
  private readonly listeners = new Set<(field: SharedField) => void>()

  /** React's `subscribe`, with the changed field for the listener. */
  readonly subscribe = (listener: (field: SharedField) => void): (() => void) => {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  protected set(change: Partial<SharedFields>): void {
    this.fields = { ...this.fields, ...change }
    for (const field of Object.keys(change) as SharedField[]) for (const listener of [...this.listeners]) listener(field)
  }

  /** Back to no channel: every hook re-renders (the actor is gone). */
  protected reset(): void {
    this.fields = EMPTY_FIELDS
    for (const listener of [...this.listeners]) listener('actorRef')
  }
}
