/**
 * A binary min-heap of scheduled items ordered by (time, priority, seq). `seq`
 * grows strictly, so equal times and priorities pop first-in, first-out: the
 * deterministic tie-break every simulated number depends on.
 *
 * Every event of a run goes through here, so it is kept cheap: time and
 * priority are folded into one number (time * 4 + priority: times are whole
 * microseconds far below 2^50, so the key is exact), keys and seqs live in
 * typed arrays that grow by doubling, and sifting moves a hole instead of
 * swapping (one write per level). pop() returns the item alone and leaves its
 * time in `poppedTime`, so popping allocates nothing.
 */
const prioSpan = 4;

export class EventHeap<T> {
  private keys = new Float64Array(64);
  private seqs = new Float64Array(64);
  private items: Array<T | undefined> = [];
  private n = 0;
  /** Time of the item the last pop() returned. */
  poppedTime = 0;

  get size(): number {
    return this.n;
  }

  push(time: number, prio: number, seq: number, item: T): void {
    if (!(prio >= 0 && prio < prioSpan)) throw new RangeError(`priority ${prio} outside [0, ${prioSpan})`);
    if (this.n === this.keys.length) this.grow();
    const key = time * prioSpan + prio;
    // Sift up: move parents down into the hole until the new item's place is found.
    let i = this.n++;
    const keys = this.keys, seqs = this.seqs, items = this.items;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pk = keys[parent];
      if (pk < key || (pk === key && seqs[parent] < seq)) break;
      keys[i] = pk;
      seqs[i] = seqs[parent];
      items[i] = items[parent];
      i = parent;
    }
    keys[i] = key;
    seqs[i] = seq;
    items[i] = item;
  }

  /** Time of the earliest item, or Infinity. */
  peekTime(): number {
    return this.n > 0 ? Math.floor(this.keys[0] / prioSpan) : Infinity;
  }

  peekPriority(): number {
    return this.n > 0 ? this.keys[0] % prioSpan : Infinity;
  }

  /** Remove and return the earliest item; its time is then `poppedTime`. */
  pop(): T {
    const keys = this.keys, seqs = this.seqs, items = this.items;
    const top = items[0] as T;
    this.poppedTime = Math.floor(keys[0] / prioSpan);
    const n = --this.n;
    // The last item fills the hole left at the root, sifting down.
    const key = keys[n], seq = seqs[n], item = items[n];
    items[n] = undefined;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      let ck = keys[c];
      const r = c + 1;
      if (r < n) {
        const rk = keys[r];
        if (rk < ck || (rk === ck && seqs[r] < seqs[c])) {
          c = r;
          ck = rk;
        }
      }
      if (key < ck || (key === ck && seq < seqs[c])) break;
      keys[i] = ck;
      seqs[i] = seqs[c];
      items[i] = items[c];
      i = c;
    }
    if (n > 0) {
      keys[i] = key;
      seqs[i] = seq;
      items[i] = item;
    }
    return top;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    keys.set(this.keys);
    this.keys = keys;
    const seqs = new Float64Array(this.seqs.length * 2);
    seqs.set(this.seqs);
    this.seqs = seqs;
  }
}
