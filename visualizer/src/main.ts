/**
 * The visualizer page: connects to the inspection bridge that served it, keeps a store of what it
 * reports, and redraws at most once per animation frame. Reconnects when the bridge restarts.
 */
import { BRIDGE_SOCKET_PATH, type BridgeMessage } from '../../src/inspect/messages.js'
import { byId } from './dom.js'
import { GroupsView } from './groups-view.js'
import { LogView } from './log-view.js'
import { MetricsView } from './metrics-view.js'
import { Store } from './store.js'

const store = new Store()
const status = byId('bridge-status')
let scheduled = false
let generation = store.generation

const groups = new GroupsView(store, byId('groups'), byId('charts'), requestRender)
const logs = new LogView(store, byId('transitions'), byId('events'), byId('errors'), byId<HTMLSelectElement>('event-kind'))
const metrics = new MetricsView(store, byId('metrics'))
byId<HTMLSelectElement>('event-kind').addEventListener('change', requestRender)

function requestRender(): void {
  if (scheduled) return
  scheduled = true
  requestAnimationFrame(() => {
    scheduled = false
    if (generation !== store.generation) {
      generation = store.generation
      groups.reset()
    }
    groups.render()
    logs.render()
    metrics.render()
  })
}

function connect(): void {
  const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${BRIDGE_SOCKET_PATH}`)
  socket.addEventListener('open', () => setStatus('connected'))
  socket.addEventListener('message', (event) => {
    const batch = JSON.parse(String(event.data)) as BridgeMessage[]
    for (const message of batch) store.apply(message)
    requestRender()
  })
  socket.addEventListener('close', () => {
    setStatus('disconnected')
    setTimeout(connect, 1000)
  })
}

function setStatus(state: 'connected' | 'disconnected'): void {
  status.textContent = state === 'connected' ? 'live' : 'bridge disconnected, retrying…'
  status.setAttribute('data-state', state)
}

connect()
