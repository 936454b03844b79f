/**
 * One joined channel on one socket: what the join decided (config, token, policies, presence key)
 * and the resources it holds (token re-check timer, change subscription), released by `dispose`.
 */
import { encodeServerFrame, type Vsn, type WireFrame } from '../protocol/index.js'
import type { Policies, VerifiedToken } from './auth.js'
import type { ChangeSubscription } from './change-source.js'
import type { JoinConfig } from './join-config.js'
import type { Room, RoomMember } from './rooms.js'

/** The part of a socket session a channel sends through. */
export interface ChannelTransport {
  readonly vsn: Vsn
  send(frame: WireFrame): void
}

export class JoinedChannel implements RoomMember {
  readonly subtopic: string
  presenceEnabled: boolean
  #recheck: NodeJS.Timeout | null = null
  #changes: ChangeSubscription | null = null
  #disposed = false

  constructor(
    readonly transport: ChannelTransport,
    readonly topic: string,
    readonly joinRef: string | null,
    readonly config: JoinConfig,
    readonly presenceKey: string,
    public token: VerifiedToken,
    public policies: Policies,
    readonly room: Room,
  ) {
    this.subtopic = topic.slice('realtime:'.length)
    this.presenceEnabled = config.presence.enabled
  }

  get vsn(): Vsn {
    return this.transport.vsn
  }

  get disposed(): boolean {
    return this.#disposed
  }

  canRead(extension: 'broadcast' | 'presence'): boolean {
    if (extension === 'presence') return this.policies.presenceRead
    return this.policies.broadcastRead
  }

  deliver(frame: WireFrame): void {
    if (!this.#disposed) this.transport.send(frame)
  }

  /** A channel-process push: `[join_ref, null, topic, event, payload]`. */
  push(event: string, payload: unknown): void {
    this.deliver(encodeServerFrame({ joinRef: this.joinRef, ref: null, topic: this.topic, event, payload }, this.vsn))
  }

  /** Replaces the pending token check. */
  setRecheck(timer: NodeJS.Timeout | null): void {
    if (this.#recheck) clearTimeout(this.#recheck)
    this.#recheck = this.#disposed ? null : timer
    if (this.#disposed && timer) clearTimeout(timer)
  }

  /** Keeps `subscription` until the channel goes; closes it at once if it already went. */
  holdChanges(subscription: ChangeSubscription): void {
    if (this.#disposed) closeQuietly(subscription)
    else this.#changes = subscription
  }

  dispose(): void {
    if (this.#disposed) return
    this.#disposed = true
    if (this.#recheck) clearTimeout(this.#recheck)
    this.#recheck = null
    if (this.#changes) closeQuietly(this.#changes)
    this.#changes = null
  }
}

function closeQuietly(subscription: ChangeSubscription): void {
  try {
    subscription.close()
  } catch {
    // A change source failing to clean up is its own problem, not the socket's.
  }
}
