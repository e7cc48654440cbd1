/**
 * A binary min-heap of scheduled items ordered by (time, priority, seq). `seq`
 * grows strictly, so equal times and priorities pop first-in, first-out: the
 * deterministic tie-break every simulated number depends on.
 */
export class EventHeap<T> {
  private times: number[] = [];
  private prios: number[] = [];
  private seqs: number[] = [];
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(time: number, prio: number, seq: number, item: T): void {
    this.times.push(time);
    this.prios.push(prio);
    this.seqs.push(seq);
    this.items.push(item);
    this.up(this.items.length - 1);
  }

  /** Time of the earliest item, or Infinity. */
  peekTime(): number {
    return this.items.length ? this.times[0] : Infinity;
  }

  peekPriority(): number {
    return this.items.length ? this.prios[0] : Infinity;
  }

  pop(): { time: number; item: T } {
    const time = this.times[0];
    const item = this.items[0];
    const last = this.items.length - 1;
    this.move(last, 0);
    this.times.pop();
    this.prios.pop();
    this.seqs.pop();
    this.items.pop();
    if (this.items.length) this.down(0);
    return { time, item };
  }

  private less(a: number, b: number): boolean {
    if (this.times[a] !== this.times[b]) return this.times[a] < this.times[b];
    if (this.prios[a] !== this.prios[b]) return this.prios[a] < this.prios[b];
    return this.seqs[a] < this.seqs[b];
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from];
    this.prios[to] = this.prios[from];
    this.seqs[to] = this.seqs[from];
    this.items[to] = this.items[from];
  }

  private swap(a: number, b: number): void {
    const t = this.times[a], p = this.prios[a], s = this.seqs[a], i = this.items[a];
    this.move(b, a);
    this.times[b] = t;
    this.prios[b] = p;
    this.seqs[b] = s;
    this.items[b] = i;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }
}
