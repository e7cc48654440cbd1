/**
 * A binary min-heap of scheduled items ordered by (time, priority, seq). `seq`
 * grows strictly, so equal times and priorities pop first-in, first-out: the
 * deterministic tie-break every simulated number depends on.
 *
 * Every event of a run goes through here, so it is kept cheap:
 * - time and priority are folded into one number (time * 4 + priority: times
 *   are whole microseconds far below 2^50, so the key is exact);
 * - the heap itself moves only numbers, in typed arrays that grow by doubling:
 *   each item is stored once in a slot table and the heap orders slot numbers.
 *   Moving object references instead would pay V8's write barrier at every
 *   level of every sift (the items are young, the arrays old), which made pop
 *   the engine's most expensive step;
 * - sifting moves a hole instead of swapping (one write per level), and a
 *   hole left at the root walks down to a leaf along the smaller children (one
 *   comparison per level) before the item that fills it climbs back up (it
 *   comes from the bottom, so rarely far);
 * - pop() leaves the popped item's place at the root until the next push or
 *   look: most events wake a process that schedules its next event at once,
 *   and that push then simply takes the root's place (one sift instead of two).
 *   The order of items never depends on the heap's shape, only on their keys.
 * - pop() returns the item alone and leaves its time in `poppedTime`.
 */
const prioSpan = 4;

export class EventHeap<T> {
  private keys = new Float64Array(64);
  private seqs = new Float64Array(64);
  private slots = new Int32Array(64);
  /** Entries in the arrays, the root included while `vacant`. */
  private n = 0;
  /** The root was popped but is still in place (see above). */
  private vacant = false;
  /** Items by slot; free slots are stacked in `free`. */
  private readonly items: Array<T | undefined> = [];
  private free = new Int32Array(64);
  private nFree = 0;
  /** Time of the item the last pop() returned. */
  poppedTime = 0;

  get size(): number {
    return this.vacant ? this.n - 1 : this.n;
  }

  push(time: number, prio: number, seq: number, item: T): void {
    if (!(prio >= 0 && prio < prioSpan)) throw new RangeError(`priority ${prio} outside [0, ${prioSpan})`);
    const key = time * prioSpan + prio;
    if (this.vacant) {
      // Take the popped root's place (and slot).
      this.vacant = false;
      const slot = this.slots[0];
      this.items[slot] = item;
      this.fillRoot(key, seq, slot, this.n);
      return;
    }
    if (this.n === this.keys.length) this.grow();
    let slot: number;
    if (this.nFree > 0) slot = this.free[--this.nFree];
    else slot = this.items.length;
    this.items[slot] = item;
    // Sift up: move parents down into the hole until the new item's place is found.
    let i = this.n++;
    const keys = this.keys, seqs = this.seqs, slots = this.slots;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (pk < key || (pk === key && seqs[parent] < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    slots[i] = slot;
  }

  /** Time of the earliest item, or Infinity. */
  peekTime(): number {
    if (this.vacant) this.removeRoot();
    return this.n > 0 ? Math.floor(this.keys[0] / prioSpan) : Infinity;
  }

  /** Remove and return the earliest item; its time is then `poppedTime`. */
  pop(): T {
    if (this.vacant) this.removeRoot();
    if (this.n === 0) throw new RangeError("pop from an empty heap");
    const slot = this.slots[0];
    const top = this.items[slot] as T;
    this.items[slot] = undefined;
    this.poppedTime = Math.floor(this.keys[0] / prioSpan);
    this.vacant = true;
    return top;
  }

  /** Drop the vacant root: the last entry fills it. */
  private removeRoot(): void {
    this.vacant = false;
    const n = --this.n;
    const slot = this.slots[0];
    if (this.nFree === this.free.length) this.free = grownInts(this.free);
    this.free[this.nFree++] = slot;
    if (n > 0) this.fillRoot(this.keys[n], this.seqs[n], this.slots[n], n);
  }

  /** Put (key, seq, slot) in the root's place among the first n entries, restoring heap order. */
  private fillRoot(key: number, seq: number, slot: number, n: number): void {
    const keys = this.keys, seqs = this.seqs, slots = this.slots;
    // The hole walks down to a leaf along the smaller children...
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      const r = c + 1;
      if (r < n) {
        const rk = keys[r], ck = keys[c];
        if (rk < ck || (rk === ck && seqs[r] < seqs[c])) c = r;
      }
      keys[i] = keys[c];
      seqs[i] = seqs[c];
      slots[i] = slots[c];
      i = c;
    }
    // ...and the new entry climbs from there to its place.
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (pk < key || (pk === key && seqs[parent] < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[parent];
      slots[i] = slots[parent];
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private grow(): void {
    const size = this.keys.length * 2;
    const keys = new Float64Array(size);
    keys.set(this.keys);
    this.keys = keys;
    const seqs = new Float64Array(size);
    seqs.set(this.seqs);
    this.seqs = seqs;
    this.slots = grownInts(this.slots);
  }
}

function grownInts(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
