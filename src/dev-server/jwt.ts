/**
 * HS256 JSON Web Tokens with node:crypto: enough to sign the dev server's keys and to check tokens
 * the way the Realtime server does (protocol.md §1.1, §8.2): signature first, then `role` and `exp`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Claims of a verified token. `role` and `exp` (seconds since the epoch) are always present. */
export interface JwtClaims {
  readonly role: string
  readonly exp: number
  readonly [claim: string]: unknown
}

/** Why a token was refused; `auth.ts` turns each into the server's wording for its context. */
export type JwtFailure =
  | { readonly reason: 'malformed' }
  | { readonly reason: 'signature' }
  | { readonly reason: 'missing_claims' }
  | { readonly reason: 'invalid_exp' }
  | { readonly reason: 'expired'; readonly secondsAgo: number }

export type JwtResult = { readonly ok: true; readonly claims: JwtClaims } | ({ readonly ok: false } & JwtFailure)

const HEADER = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))

function base64url(text: string | Buffer): string {
  return Buffer.from(text).toString('base64url')
}

function signature(secret: string, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest()
}

/** Signs `claims` as they are: callers add `exp`/`iat` if they want them. */
export function signJwt(claims: Readonly<Record<string, unknown>>, secret: string): string {
  const input = `${HEADER}.${base64url(JSON.stringify(claims))}`
  return `${input}.${signature(secret, input).toString('base64url')}`
}

function parseJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Whether `exp` (seconds) has passed at `nowMs`. Expired means `exp <= now`, as Joken checks it. */
export function isExpired(exp: number, nowMs: number): boolean {
  return exp * 1000 <= nowMs
}

export function verifyJwt(token: string, secret: string, nowMs: number = Date.now()): JwtResult {
  const parts = token.split('.')
  if (parts.length !== 3) return { ok: false, reason: 'malformed' }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string]
  const header = parseJson(headerPart)
  const claims = parseJson(payloadPart)
  if (!isRecord(header) || !isRecord(claims)) return { ok: false, reason: 'malformed' }
  if (header['alg'] !== 'HS256') return { ok: false, reason: 'signature' }
  const expected = signature(secret, `${headerPart}.${payloadPart}`)
  const given = Buffer.from(signaturePart, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' }
  const role = claims['role']
  const exp = claims['exp']
  if (role === undefined || role === null || exp === undefined || exp === null) return { ok: false, reason: 'missing_claims' }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return { ok: false, reason: 'invalid_exp' }
  if (isExpired(exp, nowMs)) return { ok: false, reason: 'expired', secondsAgo: Math.max(0, Math.floor(nowMs / 1000) - exp) }
  return { ok: true, claims: { ...claims, role: String(role), exp } }
}
