/**
 * The order in which JavaScript enumerates an object's own string keys: array indices ("0" … "4294967294",
 * canonical form) ascending first, then the other keys in insertion order. Phoenix keeps presence in
 * plain objects, so its join/leave callbacks follow this order; our Map keeps insertion order only, and
 * where the order of callbacks depends on it we sort the (few) keys involved this way.
 */
const MAX_INDEX = 4294967294

export function isArrayIndex(key: string): boolean {
  if (key.length === 0 || key.length > 10) return false
  if (key !== '0' && (key.charCodeAt(0) < 49 || key.charCodeAt(0) > 57)) return false
  for (let i = 1; i < key.length; i++) {
    const code = key.charCodeAt(i)
    if (code < 48 || code > 57) return false
  }
  return Number(key) <= MAX_INDEX
}

/** `keys` (given in insertion order) in enumeration order. */
export function enumerationOrder(keys: readonly string[]): string[] {
  const indices: string[] = []
  const others: string[] = []
  for (const key of keys) (isArrayIndex(key) ? indices : others).push(key)
  if (indices.length === 0) return others
  indices.sort((a, b) => Number(a) - Number(b))
  return [...indices, ...others]
}
