import { suite } from 'uvu'
import * as assert from 'uvu/assert'
import { createActor, fromCallback, fromPromise, SimulatedClock } from 'xstate'
import { connectionMachine, connectionMachineWith, connectionStateOf } from '../../machines/connection/connection.machine.js'
import type {
  ConnectionEmitted,
  ConnectionInput,
  ConnectionNotification,
  ConnectionStateName,
  SocketActorInput,
  SocketCommand,
  SocketEvent,
} from '../../machines/connection/contract.js'
import { reconnectDelayFor } from '../../machines/connection/reconnect-policy.js'
import { tokenExpiresAt, tokenNeedsRefresh, tokenRefreshMarginFor } from '../../machines/connection/token-policy.js'
import { RealtimeError } from '../../src/errors.js'
import type { PhoenixMessage } from '../../src/protocol/types.js'
// The contract is types only; loading it lets c8 (--all) see it as a module rather than 74 unrun lines.
import '../../machines/connection/contract.js'

// ── harness: a fake socket actor, a simulated clock, recorded emissions and parent notifications ──

interface FakeSocket {
  input: SocketActorInput
  sent: PhoenixMessage[]
  closes: Array<{ code?: number; reason?: string }>
  stopped: boolean
  emit(event: SocketEvent): void
}

function harness(options: { input?: Partial<ConnectionInput>; environment?: Parameters<typeof connectionMachineWith>[1]; tokenFn?: () => Promise<string | null> } = {}) {
  const clock = new SimulatedClock()
  const sockets: FakeSocket[] = []
  const socket = fromCallback<SocketCommand, SocketActorInput>(({ input, sendBack, receive }) => {
    const fake: FakeSocket = { input, sent: [], closes: [], stopped: false, emit: (event) => sendBack(event) }
    sockets.push(fake)
    receive((command) => {
      if (command.type === 'transmit') fake.sent.push(command.message)
      else fake.closes.push({ ...(command.code !== undefined && { code: command.code }), ...(command.reason !== undefined && { reason: command.reason }) })
    })
    return () => {
      fake.stopped = true
    }
  })
  let tokenCalls = 0
  const accessToken = fromPromise<string | null>(async () => {
    tokenCalls++
    return options.tokenFn ? options.tokenFn() : null
  })
  const notifications: ConnectionNotification[] = []
  const machine = connectionMachineWith(
    connectionMachine.provide({
      actors: { socket, accessToken },
      actions: { notifyParent: (_, params) => void notifications.push(params) },
    }),
    { now: () => clock.now(), random: () => 0.5, ...options.environment },
  )
  const actor = createActor(machine, { clock, input: { vsn: '2.0.0', apikey: 'anon-key', ...options.input } })
  const emitted: ConnectionEmitted[] = []
  actor.on('*', (event) => void emitted.push(event))
  actor.start()

  const lastSocket = (): FakeSocket => {
    const last = sockets.at(-1)
    if (!last) throw new Error('no socket opened yet')
    return last
  }
  const state = (): ConnectionStateName => connectionStateOf(actor.getSnapshot())
  /** Let promise actors (the token function) settle: macrotask turns only, no timers. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve))
  }
  const heartbeats = (): Array<Extract<ConnectionEmitted, { kind: 'heartbeat' }>> =>
    emitted.flatMap((e) => (e.type === 'connection' && e.kind === 'heartbeat' ? [e] : []))
  const h = {
    clock,
    actor,
    sockets,
    emitted,
    notifications,
    get tokenCalls(): number {
      return tokenCalls
    },
    get socket(): FakeSocket {
      return lastSocket()
    },
    state,
    settle,
    /** connect, resolve the token and open the socket. */
    async open(): Promise<void> {
      actor.send({ type: 'connect' })
      await settle()
      lastSocket().emit({ type: 'socket.opened' })
      assert.is(state(), 'open')
    },
    stateChanges: (): string[] => emitted.flatMap((e) => (e.type === 'connection' && e.kind === 'state_change' ? [`${e.old}>${e.new}`] : [])),
    heartbeats,
    errors: (): RealtimeError[] => emitted.flatMap((e) => (e.type === 'error' ? [e.error] : [])),
    heartbeatsSent: (socket: FakeSocket = lastSocket()): PhoenixMessage[] =>
      socket.sent.filter((m) => m.topic === 'phoenix' && m.event === 'heartbeat'),
  }
  return h
}

function message(n: number): PhoenixMessage {
  return { joinRef: '1', ref: String(n), topic: 'realtime:room', event: 'broadcast', payload: { n } }
}

// ── heartbeat ──

const heartbeat = suite('connection machine: heartbeat')

heartbeat('the first heartbeat goes one interval after open, then one interval after each reply', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(24_999)
  assert.is(h.heartbeatsSent().length, 0)
  h.clock.increment(1)
  const [first] = h.heartbeatsSent()
  assert.equal(first, { joinRef: null, ref: first!.ref, topic: 'phoenix', event: 'heartbeat', payload: {} })
  h.clock.increment(40)
  h.socket.emit({ type: 'socket.heartbeatReply', ref: first!.ref, status: 'ok' })
  assert.equal(h.heartbeats().map((e) => [e.status, e.rttMs]), [['sent', undefined], ['ok', 40]])
  h.clock.increment(24_999)
  assert.is(h.heartbeatsSent().length, 1)
  h.clock.increment(1)
  const refs = h.heartbeatsSent().map((m) => m.ref)
  assert.is(refs.length, 2)
  assert.is.not(refs[0], refs[1], 'every heartbeat has a fresh ref')
  assert.equal(h.notifications.filter((n) => n.type === 'connection.heartbeat').map((n) => n.type === 'connection.heartbeat' && n.status), ['sent', 'ok', 'sent'])
  h.actor.stop()
})

heartbeat('a reply with status error reports error with the round trip; other refs are ignored', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(25_000)
  const ref = h.heartbeatsSent()[0]!.ref
  h.socket.emit({ type: 'socket.heartbeatReply', ref: 'not-mine', status: 'ok' })
  assert.equal(h.heartbeats().map((e) => e.status), ['sent'])
  h.clock.increment(5)
  h.socket.emit({ type: 'socket.heartbeatReply', ref, status: 'error' })
  assert.equal(h.heartbeats().map((e) => [e.status, e.rttMs]), [['sent', undefined], ['error', 5]])
  h.actor.stop()
})

heartbeat('no reply within heartbeatTimeout: timeout, close 1000 "heartbeat timeout", then reconnect', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(25_000)
  h.clock.increment(9_999)
  assert.is(h.state(), 'open')
  h.clock.increment(1)
  assert.equal(h.heartbeats().map((e) => e.status), ['sent', 'timeout'])
  assert.equal(h.socket.closes, [{ code: 1000, reason: 'heartbeat timeout' }])
  assert.is(h.state(), 'closing')
  // A dead peer never completes the close handshake: give up after closeTimeout, then back off.
  h.clock.increment(1_500)
  assert.is(h.state(), 'closed')
  assert.ok(h.socket.stopped, 'the dead socket is released')
  h.clock.increment(125) // first retry: random 0–250 ms, random() = 0.5
  await h.settle()
  assert.is(h.state(), 'connecting')
  assert.is(h.sockets.length, 2)
  h.socket.emit({ type: 'socket.opened' })
  assert.equal(h.stateChanges(), ['closed>connecting', 'connecting>open', 'open>closing', 'closing>closed', 'closed>connecting', 'connecting>open'])
  h.actor.stop()
})

heartbeat('a heartbeat pending when the connection died never times out the next connection', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(25_000) // heartbeat out
  const old = h.socket
  const staleRef = h.heartbeatsSent(old)[0]!.ref
  h.clock.increment(9_000)
  old.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.clock.increment(125)
  await h.settle()
  h.socket.emit({ type: 'socket.opened' })
  // The old heartbeat's deadline (1 s away) passes: the new connection is unaffected.
  h.clock.increment(20_000)
  assert.is(h.state(), 'open')
  assert.equal(h.heartbeats().map((e) => e.status), ['sent'])
  // Its late reply does not count for the new connection either.
  h.socket.emit({ type: 'socket.heartbeatReply', ref: staleRef, status: 'ok' })
  assert.equal(h.heartbeats().map((e) => e.status), ['sent'])
  h.clock.increment(5_000)
  assert.equal(h.heartbeats().map((e) => e.status), ['sent', 'sent'])
  h.actor.stop()
})

heartbeat('a heartbeat sent while not open is not buffered and reports disconnected', () => {
  const h = harness()
  h.actor.send({ type: 'send', message: { joinRef: null, ref: '9', topic: 'phoenix', event: 'heartbeat', payload: {} } })
  assert.equal(h.heartbeats().map((e) => e.status), ['disconnected'])
  assert.equal(h.actor.getSnapshot().context.buffer, [])
  h.actor.stop()
})

heartbeat('heartbeats have their own ref sequence, kept in the snapshot', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(25_000)
  h.socket.emit({ type: 'socket.heartbeatReply', ref: '1', status: 'ok' })
  h.clock.increment(25_000)
  assert.equal(h.heartbeatsSent().map((m) => m.ref), ['1', '2'])
  assert.is(h.actor.getSnapshot().context.heartbeatSeq, 2)
  h.actor.stop()
})

heartbeat('coming back (visible/online/resume) while open checks the socket with a heartbeat at once', async () => {
  const h = harness()
  await h.open()
  h.clock.increment(1_000)
  h.actor.send({ type: 'visible' })
  assert.is(h.heartbeatsSent().length, 1)
  h.actor.send({ type: 'offline' })
  h.actor.send({ type: 'hidden' })
  h.actor.send({ type: 'suspend' })
  assert.is(h.state(), 'open', 'offline/hidden/suspend keep an open socket: the heartbeat decides')
  h.actor.stop()
})

heartbeat.run()

// ── reconnect ──

const reconnect = suite('connection machine: reconnect')

reconnect('the default schedule: 0–250 ms, then 1, 2, 5, 10, 10 s, each within ±10 %', () => {
  for (const r of [0, 0.5, 0.999999]) {
    assert.ok(reconnectDelayFor(1, undefined, () => r) >= 0 && reconnectDelayFor(1, undefined, () => r) <= 250)
  }
  const bases = [1000, 2000, 5000, 10_000, 10_000, 10_000]
  bases.forEach((base, i) => {
    const low = reconnectDelayFor(i + 2, undefined, () => 0)
    const high = reconnectDelayFor(i + 2, undefined, () => 0.999999)
    assert.is(low, base * 0.9)
    assert.is(high, base * 1.1)
    assert.is(reconnectDelayFor(i + 2, undefined, () => 0.5), base)
  })
})

reconnect('jitter spreads clients: different random values give different delays', () => {
  const delays = new Set([0.1, 0.3, 0.6, 0.9].map((r) => reconnectDelayFor(3, undefined, () => r)))
  assert.is(delays.size, 4)
})

reconnect('an array schedule is jittered and its last entry repeats; a function is used as is', () => {
  assert.equal([1, 2, 3, 4].map((a) => reconnectDelayFor(a, [100, 300], () => 0.5)), [100, 300, 300, 300])
  assert.is(reconnectDelayFor(1, [100], () => 0), 90)
  assert.equal([1, 2, 7].map((a) => reconnectDelayFor(a, (attempt) => attempt * 7, () => 0)), [7, 14, 49])
  assert.is(reconnectDelayFor(1, () => -5, () => 0), 0)
})

reconnect('a server that refuses upgrades is retried on the schedule (simulated clock)', async () => {
  const h = harness()
  h.actor.send({ type: 'connect' })
  await h.settle()
  const attemptsAt: number[] = [h.clock.now()]
  const refuse = () => h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  refuse()
  for (const wait of [125, 1000, 2000, 5000, 10_000, 10_000]) {
    h.clock.increment(wait - 1)
    await h.settle()
    assert.is(h.sockets.length, attemptsAt.length, `no attempt before ${wait} ms`)
    h.clock.increment(1)
    await h.settle()
    assert.is(h.sockets.length, attemptsAt.length + 1, `an attempt after ${wait} ms`)
    attemptsAt.push(h.clock.now())
    refuse()
  }
  assert.equal(attemptsAt, [0, 125, 1125, 3125, 8125, 18125, 28125])
  // An open alone does not reset the counter (a server that accepts then drops must not be hammered)…
  h.clock.increment(10_000)
  await h.settle()
  h.socket.emit({ type: 'socket.opened' })
  assert.is(h.actor.getSnapshot().context.attempt, 7)
  h.socket.emit({ type: 'socket.closed', code: 1001, reason: 'going away', wasClean: true })
  let before = h.sockets.length
  h.clock.increment(9_000)
  await h.settle()
  assert.is(h.sockets.length, before, 'a flapping server is retried on the backoff, not at once')
  h.clock.increment(2_000)
  await h.settle()
  assert.is(h.sockets.length, before + 1)
  // …a heartbeat answered on the new connection does: the next drop retries quickly again.
  h.socket.emit({ type: 'socket.opened' })
  h.clock.increment(25_000)
  const last = h.heartbeatsSent().at(-1)!
  h.socket.emit({ type: 'socket.heartbeatReply', ref: last.ref!, status: 'ok' })
  assert.is(h.actor.getSnapshot().context.attempt, 0)
  h.socket.emit({ type: 'socket.closed', code: 1001, reason: 'going away', wasClean: true })
  before = h.sockets.length
  h.clock.increment(125)
  await h.settle()
  assert.is(h.sockets.length, before + 1)
  h.actor.stop()
})

reconnect('every close not requested by disconnect reconnects, clean or not', async () => {
  for (const code of [1000, 1001, 1006, 1012]) {
    const h = harness()
    await h.open()
    h.socket.emit({ type: 'socket.closed', code, reason: '', wasClean: code !== 1006 })
    assert.ok(h.actor.getSnapshot().matches('retrying'), `code ${code}`)
    h.actor.stop()
  }
})

reconnect('disconnect with a retry pending stops reconnecting for good', async () => {
  const h = harness()
  await h.open()
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  assert.ok(h.actor.getSnapshot().matches({ retrying: 'waiting' }))
  h.actor.send({ type: 'disconnect' })
  h.clock.increment(60_000)
  await h.settle()
  assert.is(h.sockets.length, 1)
  assert.is(h.state(), 'closed')
  h.actor.send({ type: 'online' })
  h.actor.send({ type: 'visible' })
  h.clock.increment(60_000)
  await h.settle()
  assert.is(h.sockets.length, 1, 'lifecycle signals do not undo a disconnect')
  h.actor.stop()
})

reconnect('disconnect while open closes the socket and ends in closed without reconnecting', async () => {
  const h = harness()
  await h.open()
  h.actor.send({ type: 'disconnect', code: 1000, reason: 'bye' })
  assert.equal(h.socket.closes, [{ code: 1000, reason: 'bye' }])
  assert.is(h.state(), 'closing')
  h.socket.emit({ type: 'socket.closed', code: 1000, reason: 'bye', wasClean: true })
  assert.is(h.state(), 'closed')
  h.clock.increment(60_000)
  await h.settle()
  assert.is(h.sockets.length, 1)
  assert.equal(h.stateChanges(), ['closed>connecting', 'connecting>open', 'open>closing', 'closing>closed'])
  h.actor.stop()
})

reconnect('disconnect while connecting: during the token, nothing opens; during the upgrade, the socket closes', async () => {
  let release: (token: string) => void = () => {}
  const h = harness({ tokenFn: () => new Promise((resolve) => (release = resolve)) })
  h.actor.send({ type: 'connect' })
  h.actor.send({ type: 'disconnect' })
  release('late')
  await h.settle()
  assert.is(h.sockets.length, 0)
  assert.is(h.state(), 'closed')
  h.actor.stop()

  const g = harness()
  g.actor.send({ type: 'connect' })
  await g.settle()
  g.actor.send({ type: 'disconnect' })
  assert.equal(g.socket.closes, [{}], 'no code: the peer sees 1005, as in Phoenix')
  g.clock.increment(1_500)
  assert.is(g.state(), 'closed')
  assert.ok(g.socket.stopped)
  g.actor.stop()
})

reconnect('connect during a requested close reconnects after it; disconnect during a restart stops', async () => {
  const h = harness()
  await h.open()
  h.actor.send({ type: 'disconnect' })
  h.actor.send({ type: 'connect' })
  h.socket.emit({ type: 'socket.closed', code: 1005, reason: '', wasClean: true })
  assert.ok(h.actor.getSnapshot().matches('retrying'))
  h.clock.increment(125)
  await h.settle()
  h.socket.emit({ type: 'socket.opened' })
  h.clock.increment(25_000) // heartbeat out (SimulatedClock schedules timers set by a timer from the new now)
  h.clock.increment(10_000) // heartbeat timeout → closing.restarting
  assert.ok(h.actor.getSnapshot().matches({ socket: { closing: 'restarting' } }))
  h.actor.send({ type: 'disconnect' })
  h.clock.increment(1_500)
  assert.is(h.state(), 'closed')
  h.clock.increment(60_000)
  await h.settle()
  assert.is(h.sockets.length, 2)
  h.actor.stop()
})

reconnect('online/visible/resume in the reconnect wait retry at once; offline/suspend pause the wait', async () => {
  for (const signal of ['online', 'visible', 'resume'] as const) {
    const h = harness()
    await h.open()
    h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
    h.actor.send({ type: signal })
    await h.settle()
    assert.is(h.sockets.length, 2, signal)
    h.actor.stop()
  }
  const h = harness()
  await h.open()
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.actor.send({ type: 'offline' })
  h.clock.increment(600_000)
  await h.settle()
  assert.is(h.sockets.length, 1, 'no attempts while offline')
  assert.is(h.state(), 'closed')
  h.actor.send({ type: 'hidden' })
  h.actor.send({ type: 'online' })
  await h.settle()
  assert.is(h.sockets.length, 2)
  h.actor.stop()
})

reconnect('a socket actor that fails to start is reported and retried', async () => {
  const clock = new SimulatedClock()
  const errors: RealtimeError[] = []
  let starts = 0
  const machine = connectionMachineWith(
    connectionMachine.provide({
      actors: {
        socket: fromCallback<SocketCommand, SocketActorInput>(() => {
          starts++
          throw new Error('boom')
        }),
      },
    }),
    { random: () => 0 },
  )
  const actor = createActor(machine, { clock, input: { vsn: '2.0.0', apikey: 'k' } })
  actor.on('error', (e) => void errors.push(e.error))
  actor.start()
  actor.send({ type: 'connect' })
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(starts, 1)
  assert.is(errors[0]?.code, 'transport_error')
  assert.match(errors[0]!.message, 'boom')
  assert.ok(actor.getSnapshot().matches('retrying'))
  actor.stop()
})

reconnect('the default (unprovided) socket actor fails loudly, once, naming the helper: no retry loop', async () => {
  const clock = new SimulatedClock()
  const actor = createActor(connectionMachine, { clock, input: { vsn: '2.0.0', apikey: 'k' } })
  const errors: RealtimeError[] = []
  actor.on('error', (e) => void errors.push(e.error))
  actor.start()
  actor.send({ type: 'connect' })
  await new Promise((resolve) => setImmediate(resolve))
  assert.match(errors[0]!.message, 'no socket actor provided')
  assert.match(errors[0]!.message, 'createRealtimeLogic')
  assert.is(errors[0]!.code, 'no_transport')
  assert.is(connectionStateOf(actor.getSnapshot()), 'closed')
  assert.ok(actor.getSnapshot().matches('closed'), 'closed, not waiting to retry')
  clock.increment(120_000)
  await new Promise((resolve) => setImmediate(resolve))
  assert.is(errors.length, 1, 'no retry')
  actor.stop()
})

reconnect.run()

// ── send buffer ──

const buffer = suite('connection machine: send buffer')

buffer('messages sent while not open are flushed in order on open, before later sends', async () => {
  const h = harness()
  h.actor.send({ type: 'send', message: message(1) })
  h.actor.send({ type: 'connect' })
  h.actor.send({ type: 'send', message: message(2) })
  await h.settle()
  h.actor.send({ type: 'send', message: message(3) })
  assert.equal(h.socket.sent, [], 'nothing is written before the upgrade')
  h.socket.emit({ type: 'socket.opened' })
  h.actor.send({ type: 'send', message: message(4) })
  assert.equal(h.socket.sent.map((m) => m.ref), ['1', '2', '3', '4'])
  assert.equal(h.actor.getSnapshot().context.buffer, [])
  h.actor.stop()
})

buffer('messages sent during a drop wait for the reconnect', async () => {
  const h = harness()
  await h.open()
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.actor.send({ type: 'send', message: message(7) })
  h.clock.increment(125)
  await h.settle()
  h.socket.emit({ type: 'socket.opened' })
  assert.equal(h.socket.sent.map((m) => m.ref), ['7'])
  h.actor.stop()
})

buffer('a full buffer drops the oldest and reports buffer_overflow with the dropped message', async () => {
  const h = harness({ input: { sendBufferSize: 3 } })
  for (let n = 1; n <= 5; n++) h.actor.send({ type: 'send', message: message(n) })
  const errors = h.errors()
  assert.equal(errors.map((e) => e.code), ['buffer_overflow', 'buffer_overflow'])
  assert.instance(errors[0], RealtimeError)
  assert.equal(errors.map((e) => e.metadata['message']), [message(1), message(2)])
  assert.equal(
    h.notifications.filter((n) => n.type === 'connection.error').map((n) => n.type === 'connection.error' && n.error.code),
    ['buffer_overflow', 'buffer_overflow'],
  )
  await h.open()
  assert.equal(h.socket.sent.map((m) => m.ref), ['3', '4', '5'])
  h.actor.stop()
})

buffer('a zero-size buffer reports every message sent while not open', () => {
  const h = harness({ input: { sendBufferSize: 0 } })
  h.actor.send({ type: 'send', message: message(1) })
  assert.equal(h.errors().map((e) => e.metadata['message']), [message(1)])
  h.actor.stop()
})

buffer.run()

// ── states and reports ──

const states = suite('connection machine: states, tokens, errors')

states('every move between the four names is emitted once and told to the parent', async () => {
  const h = harness()
  assert.is(h.state(), 'closed')
  await h.open()
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.actor.send({ type: 'disconnect' }) // retrying → closed: same name, no event
  const expected = ['closed>connecting', 'connecting>open', 'open>closed']
  assert.equal(h.stateChanges(), expected)
  const told = h.notifications.flatMap((n) => (n.type === 'connection.state' ? [`${n.old}>${n.new}`] : []))
  assert.equal(told, expected)
  const opened = h.notifications.find((n) => n.type === 'connection.state' && n.new === 'open')
  assert.equal(opened, { type: 'connection.state', old: 'connecting', new: 'open', accessToken: 'anon-key' })
  h.actor.stop()
})

states('the state change is visible in the snapshot when the event is emitted', async () => {
  const h = harness()
  const seen: string[] = []
  h.actor.on('connection', () => void seen.push(connectionStateOf(h.actor.getSnapshot())))
  await h.open()
  assert.equal(seen, ['connecting', 'open'])
  h.actor.stop()
})

states('the token function is called before every upgrade and its token reaches the socket and the parent', async () => {
  let n = 0
  const h = harness({ tokenFn: async () => `token-${++n}` })
  await h.open()
  assert.is(h.tokenCalls, 1)
  assert.is(h.socket.input.token, 'token-1')
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.clock.increment(125)
  await h.settle()
  assert.is(h.tokenCalls, 2)
  assert.is(h.socket.input.token, 'token-2')
  h.socket.emit({ type: 'socket.opened' })
  const opened = h.notifications.filter((x) => x.type === 'connection.state' && x.new === 'open')
  assert.equal(opened.map((x) => x.type === 'connection.state' && x.accessToken), ['token-1', 'token-2'])
  h.actor.stop()
})

states('token fallback: the function throws → static token; no static token → apikey', async () => {
  const h = harness({ input: { accessToken: 'static-token' }, tokenFn: async () => Promise.reject(new Error('refresh failed')) })
  await h.open()
  assert.is(h.socket.input.token, 'static-token')
  assert.equal(h.errors().map((e) => e.code), ['token_fetch_failed'])
  assert.match(h.errors()[0]!.message, 'refresh failed')
  h.actor.stop()

  const g = harness({ tokenFn: async () => Promise.reject(new Error('nope')) })
  await g.open()
  assert.is(g.socket.input.token, 'anon-key')
  g.actor.stop()

  const empty = harness({ input: { accessToken: 'static-token' }, tokenFn: async () => null })
  await empty.open()
  assert.is(empty.socket.input.token, 'static-token', 'no token from the function: fallback too')
  empty.actor.stop()
})

states('a token function that never answers falls back after tokenTimeout', async () => {
  const h = harness({ tokenFn: () => new Promise(() => {}) })
  h.actor.send({ type: 'connect' })
  await h.settle()
  assert.is(h.sockets.length, 0)
  h.clock.increment(10_000)
  assert.is(h.socket.input.token, 'anon-key')
  assert.match(h.errors()[0]!.message, 'timed out')
  h.actor.stop()
})

states('setAuth wins over the token function for the next upgrades; setAuth(null) restores it', async () => {
  const h = harness({ tokenFn: async () => 'from-fn' })
  h.actor.send({ type: 'setAuth', token: 'manual' })
  await h.open()
  assert.is(h.tokenCalls, 0)
  assert.is(h.socket.input.token, 'manual')
  h.actor.send({ type: 'setAuth', token: null })
  h.socket.emit({ type: 'socket.closed', code: 1006, reason: '', wasClean: false })
  h.clock.increment(125)
  await h.settle()
  assert.is(h.socket.input.token, 'from-fn')
  h.actor.stop()
})

states('socket errors (e.g. invalid frames) are emitted and notified; the connection stays up', async () => {
  const h = harness()
  await h.open()
  const error = new RealtimeError('invalid_frame', 'invalid frame (3 bytes): not JSON', { bytes: 3 })
  h.socket.emit({ type: 'socket.error', error })
  assert.is(h.errors()[0], error)
  assert.ok(h.notifications.some((n) => n.type === 'connection.error' && n.error === error))
  assert.is(h.state(), 'open')
  h.actor.send({ type: 'send', message: message(1) })
  assert.equal(h.socket.sent.map((m) => m.ref), ['1'])
  h.actor.stop()
})

states('without a parent, the default notifyParent does nothing (no crash)', async () => {
  const clock = new SimulatedClock()
  const sockets: Array<(event: SocketEvent) => void> = []
  const machine = connectionMachine.provide({
    actors: {
      socket: fromCallback<SocketCommand, SocketActorInput>(({ sendBack }) => {
        sockets.push(sendBack)
      }),
    },
  })
  const actor = createActor(machine, { clock, input: { vsn: '1.0.0', apikey: 'k' } })
  actor.start()
  actor.send({ type: 'connect' })
  await new Promise((resolve) => setImmediate(resolve))
  sockets[0]!({ type: 'socket.opened' })
  assert.is(actor.getSnapshot().status, 'active')
  assert.is(connectionStateOf(actor.getSnapshot()), 'open')
  actor.stop()
})

states('the chart is serialisable with named delays and actors (visualizer)', () => {
  const json = JSON.stringify(connectionMachine.toJSON())
  for (const name of ['heartbeatInterval', 'heartbeatTimeout', 'reconnectDelay', 'closeTimeout', 'tokenTimeout']) assert.match(json, name)
  assert.match(json, '"src":"socket"')
  assert.match(json, '"src":"accessToken"')
  assert.is(connectionMachine.id, 'connection')
})

states.run()

// ── token rotation (issue 15) ──

const rotation = suite('connection machine: token rotation before expiry')

/** An unsigned JWT-shaped token expiring at `expS` (seconds): the client reads `exp`, never verifies. */
function tokenExpiringAt(expS: number, id: number): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'HS256' })}.${part({ role: 'authenticated', exp: expS, id })}.sig`
}

rotation('with a token function: checked on every heartbeat, refreshed once less than the margin remains, told to the parent', async () => {
  let n = 0
  const h = harness({ input: { refreshTokens: true, tokenRefreshMarginMs: 60_000 }, tokenFn: async () => tokenExpiringAt(100 + 100 * n, ++n) })
  await h.open()
  assert.is(h.tokenCalls, 1)
  const beat = async (): Promise<void> => {
    h.clock.increment(25_000)
    await h.settle()
    const ref = h.heartbeatsSent().at(-1)!.ref
    h.socket.emit({ type: 'socket.heartbeatReply', ref, status: 'ok' })
  }
  await beat() // t = 25 s: 75 s left, more than the margin
  assert.is(h.tokenCalls, 1)
  await beat() // t = 50 s: 50 s left → a fresh token (exp 200 s)
  assert.is(h.tokenCalls, 2)
  assert.is(h.actor.getSnapshot().context.token, tokenExpiringAt(200, 2))
  assert.equal(h.notifications.filter((x) => x.type === 'connection.token'), [{ type: 'connection.token', accessToken: tokenExpiringAt(200, 2) }])
  await beat() // t = 75 s: 125 s left
  await beat() // t = 100 s: 100 s left
  assert.is(h.tokenCalls, 2, 'never more than needed')
  await beat() // t = 125 s: 75 s left
  await beat() // t = 150 s: 50 s left → the next
  assert.is(h.tokenCalls, 3)
  assert.is(h.state(), 'open')
  h.actor.stop()
})

rotation('no token function (refreshTokens off), a setAuth token, or a token without exp: never refreshed; a refreshToken request is honoured only with a function', async () => {
  const off = harness({ tokenFn: async () => tokenExpiringAt(10, 1) })
  await off.open()
  off.clock.increment(25_000)
  off.actor.send({ type: 'refreshToken' })
  await off.settle()
  assert.is(off.tokenCalls, 1)
  off.actor.stop()

  const opaque = harness({ input: { refreshTokens: true }, tokenFn: async () => 'opaque-token' })
  await opaque.open()
  opaque.clock.increment(25_000)
  await opaque.settle()
  assert.is(opaque.tokenCalls, 1, 'no exp: nothing to rotate')
  opaque.actor.send({ type: 'refreshToken' })
  await opaque.settle()
  assert.is(opaque.tokenCalls, 2, 'asked by a channel that saw its token expire')
  assert.equal(opaque.notifications.filter((x) => x.type === 'connection.token'), [], 'the same token: nothing to push')
  opaque.actor.stop()
})

rotation('the exp policy reads the claims without verifying and tolerates anything else', () => {
  assert.is(tokenExpiresAt(tokenExpiringAt(1234, 1)), 1_234_000)
  for (const bad of ['', 'abc', 'a.b.c', 'x.eyJleHAiOiJzb29uIn0.y', null, undefined]) assert.is(tokenExpiresAt(bad), null, String(bad))
  assert.ok(tokenNeedsRefresh(tokenExpiringAt(100, 1), 50_000, 60_000))
  assert.not.ok(tokenNeedsRefresh(tokenExpiringAt(100, 1), 30_000, 60_000))
  assert.not.ok(tokenNeedsRefresh('opaque', 0, 60_000))
  assert.is(tokenRefreshMarginFor(25_000), 60_000)
  assert.is(tokenRefreshMarginFor(40_000), 80_000)
})

rotation.run()
