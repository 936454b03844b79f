/**
 * The frames a channel sends, built from its context (the params of the chart's `transmit` action).
 * Every builder is pure: refs were minted before, by the transition's assign.
 */
import type { PhoenixMessage } from '../../src/protocol/types.js'
import { joinPayload, type ChannelContext, type ChannelEvent } from './contract.js'
import type { Push } from './pushes.js'

export interface Frames {
  messages: PhoenixMessage[]
}

const NONE: Frames = { messages: [] }

/** One frame of this channel under its current join ref. */
export function frameOf(context: ChannelContext, ref: string | null, event: string, payload: unknown): PhoenixMessage {
  return { joinRef: context.joinRef, ref, topic: context.topic, event, payload }
}

/** The frame of a `push` command sent as it is (no reply awaited). */
export function commandFrames({ context, event }: { context: ChannelContext; event: ChannelEvent }): Frames {
  return event.type === 'push' ? { messages: [frameOf(context, event.ref, event.event, event.payload)] } : NONE
}

/** The frame of a push. */
export function pushFrame(context: ChannelContext, push: Push): PhoenixMessage {
  return frameOf(context, push.ref, push.event, push.payload)
}

export function joinFrames({ context }: { context: ChannelContext }): Frames {
  return { messages: [frameOf(context, context.joinRef, 'phx_join', joinPayload(context.config, context.accessToken))] }
}

/** No reply within the join timeout: leave whatever the server may still have joined (protocol.md §4.5). */
export function abandonJoinFrames({ context }: { context: ChannelContext }): Frames {
  return context.joinRef === null ? NONE : { messages: [frameOf(context, String(context.refSeq), 'phx_leave', {})] }
}

/** A joined channel tells the server about a new token at once (protocol.md §8.3); the server never replies. */
export function tokenFrames({ context }: { context: ChannelContext }): Frames {
  return { messages: [frameOf(context, String(context.refSeq), 'access_token', { access_token: context.accessToken })] }
}
