/**
 * Token checks in the three places the server makes them, each with the real server's wording
 * (protocol.md §1.1 handshake, §4.4 join errors, §8.1 system messages), plus channel authorization.
 */
import type { IncomingMessage } from 'node:http'
import { verifyJwt, type JwtClaims, type JwtFailure } from './jwt.js'

/** A token that verified, with the text it came as (needed to compare refreshes). */
export interface VerifiedToken {
  readonly raw: string
  readonly claims: JwtClaims
}

export type TokenCheck = { readonly ok: true; readonly token: VerifiedToken } | { readonly ok: false; readonly failure: JwtFailure }

export function checkToken(raw: string, secret: string): TokenCheck {
  const result = verifyJwt(raw, secret)
  return result.ok ? { ok: true, token: { raw, claims: result.claims } } : { ok: false, failure: result }
}

/** The body `error` of a refused handshake (HTTP 401). */
export function handshakeMessage(failure: JwtFailure): string {
  switch (failure.reason) {
    case 'malformed':
      return 'The token provided is not a valid JWT'
    case 'signature':
      return 'Failed to validate JWT signature'
    case 'missing_claims':
      return 'Fields `role` and `exp` are required in JWT'
    case 'invalid_exp':
      return 'Token expiration time is invalid'
    case 'expired':
      return 'Token has expired'
    default:
      return unreachable(failure)
  }
}

/** The message of a `system` shutdown (no code prefix): the handshake's, with the age of an expired token. */
export function systemMessage(failure: JwtFailure): string {
  return failure.reason === 'expired' ? `Token has expired ${failure.secondsAgo} seconds ago` : handshakeMessage(failure)
}

/** The `reason` of a join error reply: `"<Code>: <message>"`. */
export function joinReason(failure: JwtFailure): string {
  switch (failure.reason) {
    case 'malformed':
      return `MalformedJWT: ${systemMessage(failure)}`
    case 'signature':
      return `JwtSignatureError: ${systemMessage(failure)}`
    case 'missing_claims':
    case 'invalid_exp':
    case 'expired':
      return `InvalidJWTToken: ${systemMessage(failure)}`
    default:
      return unreachable(failure)
  }
}

function unreachable(value: never): never {
  throw new Error(`unhandled token failure ${JSON.stringify(value)}`)
}

/** The handshake token: header `x-api-key` first, else the `apikey` query parameter. */
export function handshakeToken(request: IncomingMessage, url: URL): string | undefined {
  const header = request.headers['x-api-key']
  const fromHeader = Array.isArray(header) ? header[0] : header
  if (fromHeader) return fromHeader
  return url.searchParams.get('apikey') ?? undefined
}

/** The REST token: `Authorization: Bearer …` first, else the `apikey` header. */
export function restToken(request: IncomingMessage): string | undefined {
  const authorization = request.headers.authorization
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization)
    if (match) return match[1]
  }
  const apikey = request.headers['apikey']
  return (Array.isArray(apikey) ? apikey[0] : apikey) || undefined
}

/** What a private channel may do; the real server reads these from RLS policies on `realtime.messages`. */
export interface AuthorizationRequest {
  /** The channel name without the `realtime:` prefix. */
  readonly subtopic: string
  readonly claims: JwtClaims
  readonly extension: 'broadcast' | 'presence'
  readonly action: 'read' | 'write'
}

/** Decides a private-channel permission. May be async (e.g. a lookup in a test fixture). */
export type Authorize = (request: AuthorizationRequest) => boolean | Promise<boolean>

/** Default policy: any authenticated role (anything but `anon`) may read and write. */
export const allowAuthenticated: Authorize = ({ claims }) => claims.role !== 'anon'

export interface Policies {
  readonly broadcastRead: boolean
  readonly broadcastWrite: boolean
  readonly presenceRead: boolean
  readonly presenceWrite: boolean
}

/** Evaluates all four permissions; a throwing callback denies. */
export async function evaluatePolicies(authorize: Authorize, subtopic: string, claims: JwtClaims): Promise<Policies> {
  const ask = async (extension: 'broadcast' | 'presence', action: 'read' | 'write'): Promise<boolean> => {
    try {
      return (await authorize({ subtopic, claims, extension, action })) === true
    } catch {
      return false
    }
  }
  const [broadcastRead, broadcastWrite, presenceRead, presenceWrite] = await Promise.all([
    ask('broadcast', 'read'),
    ask('broadcast', 'write'),
    ask('presence', 'read'),
    ask('presence', 'write'),
  ])
  return { broadcastRead, broadcastWrite, presenceRead, presenceWrite }
}

/** Public channels are governed by no policy. */
export const PUBLIC_POLICIES: Policies = { broadcastRead: true, broadcastWrite: true, presenceRead: true, presenceWrite: true }
