/**
 * Frames written in one burst leave in one system call. A `ws` socket writes every frame to its TCP
 * socket at once: joining 5 000 channels in a loop cost 5 000 `writev` calls, ~200 ms of the 1.9 s the
 * join benchmark took (tests/bench, `BENCH_PROFILE`). Corking the TCP socket on the first frame of a
 * burst and uncorking it in a microtask sends the burst together as soon as the caller's synchronous
 * work ends; nothing waits for a timer.
 *
 * `_socket` is `ws`'s TCP socket (present while open since ws 1.x). Implementations without one
 * (browsers, undici, test doubles) are left alone: they batch or not on their own.
 */
interface Corkable {
  cork(): void
  uncork(): void
  destroyed?: boolean
}

/**
 * Frames per write at most: a long burst goes out in slices, so the server starts answering (join
 * replies) while the rest of the burst is still being produced.
 */
export const MAX_FRAMES_PER_WRITE = 64

const corked = new WeakMap<Corkable, { frames: number }>()

function tcpSocketOf(socket: object): Corkable | null {
  const tcp = (socket as { _socket?: Partial<Corkable> | null })._socket
  return tcp && typeof tcp.cork === 'function' && typeof tcp.uncork === 'function' ? (tcp as Corkable) : null
}

/** Call before each write: the first write of a burst corks, the end of the burst uncorks. */
export function batchWrites(socket: object): void {
  const tcp = tcpSocketOf(socket)
  if (tcp === null) return
  const burst = corked.get(tcp)
  if (burst !== undefined) {
    if (++burst.frames % MAX_FRAMES_PER_WRITE === 0) {
      tcp.uncork()
      tcp.cork()
    }
    return
  }
  corked.set(tcp, { frames: 1 })
  tcp.cork()
  queueMicrotask(() => {
    corked.delete(tcp)
    if (!tcp.destroyed) tcp.uncork()
  })
}
