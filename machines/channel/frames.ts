/**
 * The frames a channel sends, built from its context (the params of the chart's `transmit` action).
 * Every builder is pure: refs were minted before, by the transition's assign.
 */
import type { PhoenixMessage } from '../../src/protocol/types.js'
import { joinPayload, type ChannelContext } from './contract.js'
import { presenceBody, type Push } from './pushes.js'

export interface Frames {
  messages: PhoenixMessage[]
}

const NONE: Frames = { messages: [] }

function frame(context: ChannelContext, ref: string | null, event: string, payload: unknown): PhoenixMessage {
  return { joinRef: context.joinRef, ref, topic: context.topic, event, payload }
}

export function joinFrames({ context }: { context: ChannelContext }): Frames {
  return { messages: [frame(context, context.joinRef, 'phx_join', joinPayload(context.config, context.accessToken))] }
}

/** The leave push made by `newLeave`: the last push in flight. */
export function leaveFrames({ context }: { context: ChannelContext }): Frames {
  const leave = context.inFlight[context.inFlight.length - 1]
  return leave?.kind === 'leave' ? { messages: [frame(context, leave.ref, 'phx_leave', {})] } : NONE
}

/** No reply within the join timeout: leave whatever the server may still have joined (protocol.md §4.5). */
export function abandonJoinFrames({ context }: { context: ChannelContext }): Frames {
  return context.joinRef === null ? NONE : { messages: [frame(context, String(context.refSeq), 'phx_leave', {})] }
}

/** A joined channel tells the server about a new token at once (protocol.md §8.3); the server never replies. */
export function tokenFrames({ context }: { context: ChannelContext }): Frames {
  return { messages: [frame(context, String(context.refSeq), 'access_token', { access_token: context.accessToken })] }
}

export function pushFrames({ context }: { context: ChannelContext }, push: Push | null): Frames {
  return push === null ? NONE : { messages: [frame(context, push.ref, push.event, push.payload)] }
}

/** What waited for the join, in order, under the new join ref, then the re-track (already in flight). */
export function joinedFrames({ context }: { context: ChannelContext }, waited: readonly Push[]): Frames {
  const messages = waited.map((push) => frame(context, push.ref, push.event, push.payload))
  const retrack = context.inFlight.find((push) => push.kind === 'retrack')
  if (retrack !== undefined && context.tracked !== null) messages.push(frame(context, retrack.ref, 'presence', presenceBody(context.tracked)))
  return { messages }
}
