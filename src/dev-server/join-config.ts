/**
 * The `phx_join` payload as the server reads it (protocol.md §4.2): booleans are "flexible" (JSON
 * booleans or "true"/"false" strings), anything unparsable falls back to its default, and the
 * postgres_changes bindings come back with integer ids (§4.3).
 */
import { bindingId } from './ids.js'

export interface PostgresChangesBinding {
  /** The id sent back in the join reply and in every `postgres_changes` frame for this binding. */
  readonly id: number
  readonly event: string
  readonly schema: string
  readonly table?: string
  readonly filter?: string
  /** The client's map, null entries removed, as echoed in the join reply (without `id`). */
  readonly params: Readonly<Record<string, unknown>>
}

export interface JoinConfig {
  readonly broadcast: { readonly self: boolean; readonly ack: boolean }
  readonly presence: { readonly enabled: boolean; readonly key: string | null }
  readonly postgresChanges: readonly PostgresChangesBinding[]
  readonly private: boolean
}

export interface JoinRequest {
  readonly config: JoinConfig
  /** `access_token` or `user_token` from the payload, if any. */
  readonly token: string | null
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function field(record: unknown, key: string): unknown {
  return isRecord(record) && Object.hasOwn(record, key) ? record[key] : undefined
}

export function flexibleBoolean(value: unknown, fallback = false): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const lower = value.toLowerCase()
    if (lower === 'true') return true
    if (lower === 'false') return false
  }
  return fallback
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function parseBinding(entry: unknown): PostgresChangesBinding | null {
  if (!isRecord(entry)) return null
  // Keys come from the wire: a null-prototype map keeps `__proto__` an ordinary key.
  const params: Record<string, unknown> = Object.create(null)
  for (const [key, value] of Object.entries(entry)) if (value !== null && value !== undefined) params[key] = value
  const table = optionalString(params['table'])
  const filter = optionalString(params['filter'])
  return {
    id: bindingId(params),
    event: typeof params['event'] === 'string' ? params['event'] : '*',
    schema: typeof params['schema'] === 'string' ? params['schema'] : 'public',
    ...(table !== undefined ? { table } : {}),
    ...(filter !== undefined ? { filter } : {}),
    params,
  }
}

export function parseJoinPayload(payload: unknown): JoinRequest {
  const config = field(payload, 'config')
  const broadcast = field(config, 'broadcast')
  const presence = field(config, 'presence')
  const key = field(presence, 'key')
  const changes = field(config, 'postgres_changes')
  const accessToken = field(payload, 'access_token')
  const userToken = field(payload, 'user_token')
  return {
    config: {
      broadcast: { self: flexibleBoolean(field(broadcast, 'self')), ack: flexibleBoolean(field(broadcast, 'ack')) },
      presence: { enabled: flexibleBoolean(field(presence, 'enabled')), key: typeof key === 'string' && key !== '' ? key : null },
      postgresChanges: Array.isArray(changes) ? changes.map(parseBinding).filter((b): b is PostgresChangesBinding => b !== null) : [],
      private: flexibleBoolean(field(config, 'private')),
    },
    token: typeof accessToken === 'string' ? accessToken : typeof userToken === 'string' ? userToken : null,
  }
}

/** The join reply's `postgres_changes` list: each binding's params plus its id. */
export function bindingsReply(bindings: readonly PostgresChangesBinding[]): Record<string, unknown>[] {
  return bindings.map((binding) => {
    const entry: Record<string, unknown> = Object.create(null)
    entry['id'] = binding.id
    for (const [key, value] of Object.entries(binding.params)) if (key !== 'id') entry[key] = value
    return entry
  })
}
