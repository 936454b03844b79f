// One adapter per client under test, all with the same small surface, so a case is written once:
//   const client = await createClient(name, { url, xstateModule })
//   const ch = client.channel(topic)      // realtime:<name>
//   ch.onBroadcast(cb)                    // cb(message) for every broadcast (wildcard listener)
//   ch.onPostgresChange(cb)               // cb(row) for every INSERT/UPDATE/DELETE on public.todos (the
//                                         // binding's listener; before subscribe); throws Unsupported when absent
//   ch.onPresenceSync(cb)                 // cb() on every presence sync; throws Unsupported when absent
//   ch.readPresenceHas(key)               // one read of the state through the user-facing API, and
//                                         // whether `key` is in what it returned
//   ch.presenceSize()                     // member count (for checking the result, not timed)
//   await ch.subscribe()                  // resolves when joined
//   ch.joined()                           // current state === joined
//   client.close()
// Each adapter uses the client's public API the way its docs show, with default options, except for
// the WebSocket constructor (Node 20 has none) and the endpoint.
import WebSocket from 'ws'

export class Unsupported extends Error {}

const APIKEY = 'bench-anon-key'

export async function createClient(name, options) {
  switch (name) {
    case 'floor':
      return createFloor(options)
    case 'realtime-js':
      return createRealtimeJs(options)
    case 'phoenix':
      return createPhoenix(options)
    case 'realtime-xstate':
      return createXState(options)
    default:
      throw new Error(`unknown client ${name}`)
  }
}

// ── raw floor: a bare `ws` client that parses each frame and routes by topic with a Map ──

function createFloor({ url }) {
  const endpoint = `${url}/websocket?apikey=${APIKEY}&vsn=2.0.0`
  const decoder = new TextDecoder()
  /** topic → channel */
  const channels = new Map()
  /** ref → resolve */
  const pending = new Map()
  let ref = 0
  let ws = null
  let opened = null
  let closed = false

  const send = (frame) => ws.send(frame)

  function join(channel) {
    const joinRef = String(++ref)
    channel.joinRef = joinRef
    channel.state = 'joining'
    pending.set(joinRef, channel)
    send(`["${joinRef}","${joinRef}",${JSON.stringify(channel.topic)},"phx_join",{"config":{"broadcast":{"ack":false,"self":false},"presence":{"enabled":${channel.presence !== null}}}}]`)
  }

  function onText(text) {
    const message = JSON.parse(text)
    const event = message[3]
    if (event === 'phx_reply') {
      const channel = pending.get(message[1])
      if (channel) {
        pending.delete(message[1])
        channel.state = 'joined'
        for (const resolve of channel.waiters) resolve()
        channel.waiters = []
      }
      return
    }
    const channel = channels.get(message[2])
    if (!channel) return
    if (event === 'broadcast') channel.broadcast?.(message[4])
    else if (event === 'postgres_changes') channel.postgres?.(message[4])
    else if (event === 'presence_state') channel.presenceState(message[4])
    else if (event === 'presence_diff') channel.presenceDiff(message[4])
  }

  function onBinary(bytes) {
    // kind 4: 4, len(topic), len(event), len(meta), encoding, topic, event, meta, payload
    if (bytes[0] !== 4) return
    const topicEnd = 5 + bytes[1]
    const eventEnd = topicEnd + bytes[2]
    const metaEnd = eventEnd + bytes[3]
    const channel = channels.get(decoder.decode(bytes.subarray(5, topicEnd)))
    if (!channel?.broadcast) return
    const event = decoder.decode(bytes.subarray(topicEnd, eventEnd))
    const body = bytes.subarray(metaEnd)
    const payload = bytes[4] === 1 ? JSON.parse(decoder.decode(body)) : body
    channel.broadcast({ type: 'broadcast', event, payload })
  }

  function connect() {
    if (opened) return opened
    opened = new Promise((resolve) => {
      ws = new WebSocket(endpoint)
      ws.on('open', () => {
        for (const channel of channels.values()) if (channel.state !== 'closed') join(channel)
        resolve()
      })
      ws.on('message', (data, isBinary) => (isBinary ? onBinary(data) : onText(data.toString())))
      ws.on('error', () => {})
      ws.on('close', () => {
        // The floor reconnects at once and rejoins everything: the lower bound of a reconnect.
        for (const channel of channels.values()) if (channel.state !== 'closed') channel.state = 'errored'
        pending.clear()
        opened = null
        if (!closed) connect()
      })
    })
    return opened
  }

  return {
    channel(subTopic) {
      const topic = `realtime:${subTopic}`
      const channel = {
        topic,
        state: 'closed',
        joinRef: null,
        waiters: [],
        broadcast: null,
        postgres: null,
        presence: null,
        sync: null,
        presenceState(state) {
          // In place: the room is a Map of key → metas; the new state replaces it.
          this.presence = new Map(Object.entries(state).map(([key, value]) => [key, value.metas]))
          this.sync?.()
        },
        presenceDiff({ joins, leaves }) {
          const room = this.presence
          for (const key in joins) {
            const current = room.get(key)
            const metas = joins[key].metas
            room.set(key, current ? current.filter((m) => !metas.some((n) => n.phx_ref === m.phx_ref)).concat(metas) : metas)
          }
          for (const key in leaves) {
            const current = room.get(key)
            if (!current) continue
            const refs = new Set(leaves[key].metas.map((m) => m.phx_ref))
            const rest = current.filter((m) => !refs.has(m.phx_ref))
            if (rest.length === 0) room.delete(key)
            else room.set(key, rest)
          }
          this.sync?.()
        },
      }
      channels.set(topic, channel)
      return {
        onBroadcast(cb) {
          channel.broadcast = cb
        },
        // The floor converts nothing: the record as JSON.parse left it (int8 / numeric rounded).
        onPostgresChange(cb) {
          channel.postgres = (payload) => cb(payload.data.record)
        },
        onPresenceSync(cb) {
          channel.presence = new Map()
          channel.sync = cb
        },
        readPresenceHas: (key) => channel.presence.has(key),
        presenceSize: () => channel.presence.size,
        subscribe() {
          return new Promise((resolve) => {
            channel.waiters.push(resolve)
            if (channel.state === 'closed') {
              channel.state = 'joining'
              if (ws?.readyState === WebSocket.OPEN) join(channel)
              else connect()
            }
          })
        },
        joined: () => channel.state === 'joined',
      }
    },
    close() {
      closed = true
      ws?.terminate()
    },
  }
}

// ── @supabase/realtime-js ──

async function createRealtimeJs({ url }) {
  const { RealtimeClient } = await import('@supabase/realtime-js')
  const client = new RealtimeClient(url, { params: { apikey: APIKEY }, transport: WebSocket, vsn: '2.0.0' })
  return {
    channel(subTopic) {
      const ch = client.channel(subTopic)
      return {
        onBroadcast(cb) {
          ch.on('broadcast', { event: '*' }, cb)
        },
        onPostgresChange(cb) {
          ch.on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, (payload) => cb(payload.new))
        },
        onPresenceSync(cb) {
          ch.on('presence', { event: 'sync' }, cb)
        },
        readPresenceHas: (key) => ch.presenceState()[key] !== undefined,
        presenceSize: () => Object.keys(ch.presenceState()).length,
        subscribe() {
          return new Promise((resolve, reject) => {
            ch.subscribe((status, error) => {
              if (status === 'SUBSCRIBED') resolve()
              else if (status !== 'CLOSED') reject(error ?? new Error(status))
            })
          })
        },
        joined: () => ch.state === 'joined',
      }
    },
    close() {
      client.disconnect()
    },
  }
}

// ── phoenix ──

async function createPhoenix({ url }) {
  const { Socket, Presence } = await import('phoenix')
  const socket = new Socket(url, { transport: WebSocket, params: { apikey: APIKEY } })
  socket.connect()
  return {
    channel(subTopic) {
      const ch = socket.channel(`realtime:${subTopic}`, {})
      let presence = null
      return {
        onBroadcast(cb) {
          ch.on('broadcast', cb)
        },
        onPostgresChange() {
          throw new Unsupported('phoenix.js has no postgres_changes bindings')
        },
        onPresenceSync(cb) {
          presence = new Presence(ch)
          presence.onSync(cb)
        },
        readPresenceHas: (key) => presence.list().length > 0 && presence.state[key] !== undefined,
        presenceSize: () => Object.keys(presence.state).length,
        subscribe() {
          return new Promise((resolve, reject) => {
            ch.join()
              .receive('ok', () => resolve())
              .receive('error', (reason) => reject(new Error(JSON.stringify(reason))))
              .receive('timeout', () => reject(new Error('join timeout')))
          })
        },
        joined: () => ch.state === 'joined',
      }
    },
    close() {
      socket.disconnect()
    },
  }
}

// ── realtime-xstate (this repository, bundled from src/index.ts by run.mjs) ──

async function createXState({ url, xstateModule }) {
  if (!xstateModule) throw new Unsupported('realtime-xstate was not built (see the run log)')
  const mod = await import(xstateModule)
  if (typeof mod.createRealtimeClient !== 'function') throw new Unsupported('src/index.ts does not export createRealtimeClient')
  const client = mod.createRealtimeClient({ url, apikey: APIKEY, vsn: '2.0.0', transport: WebSocket })
  return {
    channel(subTopic) {
      const ch = client.channel(subTopic)
      const asObject = (state) => (state instanceof Map ? Object.fromEntries(state) : state)
      return {
        onBroadcast(cb) {
          ch.on('broadcast', { event: '*' }, cb)
        },
        onPostgresChange(cb) {
          ch.on('postgres_changes', { event: '*', schema: 'public', table: 'todos' }, (change) => cb(change.new))
        },
        onPresenceSync(cb) {
          if (typeof ch.presenceState !== 'function') throw new Unsupported('channel.presenceState() does not exist yet')
          try {
            ch.on('presence', { event: 'sync' }, cb)
          } catch (error) {
            throw new Unsupported(`channel.on('presence') is not supported yet: ${error?.message ?? error}`)
          }
        },
        readPresenceHas: (key) => {
          const state = ch.presenceState()
          return state instanceof Map ? state.has(key) : state[key] !== undefined
        },
        presenceSize: () => Object.keys(asObject(ch.presenceState())).length,
        subscribe: () => ch.subscribe(),
        joined: () => ch.state === 'joined',
      }
    },
    close() {
      void client.disconnect()
    },
  }
}
