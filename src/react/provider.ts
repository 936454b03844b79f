// The client for the hooks below a <RealtimeProvider>. The client lives outside React's lifecycle:
// React never connects or closes a client it was given; one made from `options` is made once per
// provider (never on the server) and closed a grace period after the provider unmounts, so
// StrictMode's simulated unmount does not close it.
import { createContext, createElement, useContext, useEffect, useMemo, type ReactNode } from 'react'
import { normalizeTopic, type ChannelOptions } from '../channel.js'
import { createRealtimeClient, type RealtimeClient } from '../client.js'
import type { RealtimeClientOptions } from '../client-options.js'
import { RealtimeError } from '../errors.js'
import { SharedChannel } from './shared-channel.js'

/** How long a channel (or a client made from `options`) outlives its last user: a remount within it costs nothing. */
export const DEFAULT_LEAVE_GRACE_MS = 1000

export type RealtimeProviderProps = ({ client: RealtimeClient; options?: never } | { options: RealtimeClientOptions; client?: never }) & {
  /** Milliseconds a channel stays joined after its last component unmounts (default 1000). */
  leaveGraceMs?: number
  children?: ReactNode
}

interface RealtimeContextValue {
  /** null on the server when the provider was given `options`: nothing to connect there. */
  readonly client: RealtimeClient | null
  readonly leaveGraceMs: number
}

const RealtimeContext = createContext<RealtimeContextValue | null>(null)
const isServer = typeof window === 'undefined'
/** Pending closes of clients made from `options`, cancelled by a remount. */
const closing = new WeakMap<RealtimeClient, ReturnType<typeof setTimeout>>()

export function RealtimeProvider(props: RealtimeProviderProps): ReactNode {
  const leaveGraceMs = props.leaveGraceMs ?? DEFAULT_LEAVE_GRACE_MS
  const given = props.client
  // Made once per provider (React 19 reuses a memo across StrictMode's double render); `options`
  // changing later is ignored, as a client's options cannot change.
  const owned = useMemo(() => (given || isServer ? null : createRealtimeClient(props.options!)), [given])
  const client = given ?? owned
  useEffect(() => {
    if (!owned) return
    clearTimeout(closing.get(owned))
    return () => void closing.set(owned, setTimeout(() => void owned.close(), leaveGraceMs))
  }, [owned, leaveGraceMs])
  const value = useMemo(() => ({ client, leaveGraceMs }), [client, leaveGraceMs])
  return createElement(RealtimeContext.Provider, { value }, props.children)
}

export function useRealtimeContext(): RealtimeContextValue {
  const value = useContext(RealtimeContext)
  if (!value) throw new RealtimeError('invalid_argument', 'realtime-xstate/react: wrap the component in a <RealtimeProvider>')
  return value
}

/** The provider's client (null on the server when the provider was given `options`). */
export function useRealtimeClient(): RealtimeClient | null {
  return useRealtimeContext().client
}

const registries = new WeakMap<RealtimeClient, Map<string, SharedChannel>>()

/**
 * The shared channel of `topic` on `client`: the first caller's options make it. Made during render,
 * which has no side effect (nothing connects before a component's effect retains it). Kept for the
 * client's life: a component that rendered it must find the same one in its effect.
 */
export function sharedChannel(client: RealtimeClient, topic: string, options: ChannelOptions, leaveGraceMs: number): SharedChannel {
  let channels = registries.get(client)
  if (!channels) registries.set(client, (channels = new Map()))
  const key = normalizeTopic(topic)
  let shared = channels.get(key)
  if (!shared) channels.set(key, (shared = new SharedChannel(client, key, options, leaveGraceMs)))
  return shared
}
