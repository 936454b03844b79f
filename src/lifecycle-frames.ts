/**
 * Lifecycle frames classified once, where they are decoded, into the channel chart's typed events
 * (machines/channel/contract.ts). The rest of the router only asks "is this a lifecycle frame?".
 */
import type { ChannelFrameEvent } from '../machines/channel/contract.js'
import { replyOf } from './protocol/reply.js'
import type { PhoenixMessage } from './protocol/types.js'

/** Frames that change a channel's lifecycle, and therefore go through its statechart. */
export function isLifecycleFrame(event: string): boolean {
  return event === 'phx_reply' || event === 'phx_close' || event === 'phx_error' || event === 'system'
}

/**
 * The chart event of a lifecycle frame, given the channel's current join ref; null for a frame of
 * another join (phx_close / phx_error carry the join ref as `ref` in vsn 1.0.0, protocol.md §3.6) or
 * a reply without a ref. Stale frames with a non-null `join_ref` were dropped before.
 */
export function classifyLifecycleFrame(message: PhoenixMessage, joinRef: string | null): ChannelFrameEvent | null {
  switch (message.event) {
    case 'phx_reply': {
      if (message.ref === null) return null
      const { status, response } = replyOf(message.payload)
      if (message.ref === joinRef) return status === 'ok' ? { type: 'JOIN_OK', response } : { type: 'JOIN_ERROR', response }
      return { type: 'REPLY', ref: message.ref, status, response }
    }
    case 'phx_close':
      return ofCurrentJoin(message, joinRef) ? { type: 'SERVER_CLOSE' } : null
    case 'phx_error':
      return ofCurrentJoin(message, joinRef) ? { type: 'SERVER_ERROR' } : null
    case 'system': {
      const payload = (message.payload ?? {}) as { status?: unknown; message?: unknown; extension?: unknown }
      const extension = typeof payload.extension === 'string' ? payload.extension : null
      // The shutdown pattern for an expired token: the channel may rejoin with a fresh one (issue 15).
      if (payload.status === 'error' && typeof payload.message === 'string' && payload.message.startsWith('Token has expired')) {
        return { type: 'TOKEN_EXPIRED', message: payload.message, extension }
      }
      return {
        type: 'SYSTEM',
        status: typeof payload.status === 'string' ? payload.status : 'ok',
        message: typeof payload.message === 'string' ? payload.message : '',
        extension,
      }
    }
    default:
      return null
  }
}

function ofCurrentJoin(message: PhoenixMessage, joinRef: string | null): boolean {
  return message.ref === null || message.ref === joinRef
}
