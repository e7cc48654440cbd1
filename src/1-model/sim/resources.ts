/**
 * Resources built from events, outside the loop: the engine never knows they
 * exist. A request is an Event that is triggered when the resource grants it.
 */
import { Environment, Event, SimError } from "./engine";

/** A capacity-1 lock granted strictly first-come, first-served. */
export class Mutex {
  private readonly env: Environment;
  private holder: object | null = null;
  /**
   * Waiters in arrival order from `head` on, as two parallel lists (no record per
   * request); the consumed prefix is dropped once it is half the list.
   */
  private owners: object[] = [];
  private events: Array<Event<undefined>> = [];
  private head = 0;
  /** When tracing, every hold as [startUs, endUs] (for invariant checks and timelines). */
  readonly holds: Array<[number, number]> | null;
  private heldSince = 0;

  constructor(env: Environment, opts: { trace?: boolean } = {}) {
    this.env = env;
    this.holds = opts.trace ? [] : null;
  }

  lock(owner: object): Event<undefined> {
    const ev = new Event<undefined>(this.env);
    if (this.holder === null) this.grant(owner, ev);
    else {
      this.owners.push(owner);
      this.events.push(ev);
    }
    return ev;
  }

  unlock(owner: object): void {
    if (this.holder !== owner) throw new SimError("mutex released by a non-holder");
    this.holder = null;
    this.holds?.push([this.heldSince, this.env.now]);
    if (this.head === this.owners.length) return;
    const i = this.head++;
    const next = this.owners[i];
    const ev = this.events[i];
    if (this.head === this.owners.length) {
      this.owners.length = 0;
      this.events.length = 0;
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.owners.length) {
      this.owners = this.owners.slice(this.head);
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
    this.grant(next, ev);
  }

  private grant(owner: object, ev: Event<undefined>): void {
    if (this.holder !== null) throw new SimError("mutex granted while held");
    this.holder = owner;
    this.heldSince = this.env.now;
    ev.succeed();
  }
}

/**
 * A one-shot completion (kernel `struct completion` used with complete_all).
 * Each wait() is its own event, so one waiter can be let go early (cancel) while
 * the others keep waiting.
 */
export class Completion<T> {
  private readonly env: Environment;
  private waiters: Array<Event<T>> = [];
  private done = false;
  private value: T | undefined = undefined;
  constructor(env: Environment) {
    this.env = env;
  }
  wait(): Event<T> {
    const ev = new Event<T>(this.env);
    if (this.done) ev.succeed(this.value);
    else this.waiters.push(ev);
    return ev;
  }
  /** Stop waiting with `ev` (it is never triggered by complete()); false if it was not waiting. */
  cancel(ev: Event<T>): boolean {
    const i = this.waiters.indexOf(ev);
    if (i < 0) return false;
    this.waiters.splice(i, 1);
    return true;
  }
  complete(value: T): void {
    if (this.done) throw new SimError("completion completed twice");
    this.done = true;
    this.value = value;
    const ws = this.waiters;
    this.waiters = [];
    for (const ev of ws) ev.succeed(value);
  }
}
