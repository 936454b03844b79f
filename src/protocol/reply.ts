/** A `phx_reply` payload read once for every reader: a status that is not a string counts as an error. */
export function replyOf(payload: unknown): { status: string; response: unknown } {
  const reply = payload as { status?: unknown; response?: unknown } | null
  return { status: typeof reply?.status === 'string' ? reply.status : 'error', response: reply?.response }
}
