/** Helpers for driving @supabase/realtime-js in tests. */
import type { RealtimeClient } from '@supabase/realtime-js'

/**
 * Removes every channel and disconnects. realtime-js 2.119.1's `disconnect()` arms a 10 s
 * `setTimeout` (its "did not close in time" fallback) that it never clears; it is created
 * synchronously inside the call, so it is unref'd here to keep it from holding the test process.
 */
export async function disconnect(c: RealtimeClient): Promise<void> {
  for (const channel of c.getChannels()) {
    await channel.unsubscribe()
    channel.teardown()
  }
  const original = globalThis.setTimeout
  globalThis.setTimeout = ((handler: () => void, ms?: number) => original(handler, ms).unref()) as typeof setTimeout
  let done: Promise<unknown>
  try {
    done = c.disconnect()
  } finally {
    globalThis.setTimeout = original
  }
  await done
}
