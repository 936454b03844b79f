// useRealtime(topic, options): a channel's state for a component, re-rendering only for what it
// reads. The connection and the channel status are `@xstate/react` selectors over the root and the
// channel actors; presence and the last error come from the shared channel's store (presence is
// rebuilt on each `sync` event, never per frame). Which fields a render read is remembered: a change
// to a field the component never read does not re-render it (SWR's "dependency tracking").
import { useSelector } from '@xstate/react'
import { useCallback, useEffect, useMemo, useRef, useSyncExternalStore } from 'react'
import { channelStateOf } from '../../machines/channel/channel.machine.js'
import type { ChannelStateName } from '../../machines/channel/contract.js'
import type { ConnectionStateName } from '../../machines/connection/contract.js'
import type { ChannelOptions } from '../channel.js'
import type { RealtimeError } from '../errors.js'
import type { PresenceResult, PresenceState } from '../presence/types.js'
import { sharedChannel, useRealtimeContext } from './provider.js'
import { EMPTY_FIELDS, type SharedField, type SharedFields } from './field-store.js'
import type { SharedChannel } from './shared-channel.js'

/** The channel's options (`broadcast: { self, ack }`, `presence: { key }`); the first component of a topic sets them. */
export type UseRealtimeOptions = ChannelOptions

export interface RealtimeState {
  /** The socket: `closed` on the server and until the first effect connects. */
  readonly connectionState: ConnectionStateName
  /** The channel: `closed | joining | joined | leaving | errored`. */
  readonly status: ChannelStateName
  /** `{ [key]: [{ ...state, presence_ref }] }` as of the last sync; a new object after each sync. */
  readonly presence: PresenceState
  /** The channel's last error (a refused join, a failed push or re-track); cleared when the topic is joined again after it was left. */
  readonly error: RealtimeError | null
  broadcast(event: string, payload: unknown): void
  send(message: { type: 'broadcast'; event: string; payload: unknown }): void
  track(state: Record<string, unknown>): Promise<PresenceResult>
  untrack(): Promise<PresenceResult>
}

type Field = 'connectionState' | 'status' | SharedField

const noStore = (): (() => void) => () => {}

/** Retains the shared channel of `topic` while the component is mounted; null without a client (the server). */
export function useSharedChannel(topic: string, options: ChannelOptions | undefined): SharedChannel | null {
  const { client, leaveGraceMs } = useRealtimeContext()
  const shared = client ? sharedChannel(client, topic, options ?? {}, leaveGraceMs) : null
  useEffect(() => {
    if (!shared) return
    shared.retain()
    return () => shared.release()
  }, [shared])
  return shared
}

export function useRealtime(topic: string, options?: UseRealtimeOptions): RealtimeState {
  const { client } = useRealtimeContext()
  const shared = useSharedChannel(topic, options)
  const read = useRef(new Set<Field>()).current
  // Equal while unread: the selector keeps its old value and React does not re-render.
  const unlessRead = (field: Field) => (a: unknown, b: unknown) => Object.is(a, b) || !read.has(field)

  const subscribe = useCallback(
    (onChange: () => void) => (shared ? shared.subscribe((field) => (field === 'actorRef' || read.has(field)) && onChange()) : noStore()),
    [shared, read],
  )
  const fields: SharedFields = useSyncExternalStore(subscribe, () => shared?.fields ?? EMPTY_FIELDS, () => EMPTY_FIELDS)
  const connection = useSelector(client?.actor, (snapshot) => snapshot?.value.connection ?? 'closed', unlessRead('connectionState'))
  const status = useSelector(fields.actorRef, (snapshot) => (snapshot ? channelStateOf(snapshot) : 'closed'), unlessRead('status'))

  const actions = useMemo(
    () => ({
      broadcast: (event: string, payload: unknown) => needs(shared, 'broadcast').current('broadcast').broadcast(event, payload),
      send: (message: { type: 'broadcast'; event: string; payload: unknown }) => needs(shared, 'send').current('send').send(message),
      track: async (state: Record<string, unknown>) => needs(shared, 'track').current('track presence').track(state),
      untrack: async () => needs(shared, 'untrack').current('untrack presence').untrack(),
    }),
    [shared],
  )
  // A field read for the first time is read live: its selector kept an old value while unread.
  return {
    ...actions,
    get connectionState() {
      return read.has('connectionState') ? connection : (read.add('connectionState'), client?.actor.getSnapshot().value.connection ?? 'closed')
    },
    get status() {
      if (read.has('status')) return status
      read.add('status')
      const snapshot = fields.actorRef?.getSnapshot()
      return snapshot ? channelStateOf(snapshot) : 'closed'
    },
    get presence() {
      read.add('presence')
      return fields.presence
    },
    get error() {
      read.add('error')
      return fields.error
    },
  }
}

function needs(shared: SharedChannel | null, what: string): SharedChannel {
  if (shared) return shared
  throw new Error(`useRealtime: ${what}() needs a client (it was called during a server render)`)
}
