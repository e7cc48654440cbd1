/**
 * Userspace: the coldplug trigger emits one uevent per device, phase after
 * phase; udevd hands each to a worker (forking one when none is idle, up to
 * children_max); the worker runs the rules and the kmod builtin, which for each
 * module matching the alias checks /sys/module/NAME/initstate (LIVE: skip),
 * calls finit_module and logs the outcome. systemd src/udev/udevd.c,
 * udev-builtin-kmod.c, src/shared/module-util.c; kmod libkmod-module.c.
 *
 * udevd's event timeout (udevd.c, on_event_timeout_warning / on_event_timeout):
 * the clock starts when an event is handed to a worker; at a third of
 * event_timeout udevd logs that the worker is taking a long time, at
 * event_timeout it kills the worker (SIGKILL) and drops the event. A request
 * sleeping in an interruptible wait (module_wq, a completion) ends at once; one
 * inside an uninterruptible step (a grace period, a full load) finishes it first.
 * Either way the task dies before the kmod builtin can log, so a killed request
 * leaves no line in the log and does not count in the measured span. udevd then
 * forks a new worker for the next queued event.
 */
import { Environment, Event, ProcessGenerator } from "./sim/engine";
import { Random } from "../core/random";
import { childrenMax } from "./childrenMax";
import { Kernel } from "./kernel";
import { Params } from "./params";
import { Scenario } from "./scenario";
import { Outcome, Request, Result } from "./types";

export interface DeviceEvent {
  id: number;
  deviceClass: string;
  emitUs: number;
}

/**
 * When each uevent reaches udevd: phases in order, exponential gaps within a
 * phase. One pace factor per boot (lognormal around 1, bootPaceSigma) scales the
 * gaps and the time between phases: how busy the rest of that boot keeps the
 * machine moves the whole coldplug together, which is what makes the measured
 * spans of the short cells vary from boot to boot far more than independent
 * per-event gaps could (the sum of 287 exponential gaps varies by only 6%).
 */
export function coldplugEvents(s: Scenario, p: Params, rng: Random): DeviceEvent[] {
  const pace = rng.lognormal(1, p.bootPaceSigma);
  const events: DeviceEvent[] = [];
  let t = 0;
  for (const [i, ph] of s.phases.entries()) {
    if (i > 0) t += Math.round(pace * rng.lognormal(p.phaseGapMs * 1000, p.jitterSigma));
    const n = ph.perCpu * s.cpus + ph.fixed;
    for (let k = 0; k < n; k++) {
      if (k > 0 && s.userspace === "udev") t += Math.round(pace * rng.exponential(p.triggerGapUs));
      events.push({ id: events.length, deviceClass: ph.deviceClass, emitUs: t });
    }
  }
  return events;
}

/** What udev logs: 0 and -EEXIST are "Inserted module", -EBUSY "Device or resource busy". */
export function outcomeOf(r: Result): Outcome {
  if (r === "EINTR") return "killed";
  if (r === 0 || r === "EEXIST") return "inserted";
  return r === "EBUSY" ? "ebusy" : "failed";
}

/** What udevd logged about slow events: the warnings at a third of the timeout, and the kills. */
export interface UdevdLog {
  timeoutWarnings: number;
  killedEvents: number;
  /** When the first worker was killed, seconds (null: none was). */
  firstKillSeconds: number | null;
}

export class Userspace {
  readonly requests: Request[] = [];
  private idle: Worker[] = [];
  private workers = 0;
  private nextWorkerId = 0;
  private idleSignal: Event<undefined> | null = null;
  readonly childrenMax: number;
  readonly log: UdevdLog = { timeoutWarnings: 0, killedEvents: 0, firstKillSeconds: null };
  private readonly timeoutUs: number;

  constructor(
    private readonly env: Environment,
    private readonly kernel: Kernel,
    private readonly params: Params,
    private readonly scenario: Scenario,
  ) {
    this.childrenMax = childrenMax(scenario.udevd, scenario.cpus, scenario.ramMiB);
    this.timeoutUs = Math.round(scenario.udevd.eventTimeoutS * 1e6);
  }

  start(events: DeviceEvent[]): void {
    if (this.scenario.userspace === "direct") {
      for (const e of events) this.env.process(this.direct(e));
    } else {
      this.env.process(this.udevd(events));
    }
  }

  private newRequest(module: string, e: DeviceEvent, worker: number): Request {
    const req: Request = {
      id: this.requests.length, module, eventId: e.id, deviceClass: e.deviceClass, worker,
      startUs: this.env.now, endUs: -1, result: null, outcome: null, fullLoad: false, segments: [],
    };
    this.requests.push(req);
    return req;
  }

  private eventCost(e: DeviceEvent, kind: "rule" | "dispatch", medianUs: number): number {
    return this.kernel.eventCost(e.id, kind, medianUs);
  }

  private end(req: Request, result: Result | null, outcome: Outcome): void {
    if (req.outcome !== null) throw new Error(`request ${req.id} ended twice`);
    req.result = result;
    req.outcome = outcome;
    req.endUs = this.env.now;
  }

  /** insmod-like: each event is a process calling finit_module at its time, no userspace costs. */
  private *direct(e: DeviceEvent): ProcessGenerator<void> {
    yield this.env.timeout(e.emitUs);
    for (const module of this.scenario.deviceClasses[e.deviceClass]) {
      const req = this.newRequest(module, e, -1);
      const r: Result = yield this.env.process(this.kernel.finitModule(req));
      this.end(req, r, outcomeOf(r));
    }
  }

  private *udevd(events: DeviceEvent[]): ProcessGenerator<void> {
    for (const e of events) {
      if (e.emitUs > this.env.now) yield this.env.timeout(e.emitUs - this.env.now);
      let w = this.idle.pop();
      while (!w) {
        if (this.workers < this.childrenMax) {
          yield this.env.timeout(this.kernel.draw(this.kernel.rng.udevd, this.params.workerSpawnUs));
          this.workers++;
          w = new Worker(this.nextWorkerId++, this.env, this);
        } else {
          this.idleSignal = this.env.event();
          yield this.idleSignal;
          w = this.idle.pop();
        }
      }
      yield this.env.timeout(this.eventCost(e, "dispatch", this.params.dispatchUs));
      w.assign(e);
      this.env.process(this.watchdog(w, e));
    }
  }

  /** udevd's two timers for an event handed to worker `w`: the warning at a third of the timeout, then the kill. */
  private *watchdog(w: Worker, e: DeviceEvent): ProcessGenerator<void> {
    const warnUs = Math.round(this.timeoutUs / 3);
    yield this.env.timeout(warnUs);
    if (w.event !== e) return;
    this.log.timeoutWarnings++;
    yield this.env.timeout(this.timeoutUs - warnUs);
    if (w.event !== e) return;
    this.log.killedEvents++;
    if (this.log.firstKillSeconds === null) this.log.firstKillSeconds = this.env.now / 1e6;
    w.killed = true;
    if (w.request) this.kernel.kill(w.request);
  }

  /** A killed worker's process is gone: udevd may fork another in its place. */
  private workerDied(): void {
    this.workers--;
    const s = this.idleSignal;
    this.idleSignal = null;
    if (s) s.succeed();
  }

  workerIdle(w: Worker): void {
    this.idle.push(w);
    const s = this.idleSignal;
    this.idleSignal = null;
    if (s) s.succeed();
  }

  /**
   * One event in one worker: rules, then the kmod builtin for each matching
   * module in order; then the worker is idle. A worker killed at the event
   * timeout stops at the end of whatever step it is in (see the top of this file).
   */
  *handle(w: Worker, e: DeviceEvent): ProcessGenerator<void> {
    yield this.env.timeout(this.eventCost(e, "rule", this.params.ruleUs));
    for (const module of this.scenario.deviceClasses[e.deviceClass]) {
      if (w.killed) break;
      const req = this.newRequest(module, e, w.id);
      const t = this.env.now;
      yield this.env.timeout(this.kernel.cost(req, "kmod", this.params.kmodUs));
      this.kernel.segment(req, "userspace", t);
      if (w.killed) {
        this.end(req, null, "killed");
        break;
      }
      const inst = this.kernel.find(module);
      if (inst && inst.sysfs && inst.state === "LIVE") {
        this.end(req, null, "skipped");
        continue;
      }
      w.request = req;
      const r: Result = yield this.env.process(this.kernel.finitModule(req));
      w.request = null;
      this.end(req, r, w.killed ? "killed" : outcomeOf(r));
    }
    w.done();
    if (w.killed) this.workerDied();
    else this.workerIdle(w);
  }
}

class Worker {
  /** The event it is handling (null when idle). */
  event: DeviceEvent | null = null;
  /** The request in finit_module (null outside the syscall). */
  request: Request | null = null;
  /** udevd killed it at its event's timeout. */
  killed = false;
  constructor(
    readonly id: number,
    private readonly env: Environment,
    private readonly udev: Userspace,
  ) {}

  assign(e: DeviceEvent): void {
    if (this.event) throw new Error(`worker ${this.id} given a second event`);
    this.event = e;
    // handle() is the process itself (not wrapped in another generator): every
    // resume of a generator delegating with yield* costs a resume of each level.
    this.env.process(this.udev.handle(this, e));
  }

  done(): void {
    this.event = null;
  }
}
