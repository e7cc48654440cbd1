/**
 * A tiny discrete-event engine in the manner of SimPy's core: the environment
 * holds only the clock and a heap of scheduled events; an Event is a small state
 * machine (pending -> triggered -> processed); a Process wraps a generator and
 * is itself an Event, so a process can wait for another. Resources (locks,
 * queues) live outside, in resources.ts. Time is an integer number of
 * microseconds: no float drift.
 *
 * Waiting for time allocates nothing: `yield env.timeout(d)` schedules the
 * running process itself (see Environment.timeout), where SimPy makes a Timeout
 * event per wait. Each wait costs one heap entry either way, at the same place
 * in the queue, so every run is the same as with timeout events.
 */
import { EventHeap } from "./heap";

/** Scheduling priorities: at equal times, lower runs first. */
const NORMAL = 1;
/** Runs after every NORMAL event at the same instant (used for mutex-held checks). */
export const LATE = 2;

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;
type EventState = typeof PENDING | typeof TRIGGERED | typeof PROCESSED;

/** A misuse of the engine (a bug in the model, not bad input). */
export class SimError extends Error {}

export class Event<T = unknown> {
  readonly env: Environment;
  value: T | undefined = undefined;
  /** The small state machine in one field: pending -> triggered -> processed. */
  protected state: EventState = PENDING;
  /**
   * The processes waiting, in the order they began to: nearly every event has
   * exactly one, kept as `waiter`; a list is made only for more. An array per
   * event was the engine's largest source of garbage.
   */
  private waiter: Process<any> | null = null;
  private others: Array<Process<any>> | null = null;

  constructor(env: Environment) {
    this.env = env;
  }

  get processed(): boolean {
    return this.state === PROCESSED;
  }

  /** Resume `p` with this event's value when it is processed (after the waiters before it). Internal to the engine. */
  addWaiter(p: Process<any>): void {
    if (this.waiter === null) this.waiter = p;
    else if (this.others === null) this.others = [p];
    else this.others.push(p);
  }

  /** Trigger now; the waiters resume when the environment reaches it. */
  succeed(value?: T): this {
    if (this.state !== PENDING) throw new SimError(`event has already been triggered`);
    this.state = TRIGGERED;
    this.value = value;
    this.env.schedule(this, 0, NORMAL);
    return this;
  }

  /** The environment reached this event: mark it processed and resume its waiters. Internal to the engine. */
  fire(): void {
    this.state = PROCESSED;
    const waiter = this.waiter;
    const others = this.others;
    this.waiter = null;
    this.others = null;
    if (waiter !== null) waiter.resume(this.value);
    if (others !== null) for (let i = 0; i < others.length; i++) others[i].resume(this.value);
  }
}

/** What a process generator yields: an event to wait for. The result is the event's value. */
export type ProcessGenerator<R = unknown> = Generator<Event<any>, R, any>;

class Process<R = unknown> extends Event<R> {
  private readonly gen: ProcessGenerator<R>;

  constructor(env: Environment, gen: ProcessGenerator<R>) {
    super(env);
    this.gen = gen;
    // Start at the current instant, after what is already scheduled for it. SimPy
    // schedules an Initialize event; the process itself stands in for it, as it
    // does for its timeouts, which keeps the same place in the queue without
    // allocating an event.
    env.schedule(this, 0, NORMAL);
  }

  /** Reached while running: its start or the end of a timeout; reached once finished: its own waiters. */
  override fire(): void {
    if (this.state === PENDING) this.resume(undefined);
    else super.fire();
  }

  /** Continue the generator with `value` (what it waited for is done). Internal to the engine. */
  resume(value: unknown): void {
    const env = this.env;
    let send = value;
    for (;;) {
      env.active = this;
      const next = this.gen.next(send);
      if (next.done) {
        env.active = null;
        this.succeed(next.value);
        return;
      }
      const ev = next.value;
      if (ev === asleep) {
        // timeout() cleared `active` when it scheduled this process.
        if (env.active !== null) throw new SimError("a timeout was yielded by a process other than the one that made it");
        return;
      }
      if (env.active === null) throw new SimError("a timeout was made but not yielded at once");
      env.active = null;
      if (!ev.processed) {
        ev.addWaiter(this);
        return;
      }
      // Already processed: continue synchronously with its value.
      send = ev.value;
    }
  }
}

/** What timeout() returns: a marker the waiting process recognises, never scheduled itself. */
const asleep = new Event<undefined>(null as unknown as Environment);

export class Environment {
  private _now = 0;
  private seq = 0;
  private readonly heap = new EventHeap<Event<any>>();
  /** The process whose generator is running, until it waits for time. Internal to the engine. */
  active: Process<any> | null = null;
  /** Number of events processed (for benchmarks and invariants). */
  eventsProcessed = 0;

  get now(): number {
    return this._now;
  }

  /** Put `ev` in the queue `delayUs` from now. Internal to the engine. */
  schedule(ev: Event<any>, delayUs: number, priority: number): void {
    this.heap.push(this._now + delayUs, priority, this.seq++, ev);
  }

  /**
   * Wait `delayUs`: only as `yield env.timeout(delayUs)`, at once, in the running
   * process. The process itself is scheduled (now, not at the yield: nothing can
   * happen in between), so no event is made.
   */
  timeout(delayUs: number, priority = NORMAL): Event<undefined> {
    const p = this.active;
    if (p === null) throw new SimError("timeout() outside a running process, or twice before a yield");
    if (!Number.isInteger(delayUs) || delayUs < 0) throw new SimError(`negative or fractional delay ${delayUs}`);
    this.active = null;
    this.heap.push(this._now + delayUs, priority, this.seq++, p);
    return asleep;
  }

  event<T = unknown>(): Event<T> {
    return new Event<T>(this);
  }

  process<R>(gen: ProcessGenerator<R>): Event<R> {
    return new Process<R>(this, gen);
  }

  /** Time of the next scheduled event (Infinity when none). */
  peekTime(): number {
    return this.heap.peekTime();
  }

  /** Run until no events remain. */
  run(): void {
    const heap = this.heap;
    while (heap.size > 0) {
      const item = heap.pop();
      const time = heap.poppedTime;
      if (time < this._now) throw new SimError(`time went backwards: ${time} < ${this._now}`);
      this._now = time;
      this.eventsProcessed++;
      item.fire();
    }
  }
}
