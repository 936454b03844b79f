/** Small HTTP helpers: JSON responses with CORS, bounded body reading, raw replies to an upgrade. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http'
import type { Duplex } from 'node:stream'

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, apikey, content-type, x-client-info',
  'access-control-allow-methods': 'POST, GET, OPTIONS',
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { ...CORS_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) })
  response.end(text)
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status, { ...CORS_HEADERS, 'content-length': 0 })
  response.end()
}

export class BodyTooLargeError extends Error {}

/** The request body, refusing bodies over `limit` bytes. */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    request.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limit) {
        // Keep draining (without storing) so the 413 reaches a client still uploading.
        chunks.length = 0
        reject(new BodyTooLargeError(`body over ${limit} bytes`))
        return
      }
      chunks.push(chunk)
    })
    request.on('end', () => resolve(Buffer.concat(chunks)))
    request.on('error', reject)
  })
}

/** Answers an upgrade request with a plain HTTP error, as the server does for refused handshakes. */
export function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body)
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(text)}`,
    'connection: close',
  ]
  socket.on('error', () => {})
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${text}`)
  else socket.destroy()
}

export function contentType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}
