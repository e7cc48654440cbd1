/**
 * module_wq: ONE global wait queue. wake_up_all wakes every sleeper of every
 * module; each re-checks its condition under module_mutex, one after another in
 * an order decided by scheduling (a seeded shuffle). A sleeper whose condition
 * now holds acts within the same critical section (the kernel's `goto again`
 * re-lock is folded in: Linux mutexes are not FIFO under contention, so the
 * re-lock's place among the herd is arbitrary anyway).
 *
 * Two implementations of exactly these semantics:
 * - "naive": one process per woken waiter (lock, hold, check, unlock).
 * - "batched": one process holds module_mutex for the whole herd and walks the
 *   members, yielding to the event loop only when another event is due before
 *   the next check completes or when a member acts. Millions of herd wake-ups
 *   then cost array steps, not heap events. test/herd.test.ts shows both give
 *   identical runs.
 */
import { Environment, Event, LATE, ProcessGenerator } from "../sim/engine";
import { Mutex } from "../sim/resources";
import { Random } from "../sim/random";

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
  /** Triggered with act()'s result. */
  ev: Event<R>;
}

export type HerdMode = "naive" | "batched";

export class ModuleWaitQueue {
  private sleeping: Array<Waiter<any>> = [];
  /** Woken waiters per module slot, summed over all wake-ups. */
  private readonly wakeupsBySlot: number[];
  herds = 0;

  constructor(
    private readonly env: Environment,
    private readonly mutex: Mutex,
    private readonly rng: Random,
    private readonly recheckUs: number,
    readonly mode: HerdMode,
    private readonly slots: readonly string[],
  ) {
    this.wakeupsBySlot = slots.map(() => 0);
  }

  /** Woken waiters of a module, summed over all wake-ups. */
  wakeups(module: string): number {
    const i = this.slots.indexOf(module);
    return i < 0 ? 0 : this.wakeupsBySlot[i];
  }

  get sleepers(): number {
    return this.sleeping.length;
  }

  sleep<R>(w: Waiter<R>): Event<R> {
    this.sleeping.push(w);
    return w.ev;
  }

  wakeAll(): void {
    if (this.sleeping.length === 0) return;
    const herd = this.rng.shuffle(this.sleeping);
    this.sleeping = [];
    this.herds++;
    const counts = this.wakeupsBySlot;
    for (let i = 0; i < herd.length; i++) counts[herd[i].slot]++;
    if (this.mode === "naive") for (const w of herd) this.env.process(this.recheckOne(w));
    else this.env.process(this.recheckBatch(herd));
  }

  private *recheckOne(w: Waiter<any>): ProcessGenerator<void> {
    const owner = {};
    yield this.mutex.lock(owner);
    yield this.env.timeout(this.recheckUs, undefined, LATE);
    if (w.wants()) w.ev.succeed(w.act());
    else this.sleeping.push(w);
    this.mutex.unlock(owner);
  }

  private *recheckBatch(herd: Array<Waiter<any>>): ProcessGenerator<void> {
    const owner = {};
    yield this.mutex.lock(owner);
    let t = this.env.now;
    // Between events nothing changes, so each module's answer is asked once per stretch:
    // 0 = not asked yet, 1 = keeps sleeping, 2 = wants to act.
    const answers = new Int8Array(this.slots.length);
    let nextEventUs = this.env.peekTime();
    for (const w of herd) {
      t += this.recheckUs;
      // Anything due by t happens before this check (checks run LATE at their instant).
      if (nextEventUs <= t) {
        yield this.env.timeout(t - this.env.now, undefined, LATE);
        nextEventUs = this.env.peekTime();
        answers.fill(0);
      }
      let answer = answers[w.slot];
      if (answer === 0) answers[w.slot] = answer = w.wants() ? 2 : 1;
      if (answer === 2) {
        if (this.env.now < t) yield this.env.timeout(t - this.env.now, undefined, LATE);
        w.ev.succeed(w.act());
        nextEventUs = this.env.peekTime();
        answers.fill(0);
      } else {
        // Nothing can observe the queue before t, so re-queueing early is exact.
        this.sleeping.push(w);
      }
    }
    if (this.env.now < t) yield this.env.timeout(t - this.env.now, undefined, LATE);
    this.mutex.unlock(owner);
  }
}
