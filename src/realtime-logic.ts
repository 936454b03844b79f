/**
 * `createRealtimeLogic(options)`: the root client machine with its I/O provided — the WebSocket, the
 * access-token function, the router for inbound frames, and a clock — for XState apps that `invoke`
 * or `spawnChild` it with plain `input` (`ClientInput`: url, apikey, …) and drive it with the
 * `ClientEvent`s `client.send` accepts. `createRealtimeClient` builds its root actor from it too.
 */
import type { AnyActorRef } from 'xstate'
import { channelMachine, channelMachineWithClock, type ChannelActorRef } from '../machines/channel/channel.machine.js'
import { channelGroupMachine } from '../machines/client/channel-group.machine.js'
import { clientMachine, type ClientMachine } from '../machines/client/client.machine.js'
import { channelSystemId } from '../machines/system-ids.js'
import { createConnectionLogic, type ConnectionOptions } from './connection.js'
import type { PhoenixMessage } from './protocol/types.js'
import { createRouter, type RouteTarget } from './router.js'

export interface RealtimeLogicOptions extends Partial<ConnectionOptions> {
  /**
   * Data frames of joined channels (`broadcast`, `presence_state`, `presence_diff`,
   * `postgres_changes`), delivered without a state-machine transition: the machines see lifecycle
   * frames only. Ignored when `deliver` is given.
   */
  onData?: (message: PhoenixMessage) => void
  /** Replaces the router: every decoded inbound frame except heartbeat replies. */
  deliver?: (message: PhoenixMessage, system: AnyActorRef['system']) => void
  /** Clock for heartbeat round trips and rejoin gaps, in ms. @default Date.now */
  now?: () => number
}

/** A router that finds channel actors in the actor system by their topic's systemId. */
function systemRouter(onData: (message: PhoenixMessage) => void): (message: PhoenixMessage, system: AnyActorRef['system']) => void {
  let system: AnyActorRef['system'] | null = null
  const route = createRouter((topic): RouteTarget | undefined => {
    const actorRef = system?.get(channelSystemId(topic)) as ChannelActorRef | undefined
    return actorRef === undefined ? undefined : { actorRef, dispatchData: onData }
  })
  return (message, actorSystem) => {
    system = actorSystem
    route(message)
  }
}

/** The root client logic with real I/O. See `RealtimeLogicOptions`. */
export function createRealtimeLogic(options: RealtimeLogicOptions = {}): ClientMachine {
  const deliver = options.deliver ?? (options.onData !== undefined ? systemRouter(options.onData) : systemRouter(() => {}))
  const connection = createConnectionLogic(options, { deliver, ...(options.now !== undefined && { now: options.now }) })
  const channel = options.now === undefined ? channelMachine : channelMachineWithClock(options.now)
  return clientMachine.provide({
    actors: {
      connection,
      ...(channel !== channelMachine && { channelGroup: channelGroupMachine.provide({ actors: { channel } }) }),
    },
  })
}
