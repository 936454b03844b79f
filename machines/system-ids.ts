/**
 * The `systemId`s of a client's actors, for `system.get(...)` from any actor of the same system. One
 * actor system holds one realtime client: the ids are fixed.
 */
export const CLIENT_SYSTEM_ID = 'realtime-client'
export const CONNECTION_SYSTEM_ID = 'realtime-connection'
/** The connection's socket actor, registered while a WebSocket exists (the connection's `socket` state). */
export const SOCKET_SYSTEM_ID = 'realtime-socket'
export const CHANNEL_SYSTEM_ID_PREFIX = 'realtime-channel:'

/** The `systemId` of a topic's channel actor. */
export function channelSystemId(topic: string): string {
  return CHANNEL_SYSTEM_ID_PREFIX + topic
}
