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

/** A one-shot completion (kernel `struct completion` used with complete_all). */
export class Completion<T> {
  private readonly ev: Event<T>;
  constructor(env: Environment) {
    this.ev = env.event<T>();
  }
  wait(): Event<T> {
    return this.ev;
  }
  complete(value: T): void {
    this.ev.succeed(value);
  }
}
