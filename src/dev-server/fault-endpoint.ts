/**
 * `POST /__faults/<action>` for processes that cannot call `faults` directly (a browser demo, another
 * test runner). Off unless `faultEndpoint: true`. Bodies are JSON; every answer is the fault state.
 *
 *   drop {code?, reason?} · silence · resume · refuse-upgrades {count, status?, error?} ·
 *   delay {ms} · error-channel {topic} · swallow-acks {on?} · restart · reset      (GET /__faults: state)
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { ServerContext } from './context.js'
import { readBody, sendJson } from './http-util.js'

export const FAULT_PATH = /^\/__faults(?:\/([a-z-]+))?\/?$/

function numberField(body: Record<string, unknown>, key: string): number | undefined {
  const value = body[key]
  return typeof value === 'number' ? value : undefined
}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const text = (await readBody(request, 64 * 1024)).toString('utf8')
  if (text.trim() === '') return {}
  const value: unknown = JSON.parse(text)
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}
}

export async function handleFaultRequest(ctx: ServerContext, request: IncomingMessage, response: ServerResponse, action: string | undefined): Promise<void> {
  const { faults } = ctx
  if (request.method === 'GET' && action === undefined) return sendJson(response, 200, faults.state)
  if (request.method !== 'POST' || action === undefined) return sendJson(response, 405, { error: 'Use POST /__faults/<action>' })
  let body: Record<string, unknown>
  try {
    body = await readJson(request)
  } catch {
    return sendJson(response, 400, { error: 'Invalid JSON body' })
  }
  let affected: number | undefined
  try {
    switch (action) {
      case 'drop': {
        const code = numberField(body, 'code')
        affected = faults.dropAllSockets(code === undefined ? undefined : { code, reason: typeof body['reason'] === 'string' ? body['reason'] : '' })
        break
      }
      case 'silence':
        faults.goSilent()
        break
      case 'resume':
        faults.resume()
        break
      case 'refuse-upgrades': {
        const status = numberField(body, 'status')
        faults.refuseUpgrades(numberField(body, 'count') ?? 1, {
          ...(status !== undefined ? { status } : {}),
          ...(typeof body['error'] === 'string' ? { error: body['error'] } : {}),
        })
        break
      }
      case 'delay':
        faults.delayFrames(numberField(body, 'ms') ?? 0)
        break
      case 'error-channel':
        if (typeof body['topic'] !== 'string') return sendJson(response, 422, { error: '`topic` is required' })
        affected = faults.errorChannel(body['topic'])
        break
      case 'swallow-acks':
        faults.swallowAcks(body['on'] !== false)
        break
      case 'restart':
        await faults.restart()
        break
      case 'reset':
        faults.reset()
        break
      default:
        return sendJson(response, 404, { error: `Unknown fault \`${action}\`` })
    }
  } catch (error) {
    return sendJson(response, 422, { error: error instanceof Error ? error.message : String(error) })
  }
  sendJson(response, 200, { ...faults.state, ...(affected !== undefined ? { affected } : {}) })
}
