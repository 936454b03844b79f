/**
 * Rooms: the subscribers of one topic. Public and private channels of the same name are different
 * rooms, as in Realtime (`tenant_topic(…, public?)`). A room encodes each fan-out once per vsn.
 */
import type { Vsn, WireFrame } from '../protocol/index.js'
import { encodeFanout, fanoutExtension, type Fanout } from './fanout.js'
import { RoomPresence, type PresenceDiff } from './presence.js'

export interface RoomMember {
  readonly vsn: Vsn
  canRead(extension: 'broadcast' | 'presence'): boolean
  deliver(frame: WireFrame): void
}

export class Room {
  readonly members = new Set<RoomMember>()
  readonly presence = new RoomPresence<RoomMember>()

  constructor(
    readonly topic: string,
    readonly isPrivate: boolean,
  ) {}

  /** Sends `fanout` to every member that may read it, except `exclude` (a `self: false` sender). */
  fanout(fanout: Fanout, exclude: RoomMember | null = null): number {
    const frames = new Map<Vsn, WireFrame | null>()
    const extension = fanoutExtension(fanout)
    let delivered = 0
    for (const member of [...this.members]) {
      if (member === exclude || !member.canRead(extension)) continue
      let frame = frames.get(member.vsn)
      if (frame === undefined) {
        frame = encodeFanout(fanout, this.topic, member.vsn)
        frames.set(member.vsn, frame)
      }
      if (frame === null) continue
      member.deliver(frame)
      delivered += 1
    }
    return delivered
  }

  presenceDiff(diff: PresenceDiff | null): void {
    if (diff) this.fanout({ kind: 'message', event: 'presence_diff', payload: diff, extension: 'presence' })
  }
}

export class RoomRegistry {
  readonly #rooms = new Map<string, Room>()

  static key(topic: string, isPrivate: boolean): string {
    return `${isPrivate ? 'private' : 'public'}|${topic}`
  }

  get(topic: string, isPrivate: boolean): Room | undefined {
    return this.#rooms.get(RoomRegistry.key(topic, isPrivate))
  }

  /** The room of `topic`, created if needed. */
  open(topic: string, isPrivate: boolean): Room {
    const key = RoomRegistry.key(topic, isPrivate)
    let room = this.#rooms.get(key)
    if (!room) {
      room = new Room(topic, isPrivate)
      this.#rooms.set(key, room)
    }
    return room
  }

  /** Removes `member`, fans out its presence leave, and forgets the room once it is empty. */
  leave(room: Room, member: RoomMember): void {
    room.members.delete(member)
    room.presenceDiff(room.presence.untrack(member))
    if (room.members.size === 0 && room.presence.size === 0) this.#rooms.delete(RoomRegistry.key(room.topic, room.isPrivate))
  }

  /** Rooms whose topic is `topic`, public and private. */
  byTopic(topic: string): Room[] {
    return [this.get(topic, false), this.get(topic, true)].filter((room): room is Room => room !== undefined)
  }

  clear(): void {
    this.#rooms.clear()
  }

  get size(): number {
    return this.#rooms.size
  }
}
