// Wire frames of the bench: Phoenix messages (protocol.md §1.2–1.3, §5.3, §6.2) and the WebSocket
// framing the bench server writes by hand. Everything here is built once and reused.

/** Server → client WebSocket frame header (never masked). opcode 1 = text, 2 = binary. */
export function wsHeader(opcode, length) {
  if (length < 126) return Buffer.from([0x80 | opcode, length])
  if (length < 65536) {
    const header = Buffer.alloc(4)
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(length, 2)
    return header
  }
  const header = Buffer.alloc(10)
  header[0] = 0x80 | opcode
  header[1] = 127
  header.writeBigUInt64BE(BigInt(length), 2)
  return header
}

/** One complete WebSocket frame for a text (string) or binary (Buffer) message. */
export function wsFrame(data) {
  const body = typeof data === 'string' ? Buffer.from(data, 'utf8') : data
  return Buffer.concat([wsHeader(typeof data === 'string' ? 1 : 2, body.length), body])
}

/** A Phoenix message as text for `vsn` ('1.0.0' object, '2.0.0' array). */
export function encodeText(vsn, joinRef, ref, topic, event, payloadJson) {
  if (vsn === '1.0.0') {
    return `{"event":${JSON.stringify(event)},"payload":${payloadJson},"ref":${ref === null ? 'null' : JSON.stringify(ref)},"topic":${JSON.stringify(topic)}}`
  }
  return `[${joinRef === null ? 'null' : JSON.stringify(joinRef)},${ref === null ? 'null' : JSON.stringify(ref)},${JSON.stringify(topic)},${JSON.stringify(event)},${payloadJson}]`
}

/** The user payload of broadcast number `i`: small, realistic, not identical from frame to frame. */
export function userPayloadJson(i) {
  return `{"id":${i},"user":"user-${i % 1000}","x":${(i * 7) % 1920},"y":${(i * 13) % 1080},"text":"hello from the bench"}`
}

/** Text broadcast as the server's fan-out writes it: `[null,null,topic,"broadcast",{event,payload,type}]`. */
export function jsonBroadcast(vsn, topic, i) {
  return encodeText(vsn, null, null, topic, 'broadcast', `{"event":"cursor","payload":${userPayloadJson(i)},"type":"broadcast"}`)
}

/**
 * Binary user broadcast, kind 4 (§1.3): `4, len(topic), len(user_event), len(metadata), encoding,
 * topic, user_event, metadata, user_payload`. encoding 1 = JSON user payload.
 */
export function binaryUserBroadcast(topic, i) {
  const topicBytes = Buffer.from(topic, 'utf8')
  const eventBytes = Buffer.from('cursor', 'utf8')
  const meta = Buffer.alloc(0)
  const payload = Buffer.from(userPayloadJson(i), 'utf8')
  const header = Buffer.from([4, topicBytes.length, eventBytes.length, meta.length, 1])
  return Buffer.concat([header, topicBytes, eventBytes, meta, payload])
}

/** The metas of presence member `i` (its phx_ref is derived from `i`, so leaves can name it). */
export function presenceMemberJson(i) {
  return `{"metas":[{"phx_ref":"ref-${i}","user_id":${i},"name":"member ${i}","online_at":${1767225600000 + i}}]}`
}

export const presenceKey = (i) => `user-${i}`

/** `presence_state` payload of `members` members: user-0 … user-(members-1). */
export function presenceStateJson(members) {
  const parts = new Array(members)
  for (let i = 0; i < members; i++) parts[i] = `"${presenceKey(i)}":${presenceMemberJson(i)}`
  return `{${parts.join(',')}}`
}

/** Diff number `d`: user-(members+d) joins, user-d leaves, so the room keeps `members` members. */
export function presenceDiffJson(members, d) {
  const joined = members + d
  return `{"joins":{"${presenceKey(joined)}":${presenceMemberJson(joined)}},"leaves":{"${presenceKey(d)}":${presenceMemberJson(d)}}}`
}

/** The id the bench server gives a channel's first postgres_changes binding (the next ones count up). */
export const POSTGRES_BINDING_ID = 30636876

/** The 10 columns of the postgres-changes case, with their catalog type names (as the server sends them). */
export const postgresColumns = [
  ['id', 'int8'], ['title', 'text'], ['done', 'bool'], ['at', 'timestamptz'], ['doc', 'jsonb'],
  ['price', 'numeric'], ['tags', '_text'], ['nums', '_int4'], ['count', 'int4'], ['ratio', 'float8'],
].map(([name, type]) => ({ name, type }))

const BEYOND_2_53 = 9007199254740993n

/**
 * The int8 `id` of change number `i`: `i`, or (exact) 2^53 + 1 + 2i, odd, so no double holds it. The
 * digits as a string: what an exact client must hand out.
 */
export function postgresChangeId(i, exact) {
  return exact ? String(BEYOND_2_53 + 2n * BigInt(i)) : String(i)
}

/** The numeric `price` of change number `i`, as its exact digits (exact: 30 digits, beyond a double). */
export function postgresChangePrice(i, exact) {
  const cents = String(i % 100).padStart(2, '0')
  return exact ? `1234567890123456789012345678.${cents}` : `12.${cents}`
}

/** Keys as jsonb orders them (shorter first, then by bytes): how the real server writes a record. */
const byJsonbKeyOrder = (a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0)

/**
 * An INSERT as the real server sends it (protocol.md §7.3): int8 and numeric as bare JSON numbers,
 * the other values JSON-typed (`to_jsonb` forms), the record's keys in jsonb's order (the server
 * builds it as jsonb). `exact`: an int8 beyond 2^53 and a 30-digit numeric.
 */
export function postgresChange(vsn, topic, i, exact) {
  const values = {
    id: postgresChangeId(i, exact),
    title: `"todo ${i}"`,
    done: String(i % 2 === 0),
    at: '"2026-01-02T03:04:05.678+00:00"',
    doc: `{"a":${i % 7},"b":[1,2]}`,
    price: postgresChangePrice(i, exact),
    tags: '["a","b c"]',
    nums: `[1,2,${i % 10}]`,
    count: String(i % 1000),
    ratio: '0.25',
  }
  const record = `{${Object.keys(values).sort(byJsonbKeyOrder).map((key) => `"${key}":${values[key]}`).join(',')}}`
  const data = `{"columns":${JSON.stringify(postgresColumns)},"commit_timestamp":"2026-01-02T03:04:05.678Z","errors":null,"record":${record},"schema":"public","table":"todos","type":"INSERT"}`
  return encodeText(vsn, null, null, topic, 'postgres_changes', `{"ids":[${POSTGRES_BINDING_ID}],"data":${data}}`)
}
