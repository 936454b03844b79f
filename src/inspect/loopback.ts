/**
 * The bridge is for the developer's own machine: it listens on loopback only, and refuses requests
 * whose Host or Origin is not loopback — a web page the developer visits could otherwise open a
 * WebSocket to it (WebSockets ignore CORS) or reach it through DNS rebinding.
 */
const LOOPBACK_NAMES = new Set(['127.0.0.1', '::1', '[::1]', 'localhost'])

export function isLoopbackName(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127(?:\.\d{1,3}){3}$/.test(host)
}

/** `host[:port]` of a Host header, or an Origin URL, is loopback. */
export function isLoopbackAuthority(value: string | undefined): boolean {
  if (value === undefined || value === '') return false
  try {
    const url = new URL(value.includes('://') ? value : `http://${value}`)
    return isLoopbackName(url.hostname)
  } catch {
    return false
  }
}
