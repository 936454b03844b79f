export * from './types.js'
export * from './codec.js'
export {
  encodeUserBroadcast,
  encodeUserBroadcastPush,
  encodeServerBroadcast,
  encodeServerPush,
  encodeServerReply,
  encodeClientPush,
  isBinary,
  toBytes,
  type UserBroadcast,
  type UserBroadcastPush,
  type DecodedUserBroadcastPush,
} from './binary.js'
