/**
 * Compiles a valibot schema once into a plain predicate with exactly `v.is(schema, input)`'s answer.
 *
 * `v.is` runs the schema's `~run`, which builds an output copy (new arrays and objects, a dataset per
 * entry) that a yes/no check throws away; on every inbound frame that cost as much as a third of
 * `JSON.parse` itself. The compiled predicate walks the same schema tree with the same rules and
 * allocates nothing. Only the schema kinds used by the codec are compiled; anything else (defaults,
 * fallbacks, transformations, pipes whose middle items change the value, other kinds) is handed to
 * `v.is` unchanged, so a schema edit can never silently weaken validation. The codec tests check the
 * predicates against `v.is` on random and malformed inputs.
 */
import * as v from 'valibot'

export type Predicate = (input: unknown) => boolean

type AnySchema = Record<string, unknown>
type PipeItem = { kind: string; type: string } & Record<string, unknown>

const ABORT_EARLY = { abortEarly: true } as const

/** Schema kinds whose `~run` output is the input itself, so a pipe item after them sees the same value. */
const KEEPS_VALUE = new Set(['custom', 'string', 'number', 'boolean', 'unknown', 'instance', 'null', 'undefined'])

function fallback(schema: v.GenericSchema): Predicate {
  return (input) => v.is(schema, input)
}

function hasDefaultOrFallback(schema: AnySchema): boolean {
  return schema['default'] !== undefined || schema['fallback'] !== undefined
}

export function compile(schema: v.GenericSchema): Predicate {
  const s = schema as unknown as AnySchema
  if (s['async'] === true) return fallback(schema)
  if (Array.isArray(s['pipe'])) return compilePipe(schema, s['pipe'] as PipeItem[])
  if (hasDefaultOrFallback(s)) return fallback(schema)
  switch (s['type']) {
    case 'string':
      return (input) => typeof input === 'string'
    case 'number':
      return (input) => typeof input === 'number' && !Number.isNaN(input)
    case 'unknown':
      return () => true
    case 'custom': {
      const check = s['check'] as (this: unknown, input: unknown) => boolean
      return (input) => Boolean(check.call(s, input))
    }
    case 'instance': {
      const klass = s['class'] as abstract new (...args: never[]) => unknown
      return (input) => input instanceof klass
    }
    case 'nullable': {
      const wrapped = compile(s['wrapped'] as v.GenericSchema)
      return (input) => input === null || wrapped(input)
    }
    case 'nullish': {
      const wrapped = compile(s['wrapped'] as v.GenericSchema)
      return (input) => input === null || input === undefined || wrapped(input)
    }
    case 'optional': {
      const wrapped = compile(s['wrapped'] as v.GenericSchema)
      return (input) => input === undefined || wrapped(input)
    }
    case 'union': {
      const options = (s['options'] as v.GenericSchema[]).map(compile)
      return (input) => options.some((option) => option(input))
    }
    case 'array': {
      const item = compile(s['item'] as v.GenericSchema)
      return (input) => Array.isArray(input) && input.every((value) => item(value))
    }
    case 'tuple':
    case 'loose_tuple':
    case 'strict_tuple': {
      const items = (s['items'] as v.GenericSchema[]).map(compile)
      const strict = s['type'] === 'strict_tuple'
      // Like valibot: every item schema runs on input[i], present or not; only strict_tuple limits the length.
      return (input) => {
        if (!Array.isArray(input)) return false
        for (let i = 0; i < items.length; i++) if (!items[i]!(input[i])) return false
        return !strict || input.length <= items.length
      }
    }
    case 'object':
    case 'loose_object':
      return compileObject(schema, s['entries'] as Record<string, AnySchema>)
    default:
      return fallback(schema)
  }
}

function compileObject(schema: v.GenericSchema, entries: Record<string, AnySchema>): Predicate {
  const checks: Array<{ key: string; check: Predicate; optional: boolean }> = []
  for (const key in entries) {
    const entry = entries[key]!
    if (hasDefaultOrFallback(entry)) return fallback(schema)
    const type = entry['type']
    checks.push({ key, check: compile(entry as unknown as v.GenericSchema), optional: type === 'optional' || type === 'nullish' || type === 'exact_optional' })
  }
  return (input) => {
    if (!input || typeof input !== 'object') return false
    for (const { key, check, optional } of checks) {
      // valibot reads the entry when `key in input` (inherited keys included) and otherwise requires it
      // unless the entry is optional.
      if (key in input) {
        if (!check((input as Record<string, unknown>)[key])) return false
      } else if (!optional) return false
    }
    return true
  }
}

function compilePipe(schema: v.GenericSchema, items: PipeItem[]): Predicate {
  const steps: Predicate[] = []
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!
    if (item.kind === 'metadata') continue
    const last = i === items.length - 1
    if (item.kind === 'schema') {
      // A schema in the middle of a pipe hands its output on; only value-keeping ones are compiled.
      if (!last && !KEEPS_VALUE.has(item.type)) return fallback(schema)
      steps.push(compile(item as unknown as v.GenericSchema))
    } else if (item.kind === 'validation' && item.type === 'check') {
      const requirement = item['requirement'] as (this: unknown, input: unknown) => boolean
      steps.push((input) => Boolean(requirement.call(item, input)))
    } else if (item.kind === 'validation' && item.type === 'raw_check') {
      steps.push(rawCheck(item))
    } else {
      return fallback(schema)
    }
  }
  return (input) => {
    for (const step of steps) if (!step(input)) return false
    return true
  }
}

function rawCheck(item: PipeItem): Predicate {
  const run = item['~run'] as (dataset: { typed: boolean; value: unknown; issues?: unknown[] }, config: v.Config<v.BaseIssue<unknown>>) => { issues?: unknown[] }
  return (input) => !run.call(item, { typed: true, value: input }, ABORT_EARLY).issues
}
