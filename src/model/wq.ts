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
  /** Pure: would this waiter stop sleeping given the state right now? */
  wants(): boolean;
  /** Called only when wants() holds, at the check's instant: act (e.g. insert itself) and return the result. */
  act(): R;
  /** Triggered with act()'s result. */
  ev: Event<R>;
}

export type HerdMode = "naive" | "batched";

export class ModuleWaitQueue {
  private sleeping: Array<Waiter<any>> = [];
  /** Woken waiters per module, summed over all wake-ups. */
  readonly wakeups = new Map<string, number>();
  herds = 0;

  constructor(
    private readonly env: Environment,
    private readonly mutex: Mutex,
    private readonly rng: Random,
    private readonly recheckUs: number,
    readonly mode: HerdMode,
  ) {}

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
    for (const w of herd) this.wakeups.set(w.module, (this.wakeups.get(w.module) ?? 0) + 1);
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
    for (const w of herd) {
      t += this.recheckUs;
      // Anything due by t happens before this check (checks run LATE at their instant).
      if (this.env.hasEventBy(t)) yield this.env.timeout(t - this.env.now, undefined, LATE);
      if (w.wants()) {
        if (this.env.now < t) yield this.env.timeout(t - this.env.now, undefined, LATE);
        w.ev.succeed(w.act());
      } else {
        // Nothing can observe the queue before t, so re-queueing early is exact.
        this.sleeping.push(w);
      }
    }
    if (this.env.now < t) yield this.env.timeout(t - this.env.now, undefined, LATE);
    this.mutex.unlock(owner);
  }
}
