/** Presence for one channel as pure data (issue 5): Phoenix's sync algorithm with realtime-js's shapes. */
export { PresenceStore } from './store.js'
export type { PresenceStoreOptions } from './store.js'
// `export *` (not `export type`) so the types module is loaded and counted by coverage like any other.
export * from './types.js'
