/**
 * One push concept, as Phoenix's `push.js` has it: a push owns its ref, its timeout and what its
 * outcome means, whatever it is — a broadcast (with or without ack), a presence track or untrack,
 * the automatic re-track after a rejoin, or the leave. The channel keeps pushes in two lists of its
 * context (waiting for the join, waiting for a reply); each has one timer, `push:<ref>`.
 */
import { RealtimeError } from '../../src/errors.js'
import type { ChannelEvent } from './contract.js'

export type PushKind =
  /** A push the caller made (`broadcast`, or any other event); `expectReply` says if it is acked. */
  | 'push'
  /** `track(state)` / `untrack()`: a `presence` push whose reply the caller awaits. */
  | 'presence'
  /** The channel's own re-track after a rejoin: nobody awaits it, so its failure is an `error` event. */
  | 'retrack'
  /** `phx_leave`: its reply (or timeout) closes the channel. */
  | 'leave'

export interface Push {
  ref: string
  kind: PushKind
  event: string
  payload: unknown
  expectReply: boolean
  /** Own timeout; null: the channel's. */
  timeoutMs: number | null
}

/** The `presence` push payload of a track or untrack (protocol.md §6.1: untrack has no `payload` key). */
export function presenceBody(tracked: Record<string, unknown> | null): { type: 'presence'; event: 'track'; payload: Record<string, unknown> } | { type: 'presence'; event: 'untrack' } {
  return tracked === null ? { type: 'presence', event: 'untrack' } : { type: 'presence', event: 'track', payload: tracked }
}

/** The push a command stands for, or null for events that are not pushes. */
export function pushOf(event: ChannelEvent): Push | null {
  switch (event.type) {
    case 'push':
      return { ref: event.ref, kind: 'push', event: event.event, payload: event.payload, expectReply: event.expectReply, timeoutMs: event.timeoutMs ?? null }
    case 'track':
    case 'untrack':
      return {
        ref: event.ref,
        kind: 'presence',
        event: 'presence',
        payload: presenceBody(event.type === 'track' ? event.payload : null),
        expectReply: true,
        timeoutMs: event.timeoutMs ?? null,
      }
    default:
      return null
  }
}

/** The timer id of a push, so that its reply cancels exactly that timer. */
export function pushTimerId(ref: string): string {
  return `push:${ref}`
}

export function withoutRef(pushes: readonly Push[], ref: string): Push[] {
  return pushes.filter((push) => push.ref !== ref)
}

export function findRef(pushes: readonly Push[], ref: string): Push | undefined {
  return pushes.find((push) => push.ref === ref)
}

/** How a reply's response reads in an error message. */
export function describeResponse(response: unknown): string {
  if (typeof response === 'string') return response
  try {
    return JSON.stringify(response) ?? 'error'
  } catch {
    return 'error'
  }
}

/** The error of a re-track nobody awaits (it becomes an `error` event). */
export function retrackError(topic: string, ref: string, failure: { status: string; response: unknown } | 'timeout', timeoutMs: number): RealtimeError {
  const why = failure === 'timeout' ? `no reply within ${timeoutMs} ms` : `the server answered ${failure.status}: ${describeResponse(failure.response)}`
  return new RealtimeError(failure === 'timeout' ? 'timeout' : 'push_failed', `re-tracking presence on ${topic} after the rejoin failed: ${why}`, { topic, ref })
}
