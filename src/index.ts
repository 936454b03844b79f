export { RealtimeError, toSupabaseError, isRealtimeError, type RealtimeErrorCode, type SupabaseError } from './errors.js'
export * from './protocol/index.js'
