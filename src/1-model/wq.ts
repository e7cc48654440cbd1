/**
 * module_wq: ONE global wait queue. wake_up_all wakes every sleeper of every
 * module; each re-checks its condition under module_mutex, one after another in
 * an order decided by scheduling (uniformly random, from the boot's seed). A
 * sleeper whose condition now holds acts within the same critical section (the
 * kernel's `goto again` re-lock is folded in: Linux mutexes are not FIFO under
 * contention, so the re-lock's place among the herd is arbitrary anyway).
 *
 * Two questions, answered separately:
 *
 * How the herd is walked (the engine's work):
 * - "naive": one process per woken waiter (lock, hold, check, unlock).
 * - batched: one process holds module_mutex for the whole herd and walks it,
 *   yielding to the event loop only when another event is due before the next
 *   check completes or when a member acts. Stretches where no module's sleepers
 *   would act are skipped in one step: nothing can happen in them.
 *
 * How the random order is drawn (the random stream):
 * - shuffled ("naive", "batched"): the whole herd is shuffled at
 *   wake_up_all, one draw per sleeper. Its cost is sleepers x wake-ups: with the square of
 *   the CPU count until udevd's children_max caps the sleepers (2048 workers,
 *   from 1016 CPUs on), linearly after (23 million wake-ups per base boot at
 *   4096 CPUs, 98 million at 16384); without udev ("direct" scenarios) nothing
 *   caps it.
 * - lazy ("lazy", the default, and "lazy-naive"): the order is revealed only where the walk
 *   looks. Every sleeper of a module gives the same answer (wants() depends on
 *   the module's state only), so a check only has to know *which module* is at
 *   a position, and only while some module's sleepers would act. The herd is
 *   then an urn of per-module counts: the next position holding an acting
 *   module is drawn at once (Random.firstMarked), the module in proportion to
 *   its count, the member uniformly among its not-yet-acted sleepers. Positions
 *   walked while nobody would act are never looked at; by exchangeability of a
 *   uniform order their members stay in the urn. A draw made for one set of
 *   acting modules is dropped when that set changes before it is reached: what
 *   happened until then depended on it only through "none of them came up",
 *   which is kept (those positions leave the urn as non-acting). The outcome
 *   has exactly the law of the shuffle (same herd, same checks at the same
 *   instants, same actors' distribution, same herdWakeups), with a different
 *   stream, at a cost per herd that does not grow with its size in the usual
 *   case (at most ~sqrt(size) steps per actor; only with three or more modules
 *   does ruling some out cost a draw per position passed).
 *
 * Each walker gives identical runs with either order (test/model.test.ts):
 * both ask the herd the same questions at the same positions.
 */
import { Environment, Event, LATE, ProcessGenerator } from "./sim/engine";
import { Mutex } from "./sim/resources";
import { Random } from "../core/random";

export interface Waiter<R> {
  module: string;
  /** A small integer naming `module` (index into the scenario's modules), for cheap counting. */
  slot: number;
  /**
   * Pure, and a function of the state of `module` only (so one answer serves every
   * sleeper of that module until something changes): would this waiter stop sleeping now?
   */
  wants(): boolean;
  /** Called only when wants() holds, at the check's instant: act (e.g. insert itself) and return the result. */
  act(): R;
  /** Triggered with act()'s result, or with interrupted()'s when the sleeper is killed. */
  ev: Event<R>;
  /** Set when a fatal signal reached this sleeper (udevd's event timeout). */
  killed: boolean;
  /** What the wait returns when a fatal signal ends it (wait_event_interruptible: -ERESTARTSYS). */
  interrupted(): R;
  /** Its number in a shuffled queue (internal to this module). */
  qid?: number;
}

/** "lazy" (the default), "lazy-naive": lazily drawn order; "batched", "naive": shuffled order (see above). */
export type HerdMode = "naive" | "batched" | "lazy" | "lazy-naive";
export const herdModes: readonly HerdMode[] = ["naive", "batched", "lazy", "lazy-naive"];

type AnyWaiter = Waiter<any>;

/** One wake_up_all's herd: who is at which position of the re-check order, as far as the walk asks. */
interface Herd {
  readonly size: number;
  /** Ask every module with sleepers left whether they would act now (after anything changed). */
  refresh(): void;
  /**
   * Positions k..lim-1 are checked with the answers of the last refresh(): the
   * first of them whose member acts, or -1 when none does.
   */
  find(k: number, lim: number): number;
  /** The member at position `p` that find() returned; it leaves the herd. */
  take(p: number): AnyWaiter;
  /** The herd is walked: every member that did not act sleeps again. */
  finish(): void;
}

/** The sleepers between two wake-ups, and how a wake-up orders them. */
interface Sleepers {
  readonly count: number;
  add(w: AnyWaiter): void;
  /** wake_up_all: all sleepers, now one herd; `woken[slot]` gets each module's count. */
  wake(woken: number[]): Herd;
  /** Take `w` out if it is sleeping here (false: it is in a herd being walked, or gone). */
  remove(w: AnyWaiter): boolean;
  /** Killed members of herds being walked, still to be ended (a walk's end looks for them only when there are any). */
  killedInHerds: number;
}

/** A walked herd's killed non-actors do not sleep again: their waits end with interrupted(). */
function endKilled(w: AnyWaiter): void {
  w.ev.succeed(w.interrupted());
}

export class ModuleWaitQueue {
  private readonly queue: Sleepers;
  /** Woken waiters per module slot, summed over all wake-ups. */
  private readonly wakeupsBySlot: number[];
  private readonly naive: boolean;
  herds = 0;

  constructor(
    private readonly env: Environment,
    private readonly mutex: Mutex,
    rng: Random,
    private readonly recheckUs: number,
    readonly mode: HerdMode,
    private readonly slots: readonly string[],
  ) {
    this.wakeupsBySlot = slots.map(() => 0);
    this.naive = mode === "naive" || mode === "lazy-naive";
    this.queue = mode === "lazy" || mode === "lazy-naive" ? new LazySleepers(rng, slots.length) : new ShuffledSleepers(rng, slots.length);
  }

  /** Woken waiters of a module, summed over all wake-ups. */
  wakeups(module: string): number {
    const i = this.slots.indexOf(module);
    return i < 0 ? 0 : this.wakeupsBySlot[i];
  }

  get sleepers(): number {
    return this.queue.count;
  }

  sleep<R>(w: Waiter<R>): Event<R> {
    this.queue.add(w);
    return w.ev;
  }

  /**
   * A fatal signal for a sleeper (udevd killed its worker). A sleeper wakes at
   * once and its wait ends with interrupted(); one that is in a herd being walked
   * is checked with the herd and, unless it acts there, ends when the walk does.
   * (The woken task's own re-check under module_mutex is not modelled: one
   * re-check per killed sleeper, and a kill happens at most once per event.)
   */
  interrupt(w: AnyWaiter): void {
    w.killed = true;
    if (this.queue.remove(w)) endKilled(w);
    else this.queue.killedInHerds++;
  }

  wakeAll(): void {
    if (this.queue.count === 0) return;
    const herd = this.queue.wake(this.wakeupsBySlot);
    this.herds++;
    if (this.naive) for (let k = 0; k < herd.size; k++) this.env.process(this.recheckOne(herd, k));
    else this.env.process(this.recheckBatch(herd));
  }

  /** The member at position k of the herd: its own lock, hold and check. */
  private *recheckOne(herd: Herd, k: number): ProcessGenerator<void> {
    const owner = {};
    yield this.mutex.lock(owner);
    yield this.env.timeout(this.recheckUs, LATE);
    herd.refresh();
    if (herd.find(k, k + 1) === k) {
      const w = herd.take(k);
      w.ev.succeed(w.act());
    }
    // The herd's processes hold module_mutex back to back (they queued together),
    // so nothing can wake the queue before the last one: re-queue at its end.
    if (k === herd.size - 1) herd.finish();
    this.mutex.unlock(owner);
  }

  private *recheckBatch(herd: Herd): ProcessGenerator<void> {
    const owner = {};
    yield this.mutex.lock(owner);
    const env = this.env;
    const rc = this.recheckUs;
    const n = herd.size;
    // Position k's check completes at t0 + (k + 1) * rc (checks run LATE at their instant).
    const t0 = env.now;
    let nextEventUs = env.peekTime();
    herd.refresh();
    let k = 0;
    while (k < n) {
      const tk = t0 + (k + 1) * rc;
      // Anything due by tk happens before this check; then the answers may differ.
      if (nextEventUs <= tk) {
        yield env.timeout(tk - env.now, LATE);
        nextEventUs = env.peekTime();
        herd.refresh();
      }
      // Up to the first check that something else is due by, nothing but the herd moves.
      const lim = Math.min(n, Math.max(k + 1, firstDue(nextEventUs, t0, rc, n)));
      const p = herd.find(k, lim);
      if (p < 0) {
        k = lim;
        continue;
      }
      const tp = t0 + (p + 1) * rc;
      if (env.now < tp) yield env.timeout(tp - env.now, LATE);
      const w = herd.take(p);
      w.ev.succeed(w.act());
      nextEventUs = env.peekTime();
      herd.refresh();
      k = p + 1;
    }
    const tEnd = t0 + n * rc;
    if (env.now < tEnd) yield env.timeout(tEnd - env.now, LATE);
    // Nothing could observe the queue while the mutex was held: re-queueing now is exact.
    herd.finish();
    this.mutex.unlock(owner);
  }
}

/** The first position j (0-based) whose check, done at t0 + (j + 1) * rc, has an event due by then (n if none). */
function firstDue(nextEventUs: number, t0: number, rc: number, n: number): number {
  if (nextEventUs === Infinity) return n;
  if (rc === 0) return nextEventUs <= t0 ? 0 : n;
  const j = Math.ceil((nextEventUs - t0) / rc) - 1;
  return j < 0 ? 0 : j > n ? n : j;
}

/**
 * The shuffled stream ("naive", "batched"): the reference whose law the lazy
 * stream keeps; the default and every committed output use the lazy one
 * (LazySleepers). One list in arrival order, shuffled whole at every wake-up. Waiters are numbered as they first sleep and the list holds numbers
 * (an Int32Array), so the shuffle and the re-queue move plain integers: tens of
 * millions of them per boot at 4096 CPUs.
 */
class ShuffledSleepers implements Sleepers {
  killedInHerds = 0;
  /** Every waiter that ever slept, by number (its index here). */
  readonly waiters: AnyWaiter[] = [];
  /** The sleeping list: list[0..length). */
  list = new Int32Array(64);
  length = 0;
  /** A free buffer for the list after the next wake-up (a walked herd's), if any. */
  private spare: Int32Array | null = null;
  /** Sleepers per slot. */
  readonly bySlot: number[];
  /** Any waiter seen per slot: wants() depends on the module's state only, so any one answers for all. */
  readonly reps: Array<AnyWaiter | null>;

  constructor(
    private readonly rng: Random,
    slots: number,
  ) {
    this.bySlot = new Array<number>(slots).fill(0);
    this.reps = new Array<AnyWaiter | null>(slots).fill(null);
  }

  get count(): number {
    return this.length;
  }

  add(w: AnyWaiter): void {
    const id = this.waiters.length;
    w.qid = id;
    this.waiters.push(w);
    if (this.length === this.list.length) this.list = grown(this.list, this.length + 1);
    this.list[this.length++] = id;
    this.bySlot[w.slot]++;
    this.reps[w.slot] = w;
  }

  wake(woken: number[]): Herd {
    const members = this.list;
    const n = this.length;
    this.rng.shuffleFirst(members, n);
    const present = this.bySlot.slice();
    for (let s = 0; s < present.length; s++) woken[s] += present[s];
    // The herd owns its buffer until it is walked; another herd may be woken before.
    this.list = this.spare ?? new Int32Array(Math.max(64, n));
    this.spare = null;
    this.length = 0;
    this.bySlot.fill(0);
    return new ShuffledHerd(this, members, n, present);
  }

  remove(w: AnyWaiter): boolean {
    const list = this.list;
    for (let i = 0; i < this.length; i++) {
      if (list[i] !== w.qid) continue;
      list.copyWithin(i, i + 1, this.length);
      this.length--;
      this.bySlot[w.slot]--;
      return true;
    }
    return false;
  }

  /** A walked herd's non-actors rest[0..n), in herd order, after whoever slept meanwhile; killed ones end instead. */
  requeue(rest: Int32Array, n: number, bySlot: number[]): void {
    if (this.killedInHerds > 0) {
      let kept = 0;
      for (let i = 0; i < n; i++) {
        const w = this.waiters[rest[i]];
        if (w.killed) {
          bySlot[w.slot]--;
          this.killedInHerds--;
          endKilled(w);
        } else rest[kept++] = rest[i];
      }
      n = kept;
    }
    if (this.length === 0) {
      this.spare = this.list;
      this.list = rest;
      this.length = n;
    } else {
      if (this.length + n > this.list.length) this.list = grown(this.list, this.length + n);
      this.list.set(rest.subarray(0, n), this.length);
      this.length += n;
      this.spare = rest;
    }
    for (let s = 0; s < bySlot.length; s++) this.bySlot[s] += bySlot[s];
  }
}

function grown(a: Int32Array, need: number): Int32Array {
  let size = a.length * 2;
  while (size < need) size *= 2;
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

class ShuffledHerd implements Herd {
  /** wants() per slot as of the last refresh(), for slots with members left. */
  private readonly acting: Uint8Array;
  private anyActing = false;
  /** Positions taken, in increasing order. */
  private readonly taken: number[] = [];

  constructor(
    private readonly queue: ShuffledSleepers,
    /** Waiter numbers in re-check order; -1 once taken. */
    private readonly members: Int32Array,
    readonly size: number,
    /** Members per slot not taken. */
    private readonly left: number[],
  ) {
    this.acting = new Uint8Array(left.length);
  }

  refresh(): void {
    this.anyActing = false;
    for (let s = 0; s < this.left.length; s++) {
      const a = this.left[s] > 0 && this.queue.reps[s]!.wants();
      this.acting[s] = a ? 1 : 0;
      if (a) this.anyActing = true;
    }
  }

  find(k: number, lim: number): number {
    if (!this.anyActing) return -1;
    const members = this.members, acting = this.acting, waiters = this.queue.waiters;
    for (let j = k; j < lim; j++) {
      const id = members[j];
      if (id >= 0 && acting[waiters[id].slot] === 1) return j;
    }
    return -1;
  }

  take(p: number): AnyWaiter {
    const w = this.queue.waiters[this.members[p]];
    this.members[p] = -1;
    this.left[w.slot]--;
    this.taken.push(p);
    return w;
  }

  finish(): void {
    // Close the gaps the actors left (few: one memmove per gap).
    const m = this.members, taken = this.taken;
    let to = taken.length > 0 ? taken[0] : this.size;
    for (let i = 0; i < taken.length; i++) {
      const from = taken[i] + 1;
      const end = i + 1 < taken.length ? taken[i + 1] : this.size;
      m.copyWithin(to, from, end);
      to += end - from;
    }
    this.queue.requeue(m, this.size - taken.length, this.left);
  }
}

/** The lazy stream: sleepers kept per module; a wake-up draws the order only where the walk looks. */
class LazySleepers implements Sleepers {
  killedInHerds = 0;
  bySlot: AnyWaiter[][];
  private n = 0;

  constructor(
    readonly rng: Random,
    private readonly slots: number,
  ) {
    this.bySlot = this.empty();
  }

  private empty(): AnyWaiter[][] {
    const lists: AnyWaiter[][] = [];
    for (let s = 0; s < this.slots; s++) lists.push([]);
    return lists;
  }

  get count(): number {
    return this.n;
  }

  add(w: AnyWaiter): void {
    this.bySlot[w.slot].push(w);
    this.n++;
  }

  wake(woken: number[]): Herd {
    const members = this.bySlot;
    for (let s = 0; s < members.length; s++) woken[s] += members[s].length;
    this.bySlot = this.empty();
    const size = this.n;
    this.n = 0;
    return new LazyHerd(this, members, size);
  }

  remove(w: AnyWaiter): boolean {
    const list = this.bySlot[w.slot];
    const i = list.indexOf(w);
    if (i < 0) return false;
    list.splice(i, 1);
    this.n--;
    return true;
  }

  /** A walked herd's non-actors of one slot (its first `keep` members; killed ones end instead), then whoever slept meanwhile. */
  requeue(slot: number, members: AnyWaiter[], keep: number): void {
    if (this.killedInHerds > 0) {
      let kept = 0;
      for (let i = 0; i < keep; i++) {
        const w = members[i];
        if (w.killed) {
          this.killedInHerds--;
          endKilled(w);
        } else members[kept++] = w;
      }
      keep = kept;
    }
    members.length = keep;
    const meanwhile = this.bySlot[slot];
    for (let i = 0; i < meanwhile.length; i++) members.push(meanwhile[i]);
    this.bySlot[slot] = members;
    this.n += keep;
  }
}

class LazyHerd implements Herd {
  /** Members per slot not yet acted: members[s][0..left[s]) (actors are swapped behind). */
  private readonly left: number[];
  /** The urn: members per slot whose position has not been looked at. */
  private readonly urn: number[];
  private urnTotal: number;
  /** wants() per slot as of the last refresh() (0 for slots with an empty urn). */
  private readonly acting: Uint8Array;
  private actingCount = 0;
  /** The pending draw: for the acting set `drawnFor`, looked for from `drawnFrom`, found at `drawnAt` (may be >= size: none left). */
  private readonly drawnFor: Uint8Array;
  private drawn = false;
  private drawnFrom = 0;
  private drawnAt = 0;
  private readonly rng: Random;

  constructor(
    private readonly queue: LazySleepers,
    private readonly members: AnyWaiter[][],
    readonly size: number,
  ) {
    this.rng = queue.rng;
    this.left = members.map((m) => m.length);
    this.urn = this.left.slice();
    this.urnTotal = size;
    this.acting = new Uint8Array(members.length);
    this.drawnFor = new Uint8Array(members.length);
  }

  refresh(): void {
    this.actingCount = 0;
    for (let s = 0; s < this.urn.length; s++) {
      const a = this.urn[s] > 0 && this.members[s][0].wants();
      this.acting[s] = a ? 1 : 0;
      if (a) this.actingCount++;
    }
  }

  find(k: number, lim: number): number {
    if (this.drawn && !sameFlags(this.acting, this.drawnFor)) {
      // The acting set changed before the drawn position was reached: keep only
      // what the walk saw (positions drawnFrom..k-1 held none of the old set).
      this.removeOthers(this.drawnFor, k - this.drawnFrom);
      this.drawn = false;
    }
    if (this.actingCount === 0) return -1;
    if (!this.drawn) {
      let marked = 0;
      for (let s = 0; s < this.urn.length; s++) if (this.acting[s] === 1) marked += this.urn[s];
      this.drawnFor.set(this.acting);
      this.drawnFrom = k;
      this.drawnAt = k + this.rng.firstMarked(marked, this.urnTotal - marked);
      this.drawn = true;
    }
    return this.drawnAt < lim ? this.drawnAt : -1;
  }

  take(p: number): AnyWaiter {
    if (!this.drawn || p !== this.drawnAt) throw new Error(`herd: position ${p} was not drawn`);
    this.removeOthers(this.drawnFor, p - this.drawnFrom);
    this.drawn = false;
    // Which acting module: in proportion to its members in the urn.
    let slot = -1;
    let marked = 0;
    let kinds = 0;
    for (let s = 0; s < this.urn.length; s++) {
      if (this.drawnFor[s] === 1 && this.urn[s] > 0) {
        marked += this.urn[s];
        kinds++;
        slot = s;
      }
    }
    if (kinds > 1) {
      let r = this.rng.int(marked);
      for (slot = 0; slot < this.urn.length; slot++) {
        if (this.drawnFor[slot] !== 1) continue;
        if (r < this.urn[slot]) break;
        r -= this.urn[slot];
      }
    }
    this.urn[slot]--;
    this.urnTotal--;
    // Which member: uniform among the module's sleepers that have not acted.
    const m = this.members[slot];
    const last = --this.left[slot];
    const i = last > 0 ? this.rng.int(last + 1) : 0;
    const w = m[i];
    m[i] = m[last];
    m[last] = w;
    return w;
  }

  /** `count` looked-at positions held none of the modules flagged in `flags`: they leave the urn. */
  private removeOthers(flags: Uint8Array, count: number): void {
    if (count === 0) return;
    let others = 0;
    let kinds = 0;
    let only = -1;
    for (let s = 0; s < this.urn.length; s++) {
      if (flags[s] !== 1 && this.urn[s] > 0) {
        others += this.urn[s];
        kinds++;
        only = s;
      }
    }
    if (count > others) throw new Error(`herd: ${count} positions but ${others} members outside the acting set`);
    this.urnTotal -= count;
    if (kinds === 1) {
      this.urn[only] -= count;
      return;
    }
    // Several other modules: which ones those positions held, drawn one by one
    // (only scenarios with three or more modules get here).
    for (let i = 0; i < count; i++) {
      let r = this.rng.int(others);
      for (let s = 0; s < this.urn.length; s++) {
        if (flags[s] === 1) continue;
        if (r < this.urn[s]) {
          this.urn[s]--;
          break;
        }
        r -= this.urn[s];
      }
      others--;
    }
  }

  finish(): void {
    for (let s = 0; s < this.members.length; s++) this.queue.requeue(s, this.members[s], this.left[s]);
  }
}

function sameFlags(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
