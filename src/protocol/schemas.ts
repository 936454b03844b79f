/**
 * valibot schemas for every frame a peer may send. A frame is checked against them before anything
 * acts on it; the check answers yes or no and the original value is used afterwards (no copy).
 */
import * as v from 'valibot'
import { compile, type Predicate } from './validate.js'

const ref = v.nullable(v.string())
const optionalRef = v.nullish(v.string())

/**
 * A payload that is there. Tuples run every item schema, so with `v.unknown()` a 4-element array would
 * pass with an `undefined` payload; JSON never yields `undefined`, so this only rejects absence.
 */
const present = v.custom<unknown>((input) => input !== undefined, 'Invalid length: expected 5 elements [join_ref, ref, topic, event, payload]')

/** vsn 2.0.0 text frame as a client receives it: exactly five elements. */
export const ServerArrayFrame = v.strictTuple([ref, ref, v.string(), v.string(), present])
/**
 * vsn 2.0.0 text frame as the server accepts it: five elements, extra trailing ones ignored. (`tuple`
 * accepts extra items like `looseTuple` but does not copy them: checks here only answer yes or no.)
 */
export const ClientArrayFrame = v.tuple([ref, ref, v.string(), v.string(), present])

/** vsn 1.0.0 object frame (either direction; a server frame has no join_ref). */
export const ObjectFrame = v.object({
  topic: v.string(),
  event: v.string(),
  payload: v.unknown(),
  ref: optionalRef,
  join_ref: optionalRef,
})

/** A JSON object: not null, not an array, not binary (valibot's object schemas accept all three). */
export function isJsonObject(input: unknown): input is Record<string, unknown> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return false
  const proto: unknown = Object.getPrototypeOf(input)
  return proto === Object.prototype || proto === null
}
const jsonObject = v.custom<Record<string, unknown>>(isJsonObject, 'Invalid type: expected a JSON object')
/**
 * `entries` checked on a JSON object; other keys allowed. `object` accepts unknown keys exactly like
 * `looseObject` and only differs in its output (which we never use), without copying every key.
 */
function objectWith<E extends v.ObjectEntries>(entries: E) {
  return v.pipe(jsonObject, v.object(entries))
}

/**
 * A JSON object whose every value matches `value`. Not `v.record`: it skips the keys `__proto__`,
 * `constructor` and `prototype` without checking their values, yet those stay in the payload we
 * hand on (as own data), so a `{"__proto__": "garbage"}` presence state would pass unchecked.
 */
function recordOf<S extends v.GenericSchema>(value: S) {
  const isValue = compile(value)
  return v.pipe(
    jsonObject,
    v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return
      const input = dataset.value
      for (const key of Object.keys(input)) {
        const item = input[key]
        if (!isValue(item)) {
          addIssue({ message: `Invalid value: ${describeIssue(value, item)}`, path: [{ type: 'object', origin: 'value', input, key, value: item }] })
          return
        }
      }
    }),
  )
}

const anyObject = jsonObject
const metas = objectWith({ metas: v.array(objectWith({ phx_ref: v.string() })) })
const presenceMap = recordOf(metas)

export const ReplyPayload = objectWith({ status: v.string(), response: v.unknown() })
export const BroadcastPayload = objectWith({ event: v.string() })
export const PresenceStatePayload = presenceMap
export const PresenceDiffPayload = objectWith({ joins: presenceMap, leaves: presenceMap })
export const PostgresChangesPayload = objectWith({ ids: v.optional(v.array(v.number())), data: v.optional(anyObject) })
export const SystemPayload = objectWith({ message: v.optional(v.string()), status: v.optional(v.string()) })

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
  // realtime-js sends a broadcast whose payload is an ArrayBuffer as a binary kind-0 push.
  broadcast: v.union([anyObject, v.instance(ArrayBuffer)]),
  presence: objectWith({ event: v.string() }),
}

export function clientPayloadSchema(event: string): v.GenericSchema | undefined {
  return Object.hasOwn(clientPayloads, event) ? clientPayloads[event] : undefined
}

/**
 * Each schema compiled once into a predicate with `v.is`'s answer (see validate.ts). The schema itself
 * stays the reference: `describeIssue` runs it to explain a rejection.
 */
export interface CompiledSchema {
  schema: v.GenericSchema
  is: Predicate
}
function compiled(schema: v.GenericSchema, is: Predicate = compile(schema)): CompiledSchema {
  return { schema, is }
}

/*
 * The two checks every inbound JSON broadcast runs, written out by hand (issue 6): the compiled
 * predicates call one closure per schema node, about ten calls a frame, ~7 % of a frame's cost
 * through the whole client. Same answers as the schemas above: tests/protocol/codec.validate.test.ts
 * runs both on the same valid, odd, mutated and random inputs.
 */
function isServerArrayFrame(input: unknown): boolean {
  return (
    Array.isArray(input) &&
    input.length === 5 &&
    (input[0] === null || typeof input[0] === 'string') &&
    (input[1] === null || typeof input[1] === 'string') &&
    typeof input[2] === 'string' &&
    typeof input[3] === 'string' &&
    input[4] !== undefined
  )
}
function isBroadcastPayload(input: unknown): boolean {
  return isJsonObject(input) && typeof input['event'] === 'string'
}
/** Every postgres change runs it too (issue 12): `PostgresChangesPayload`, written out. */
function isPostgresChangesPayload(input: unknown): boolean {
  if (!isJsonObject(input)) return false
  const ids = input['ids']
  if (ids !== undefined && !(Array.isArray(ids) && ids.every((id) => typeof id === 'number' && !Number.isNaN(id)))) return false
  const data = input['data']
  return data === undefined || isJsonObject(data)
}
const HAND_WRITTEN_SERVER_PAYLOADS: Readonly<Record<string, Predicate>> = { broadcast: isBroadcastPayload, postgres_changes: isPostgresChangesPayload }

export const serverArrayFrame = compiled(ServerArrayFrame, isServerArrayFrame)
export const clientArrayFrame = compiled(ClientArrayFrame)
export const objectFrame = compiled(ObjectFrame)
const compiledServerPayloads = new Map(Object.entries(serverPayloads).map(([event, schema]) => [event, compiled(schema, HAND_WRITTEN_SERVER_PAYLOADS[event])]))
const compiledClientPayloads = new Map(Object.entries(clientPayloads).map(([event, schema]) => [event, compiled(schema)]))

/** The compiled payload check for an event a client receives (or sends, `fromClient`), if it has one. */
export function payloadCheck(event: string, direction: 'fromServer' | 'fromClient'): CompiledSchema | undefined {
  return (direction === 'fromServer' ? compiledServerPayloads : compiledClientPayloads).get(event)
}

/** The first issue of a failed check, as "path: message", for error metadata. */
export function describeIssue(schema: v.GenericSchema, value: unknown): string {
  const result = v.safeParse(schema, value, { abortEarly: true })
  if (result.success) return 'valid'
  const issue = result.issues[0]
  const path = issue.path?.map((item) => String(item.key)).join('.') ?? ''
  return path ? `${path}: ${issue.message}` : issue.message
}
