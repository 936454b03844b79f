/** Options of `createRealtimeClient`, with their defaults and what they change. */
import type { ActorOptions, AnyActorLogic, InspectionEvent, Observer } from 'xstate'
import type { HeartbeatStatus } from '../machines/connection/contract.js'
import type { ConnectionMachine } from '../machines/connection/connection.machine.js'
import { RealtimeError } from './errors.js'
import type { Logger, RealtimeEventListener } from './events.js'
import type { PostgresConvertOptions } from './postgres/types.js'
import { VSN_1, VSN_2, type Vsn } from './protocol/types.js'
import type { ConnectionOptions, ConnectionWiring } from './connection.js'

/** XState's clock interface (`setTimeout`, `clearTimeout`; `SimulatedClock` adds `now`). */
export type XStateClock = NonNullable<ActorOptions<AnyActorLogic>['clock']> & { now?: () => number }

/** Connection options (url, transport, token function, heartbeat, reconnect, …) are documented in `ConnectionOptions`. */
export interface RealtimeClientOptions extends ConnectionOptions {
  /** The project's anon / publishable key (required). */
  apikey: string
  /** A static user token: sent in join payloads and used when `accessTokenFn` fails. @default none */
  accessToken?: string
  /** Wire protocol. 2.0.0 sends broadcasts as binary frames and supports binary payloads. @default '2.0.0' */
  vsn?: Vsn
  /** Join, leave, push and REST timeout. @default 10000 */
  timeoutMs?: number
  /** Channel rejoin schedule after failed joins (ms, last repeats). @default [1000, 2000, 5000, 10000] */
  rejoinDelays?: readonly number[]
  /** Frames kept while the socket is not open (oldest dropped beyond it, reported). @default 100 */
  sendBufferSize?: number
  /** Pushes a channel keeps while not joined (oldest dropped beyond it, reported). @default 100 */
  channelBufferSize?: number
  /** Delay before the socket closes once the last channel is removed. @default 2 × heartbeatIntervalMs */
  emptyChannelsGraceMs?: number
  /**
   * With `accessTokenFn`: ask it for a fresh token once less than this remains before the token's `exp`
   * (read, not verified; checked on every heartbeat), and push it to every joined channel.
   * @default max(60000, 2 × heartbeatIntervalMs)
   */
  tokenRefreshMarginMs?: number
  /**
   * Called with every heartbeat outcome: `sent`, then `ok` (with the round trip in ms) or `error`,
   * `timeout` (the socket is replaced), `disconnected` (no socket to beat on). @default none
   */
  heartbeatCallback?: (status: HeartbeatStatus, rttMs?: number) => void
  /** One callback for every `RealtimeEvent`, like the Elixir client's `handle_event/1`. */
  handleEvent?: RealtimeEventListener
  /** XState inspection observer, attached to the one root actor (sees every actor of the client). */
  inspect?: Observer<InspectionEvent> | ((event: InspectionEvent) => void)
  /** Where the client reports what it cannot throw (a listener that threw, …). @default console for warn/error */
  logger?: Logger
  /** `systemId` of the root actor. @default 'realtime-client' */
  systemId?: string
  /** `fetch` for `httpSend`. @default globalThis.fetch */
  fetch?: typeof fetch
  /**
   * How postgres change values become JavaScript values (`PostgresTypes`): int8 / numeric beyond a
   * double as exact strings or `bigint`s, dates as ISO strings or `Date`s. @default { exact: 'string', dates: 'string' }
   */
  postgresTypes?: PostgresConvertOptions
  /** Testing: XState clock for every timer of the machines (e.g. `SimulatedClock`). */
  clock?: XStateClock
  /**
   * Testing / other runtimes: replaces the connection logic built from these options. A function gets
   * what the connection must be wired to (the router that takes inbound frames, the clock).
   */
  connectionLogic?: ConnectionMachine | ((wiring: Required<ConnectionWiring>) => ConnectionMachine)
}

/** @throws RealtimeError `missing_apikey`, `unsupported_vsn`, `invalid_argument` */
export function validateOptions(options: RealtimeClientOptions): void {
  if (options === null || typeof options !== 'object') throw new RealtimeError('invalid_argument', 'createRealtimeClient(options): options are required')
  if (typeof options.url !== 'string' || options.url.length === 0) throw new RealtimeError('invalid_argument', 'createRealtimeClient: `url` is required')
  if (typeof options.apikey !== 'string' || options.apikey.length === 0) throw new RealtimeError('missing_apikey', 'API key is required to connect to Realtime')
  if (options.vsn !== undefined && options.vsn !== VSN_1 && options.vsn !== VSN_2) {
    throw new RealtimeError('unsupported_vsn', `Unsupported serializer version: ${String(options.vsn)}`, { vsn: options.vsn })
  }
  for (const key of ['heartbeatIntervalMs', 'heartbeatTimeoutMs', 'timeoutMs', 'sendBufferSize', 'channelBufferSize', 'emptyChannelsGraceMs', 'tokenRefreshMarginMs'] as const) {
    const value = options[key]
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new RealtimeError('invalid_argument', `createRealtimeClient: \`${key}\` must be a non-negative number`, { [key]: value })
    }
  }
}
