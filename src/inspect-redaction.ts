/**
 * What `inspect` sees, without secrets: every inspection event is handed on with its snapshot's
 * context, its event and its action params redacted (tokens and the apikey become `[redacted]`, JWTs
 * inside strings too). The actor refs an event names are the live actors: what a caller reads from
 * them directly is not redacted.
 */
import type { InspectionEvent, Observer } from 'xstate'
import { redact } from './errors.js'

export type InspectionObserver = Observer<InspectionEvent> | ((event: InspectionEvent) => void)

/** The snapshot with its `context` (machines) and `input` (callback and promise actors) redacted. */
function redactedSnapshot(snapshot: unknown): unknown {
  if (typeof snapshot !== 'object' || snapshot === null) return snapshot
  const copy: Record<string, unknown> = { ...snapshot }
  if ('context' in snapshot) copy['context'] = redact((snapshot as { context: unknown }).context)
  if ('input' in snapshot) copy['input'] = redact((snapshot as { input: unknown }).input)
  // A promise actor's result: the token function's answer is a token.
  if ('output' in snapshot) copy['output'] = redact((snapshot as { output: unknown }).output)
  return copy
}

/** The inspection event with its secrets replaced. */
export function redactInspectionEvent(event: InspectionEvent): InspectionEvent {
  const copy: Record<string, unknown> = { ...event }
  if ('snapshot' in event) copy['snapshot'] = redactedSnapshot(event.snapshot)
  if ('event' in event) copy['event'] = redact(event.event)
  if ('action' in event) copy['action'] = redact(event.action)
  return copy as unknown as InspectionEvent
}

/** An observer that passes every event on to `observer`, redacted. */
export function redactInspection(observer: InspectionObserver): (event: InspectionEvent) => void {
  const next = typeof observer === 'function' ? observer : (event: InspectionEvent) => observer.next?.(event)
  return (event) => next(redactInspectionEvent(event))
}
