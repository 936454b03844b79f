/** The last `capacity` items, oldest first: the visualizer's backlog for a page that joins late. */
export class RingBuffer<T> {
  readonly #items: (T | undefined)[]
  #next = 0
  #size = 0

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`RingBuffer capacity must be a positive integer, got ${capacity}`)
    this.#items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.#size
  }

  push(item: T): void {
    this.#items[this.#next] = item
    this.#next = (this.#next + 1) % this.capacity
    this.#size = Math.min(this.#size + 1, this.capacity)
  }

  toArray(): T[] {
    const start = (this.#next - this.#size + this.capacity) % this.capacity
    const out: T[] = []
    for (let i = 0; i < this.#size; i++) out.push(this.#items[(start + i) % this.capacity] as T)
    return out
  }
}
