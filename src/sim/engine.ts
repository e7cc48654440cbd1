/**
 * A tiny discrete-event engine in the manner of SimPy's core: the environment
 * holds only the clock and a heap of scheduled events; an Event is a small state
 * machine (pending -> triggered -> processed); a Timeout is an Event that
 * schedules itself; a Process wraps a generator and is itself an Event, so a
 * process can wait for another. Resources (locks, queues) live outside, in
 * resources.ts. Time is an integer number of microseconds: no float drift.
 */
import { EventHeap } from "./heap";

/** Scheduling priorities: at equal times, lower runs first. */
export const URGENT = 0;
export const NORMAL = 1;
/** Runs after every NORMAL event at the same instant (used for mutex-held checks). */
export const LATE = 2;

type Callback<T> = (ev: Event<T>) => void;

const PENDING = 0;
const TRIGGERED = 1;
const PROCESSED = 2;
type EventState = typeof PENDING | typeof TRIGGERED | typeof PROCESSED;

export class SimError extends Error {}

export class Event<T = unknown> {
  readonly env: Environment;
  value: T | undefined = undefined;
  /** The small state machine in one field: pending -> triggered -> processed. */
  protected state: EventState = PENDING;
  /**
   * Callbacks, in the order added. Nearly every event has exactly one, the
   * process waiting for it: it is kept as `waiter` (resumed directly), a first
   * plain callback as `first`, and a list is made only for more. An array per
   * event was the engine's largest source of garbage.
   */
  private waiter: Process<any> | null = null;
  private first: Callback<T> | null = null;
  private rest: Array<Callback<T>> | null = null;

  constructor(env: Environment) {
    this.env = env;
  }

  get triggered(): boolean {
    return this.state !== PENDING;
  }

  get processed(): boolean {
    return this.state === PROCESSED;
  }

  /**
   * SimPy's view: the list of callbacks, which may be appended to; null once
   * processed (callbacks added later are run at once by Process).
   */
  get callbacks(): Array<Callback<T>> | null {
    if (this.state === PROCESSED) return null;
    if (this.waiter !== null || this.first !== null || this.rest === null) {
      const list: Array<Callback<T>> = [];
      if (this.waiter !== null) list.push(this.waiter.wake);
      if (this.first !== null) list.push(this.first);
      if (this.rest !== null) for (const cb of this.rest) list.push(cb);
      this.waiter = null;
      this.first = null;
      this.rest = list;
    }
    return this.rest;
  }

  /** Run `cb` when this event is processed (after the callbacks added before it). */
  addCallback(cb: Callback<T>): void {
    if (this.state === PROCESSED) throw new SimError("event already processed");
    if (this.rest !== null) this.rest.push(cb);
    else if (this.first === null) this.first = cb;
    else {
      this.rest = [this.first, cb];
      this.first = null;
    }
  }

  /** Resume `p` with this event's value when it is processed (after the callbacks added before). */
  addWaiter(p: Process<any>): void {
    if (this.waiter === null && this.first === null && this.rest === null && this.state !== PROCESSED) this.waiter = p;
    else this.addCallback(p.wake);
  }

  /** Trigger now; callbacks run when the environment reaches it. */
  succeed(value?: T, priority = NORMAL): this {
    if (this.state !== PENDING) throw new SimError(`event has already been triggered`);
    this.state = TRIGGERED;
    this.value = value;
    this.env.schedule(this, 0, priority);
    return this;
  }

  /** The environment reached this event: mark it processed and run its callbacks. */
  fire(): void {
    this.state = PROCESSED;
    const waiter = this.waiter;
    const first = this.first;
    const rest = this.rest;
    this.waiter = null;
    this.first = null;
    this.rest = null;
    if (waiter !== null) waiter.resume(this.value);
    if (first !== null) first(this);
    if (rest !== null) for (let i = 0; i < rest.length; i++) rest[i](this);
  }
}

export class Timeout<T = unknown> extends Event<T> {
  constructor(env: Environment, delayUs: number, value?: T, priority = NORMAL) {
    super(env);
    if (!Number.isInteger(delayUs) || delayUs < 0) throw new SimError(`negative or fractional delay ${delayUs}`);
    this.state = TRIGGERED;
    this.value = value;
    env.schedule(this, delayUs, priority);
  }
}

/** What a process generator yields: an event to wait for. The result is the event's value. */
export type ProcessGenerator<R = unknown> = Generator<Event<any>, R, any>;

export class Process<R = unknown> extends Event<R> {
  private readonly gen: ProcessGenerator<R>;
  /**
   * This process as a plain callback, for an event that already has others
   * (made once, not per yield). Internal to the engine.
   */
  readonly wake: Callback<any>;
  private started = false;

  constructor(env: Environment, gen: ProcessGenerator<R>) {
    super(env);
    this.gen = gen;
    this.wake = (ev) => this.resume(ev.value);
    // Start at the current instant, after what is already scheduled for it. SimPy
    // schedules an Initialize event; the process itself stands in for it (it is
    // scheduled again, later, only when it finishes), which keeps the same place
    // in the queue without allocating an event.
    env.schedule(this, 0, NORMAL);
  }

  override fire(): void {
    if (this.started) {
      super.fire();
      return;
    }
    this.started = true;
    this.resume(undefined);
  }

  /** Continue the generator with `value` (the event it waited for was processed). Internal to the engine. */
  resume(value: unknown): void {
    let next: IteratorResult<Event<any>, R>;
    let send = value;
    for (;;) {
      next = this.gen.next(send);
      if (next.done) {
        this.succeed(next.value);
        return;
      }
      const ev = next.value;
      if (!ev.processed) {
        ev.addWaiter(this);
        return;
      }
      // Already processed: continue synchronously with its value.
      send = ev.value;
    }
  }
}

export class Environment {
  private _now = 0;
  private seq = 0;
  private readonly heap = new EventHeap<Event<any>>();
  /** Number of events processed (for benchmarks and invariants). */
  eventsProcessed = 0;

  get now(): number {
    return this._now;
  }

  schedule(ev: Event<any>, delayUs: number, priority = NORMAL): void {
    this.heap.push(this._now + delayUs, priority, this.seq++, ev);
  }

  timeout<T = undefined>(delayUs: number, value?: T, priority = NORMAL): Timeout<T> {
    return new Timeout<T>(this, delayUs, value, priority);
  }

  event<T = unknown>(): Event<T> {
    return new Event<T>(this);
  }

  process<R>(gen: ProcessGenerator<R>): Process<R> {
    return new Process<R>(this, gen);
  }

  /** Time of the next scheduled event (Infinity when none). */
  peekTime(): number {
    return this.heap.peekTime();
  }

  /** Whether some event is due at or before `timeUs` (any priority). */
  hasEventBy(timeUs: number): boolean {
    return this.heap.peekTime() <= timeUs;
  }

  step(): void {
    const heap = this.heap;
    const item = heap.pop();
    const time = heap.poppedTime;
    if (time < this._now) throw new SimError(`time went backwards: ${time} < ${this._now}`);
    this._now = time;
    this.eventsProcessed++;
    item.fire();
  }

  /** Run until no events remain or the clock would pass `untilUs`. */
  run(untilUs = Infinity): void {
    const heap = this.heap;
    if (untilUs === Infinity) while (heap.size > 0) this.step();
    else while (heap.size > 0 && heap.peekTime() <= untilUs) this.step();
  }
}
