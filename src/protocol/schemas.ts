/**
 * valibot schemas for every frame a peer may send. A frame is checked against them before anything
 * acts on it; the check answers yes or no and the original value is used afterwards (no copy).
 */
import * as v from 'valibot'

const ref = v.nullable(v.string())
const optionalRef = v.nullish(v.string())

/** vsn 2.0.0 text frame as a client receives it: exactly five elements. */
export const ServerArrayFrame = v.strictTuple([ref, ref, v.string(), v.string(), v.unknown()])
/** vsn 2.0.0 text frame as the server accepts it: five elements, extra trailing ones ignored. */
export const ClientArrayFrame = v.looseTuple([ref, ref, v.string(), v.string(), v.unknown()])

/** vsn 1.0.0 object frame (either direction; a server frame has no join_ref). */
export const ObjectFrame = v.object({
  topic: v.string(),
  event: v.string(),
  payload: v.unknown(),
  ref: optionalRef,
  join_ref: optionalRef,
})

const anyObject = v.looseObject({})
const metas = v.looseObject({ metas: v.array(v.looseObject({ phx_ref: v.string() })) })
const presenceMap = v.record(v.string(), metas)

export const ReplyPayload = v.looseObject({ status: v.string(), response: v.unknown() })
export const BroadcastPayload = v.looseObject({ event: v.string() })
export const PresenceStatePayload = presenceMap
export const PresenceDiffPayload = v.looseObject({ joins: presenceMap, leaves: presenceMap })
export const PostgresChangesPayload = v.looseObject({ ids: v.optional(v.array(v.number())), data: v.optional(anyObject) })
export const SystemPayload = v.looseObject({ message: v.optional(v.string()), status: v.optional(v.string()) })

/** Payload checks by event name, for frames a client receives. Events not listed accept any payload. */
const serverPayloads: Record<string, v.GenericSchema> = {
  phx_reply: ReplyPayload,
  broadcast: BroadcastPayload,
  presence_state: PresenceStatePayload,
  presence_diff: PresenceDiffPayload,
  postgres_changes: PostgresChangesPayload,
  system: SystemPayload,
}

export function serverPayloadSchema(event: string): v.GenericSchema | undefined {
  return Object.hasOwn(serverPayloads, event) ? serverPayloads[event] : undefined
}

/** Payload checks for frames the server receives. */
const clientPayloads: Record<string, v.GenericSchema> = {
  phx_join: anyObject,
  access_token: anyObject,
  broadcast: anyObject,
  presence: v.looseObject({ event: v.string() }),
}

export function clientPayloadSchema(event: string): v.GenericSchema | undefined {
  return Object.hasOwn(clientPayloads, event) ? clientPayloads[event] : undefined
}

/** The first issue of a failed check, as "path: message", for error metadata. */
export function describeIssue(schema: v.GenericSchema, value: unknown): string {
  const result = v.safeParse(schema, value, { abortEarly: true })
  if (result.success) return 'valid'
  const issue = result.issues[0]
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? ''
  return path ? `${path}: ${issue.message}` : issue.message
}
