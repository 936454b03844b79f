// One topic's channel, shared by every component of one client that uses it (no React here: a plain
// store that the hooks read with useSyncExternalStore). Components retain it in an effect and release
// it in the cleanup; the channel is left a grace period after the last release, so StrictMode's
// mount → unmount → mount, or a remount on navigation, joins once and never churns the socket.
import type { ChannelOptions, RealtimeChannel } from '../channel.js'
import type { RealtimeClient } from '../client.js'
import { RealtimeError } from '../errors.js'
import { FieldStore } from './field-store.js'

/** A listener added through the store: it follows the channel across leaves and rejoins. */
interface Handler {
  readonly attach: (channel: RealtimeChannel) => () => void
  off: (() => void) | null
}

export class SharedChannel extends FieldStore {
  private users = 0
  private leaveTimer: ReturnType<typeof setTimeout> | null = null
  private leaving: Promise<unknown> | null = null
  /** Bumped by every attach and detach, so an attach that waited for a leave knows whether it still holds. */
  private generation = 0
  private channel: RealtimeChannel | null = null
  private readonly offs: (() => void)[] = []
  private readonly handlers = new Set<Handler>()

  constructor(
    private readonly client: RealtimeClient,
    readonly topic: string,
    private readonly options: ChannelOptions,
    private readonly graceMs: number,
  ) {
    super()
  }

  /** The joined channel, or a `not_joined` error for pushes made before the first effect (or after the leave). */
  current(what: string): RealtimeChannel {
    if (this.channel) return this.channel
    throw new RealtimeError('not_joined', `cannot ${what} on ${this.topic}: no mounted component holds the channel yet`, { topic: this.topic })
  }

  retain(): void {
    this.users += 1
    if (this.leaveTimer !== null) {
      // Back within the grace period: the channel never left.
      clearTimeout(this.leaveTimer)
      this.leaveTimer = null
    } else if (this.users === 1) this.attach()
  }

  release(): void {
    this.users -= 1
    if (this.users > 0) return
    this.leaveTimer = setTimeout(() => {
      this.leaveTimer = null
      this.detach()
    }, this.graceMs)
  }

  /** Adds a channel listener now if the channel exists, else at the next attach (before its join). */
  listen(attach: (channel: RealtimeChannel) => () => void): () => void {
    const handler: Handler = { attach, off: null }
    this.handlers.add(handler)
    if (this.channel) this.guard(() => (handler.off = attach(this.channel!)))
    return () => {
      this.handlers.delete(handler)
      handler.off?.()
    }
  }

  private attach(): void {
    const generation = ++this.generation
    // After a leave still under way (the topic's actor must be gone before a new join), and a
    // microtask later in any case: the other effects of the same commit add their listeners first,
    // and presence and postgres listeners must be there before the join.
    void Promise.resolve(this.leaving).then(() => {
      if (generation !== this.generation) return
      this.guard(() => {
        const channel = this.client.channel(this.topic, this.options)
        this.channel = channel
        for (const handler of this.handlers) this.guard(() => (handler.off = handler.attach(channel)))
        if (channel.config.presence?.enabled || this.options.presence) {
          this.offs.push(channel.on('presence', { event: 'sync' }, () => this.set({ presence: Object.freeze({ ...channel.presenceState() }) })))
        }
        channel.subscribe().catch((error: unknown) => this.fail(error))
        const actorRef = channel.actorRef ?? undefined
        const errors = actorRef?.on('error', ({ error }) => this.set({ error }))
        if (errors) this.offs.push(() => errors.unsubscribe())
        this.set({ actorRef, error: null })
      })
    })
  }

  private detach(): void {
    this.generation += 1
    const channel = this.channel
    for (const off of this.offs.splice(0)) off()
    for (const handler of this.handlers) handler.off?.(), (handler.off = null)
    this.channel = null
    this.reset()
    if (!channel) return
    // Runs in a timer: a client closed meanwhile must not make it throw where nobody catches.
    const done = (): void => {
      if (this.leaving === leaving) this.leaving = null
    }
    const leaving: Promise<unknown> = Promise.resolve()
      .then(() => channel.unsubscribe())
      .then(done, (error: unknown) => (done(), this.fail(error)))
    this.leaving = leaving
  }

  private guard(body: () => void): void {
    try {
      body()
    } catch (error) {
      this.fail(error)
    }
  }

  private fail(error: unknown): void {
    this.set({ error: error instanceof RealtimeError ? error : new RealtimeError('invalid_argument', String((error as Error)?.message ?? error), { topic: this.topic }) })
  }
}
