/**
 * Userspace: the coldplug trigger emits one uevent per device, phase after
 * phase; udevd hands each to a worker (forking one when none is idle, up to
 * children_max); the worker runs the rules and the kmod builtin, which for each
 * module matching the alias checks /sys/module/NAME/initstate (LIVE: skip),
 * calls finit_module and logs the outcome. systemd src/udev/udevd.c,
 * udev-builtin-kmod.c, src/shared/module-util.c; kmod libkmod-module.c.
 */
import { Environment, Event, ProcessGenerator } from "../sim/engine";
import { Random } from "../sim/random";
import { Kernel } from "./kernel";
import { childrenMax, Params } from "./params";
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
  if (r === 0 || r === "EEXIST") return "inserted";
  return r === "EBUSY" ? "ebusy" : "failed";
}

export class Userspace {
  readonly requests: Request[] = [];
  private idle: Worker[] = [];
  private workers = 0;
  private idleSignal: Event<undefined> | null = null;
  readonly childrenMax: number;

  constructor(
    private readonly env: Environment,
    private readonly kernel: Kernel,
    private readonly params: Params,
    private readonly scenario: Scenario,
  ) {
    this.childrenMax = childrenMax(scenario.cpus, scenario.ramMiB);
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
          yield this.env.timeout(this.kernel.cost(this.params.workerSpawnUs));
          w = new Worker(this.workers++, this.env, this);
        } else {
          this.idleSignal = this.env.event();
          yield this.idleSignal;
          w = this.idle.pop();
        }
      }
      yield this.env.timeout(this.kernel.cost(this.params.dispatchUs));
      w.assign(e);
    }
  }

  workerIdle(w: Worker): void {
    this.idle.push(w);
    const s = this.idleSignal;
    this.idleSignal = null;
    if (s) s.succeed();
  }

  /** One event in one worker: rules, then the kmod builtin for each matching module in order; then the worker is idle. */
  *handle(w: Worker, e: DeviceEvent): ProcessGenerator<void> {
    yield this.env.timeout(this.kernel.cost(this.params.ruleUs));
    for (const module of this.scenario.deviceClasses[e.deviceClass]) {
      const req = this.newRequest(module, e, w.id);
      const t = this.env.now;
      yield this.env.timeout(this.kernel.cost(this.params.kmodUs));
      this.kernel.segment(req, "userspace", t);
      const inst = this.kernel.find(module);
      if (inst && inst.sysfs && inst.state === "LIVE") {
        this.end(req, null, "skipped");
        continue;
      }
      const r: Result = yield this.env.process(this.kernel.finitModule(req));
      this.end(req, r, outcomeOf(r));
    }
    w.done();
    this.workerIdle(w);
  }
}

class Worker {
  private busy = false;
  constructor(
    readonly id: number,
    private readonly env: Environment,
    private readonly udev: Userspace,
  ) {}

  assign(e: DeviceEvent): void {
    if (this.busy) throw new Error(`worker ${this.id} given a second event`);
    this.busy = true;
    // handle() is the process itself (not wrapped in another generator): every
    // resume of a generator delegating with yield* costs a resume of each level.
    this.env.process(this.udev.handle(this, e));
  }

  done(): void {
    this.busy = false;
  }
}
