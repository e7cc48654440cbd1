/**
 * The kernel's module loader (v6.0 kernel/module/main.c) as processes on the
 * engine: the `modules` list with per-name states, module_mutex (FIFO), the
 * global module_wq, RCU grace periods, vmalloc held by in-flight attempts, and
 * finit_module's cost components (a)-(e). Where a duplicate is detected and what
 * it does is the policy's business (policies/); everything else is shared.
 */
import { Environment, ProcessGenerator } from "./sim/engine";
import { Completion, Mutex } from "./sim/resources";
import type { Event } from "./sim/engine";
import { counterDraws, hashString, Random } from "../core/random";
import type { Decision, DuplicateCheck, Loader } from "./loader";
import { fqsDelayJiffies, gracePeriodTickJiffies, jiffyUs, Params, rcuRestFactor } from "./params";
import type { Policy } from "./policies/policy";
import { ModuleSpec, nrCpuIds, Scenario } from "./scenario";
import { ModuleInstance, ModuleState, Request, Result, SegmentKind } from "./types";
import { HerdMode, ModuleWaitQueue, Waiter } from "./wq";

/**
 * The boot-wide random streams, all fixed by the boot's seed and kept apart so
 * that a parameter that changes one source leaves the draws of the others where
 * they were. What a request or a device event costs is not drawn from these but
 * from its own streams (RequestDraws): see below.
 */
export interface BootStreams {
  /** The seed text every stream derives from. */
  seedText: string;
  coldplug: Random;
  background: Random;
  /** Other drivers' module_mutex holds. */
  backgroundCost: Random;
  /** udevd's main loop: forking a worker when none is idle (how often depends on the policy). */
  udevd: Random;
  herd: Random;
}

export function bootStreams(seedText: string): BootStreams {
  const s = (name: string) => new Random(`${seedText}:${name}`);
  return { seedText, coldplug: s("coldplug"), background: s("background"), backgroundCost: s("backgroundCost"), udevd: s("udevd"), herd: s("herd") };
}

/** The cost kinds a request or an event draws, each from its own stream. */
export const costKinds = ["rule", "dispatch", "kmod", "read", "layout", "formation", "teardown", "mutexOp", "gracePeriod"] as const;
export type CostKind = (typeof costKinds)[number];
const kindIndex = Object.fromEntries(costKinds.map((k, i) => [k, i])) as Record<CostKind, number>;

/**
 * Common random numbers across policies: every request has its own stream per
 * cost kind, derived from the boot's seed and the request's identity (its device
 * event and module), and every event one per kind for udevd's dispatch and the
 * rules. The n-th read of request R costs the same under base and merge, whether
 * or not the policy made R draw anything else first, so a comparison of two
 * policies on the same boot is paired: they differ by what they do, not by luck.
 * Only the herd's order (who wins module_mutex after a wake-up) and udevd's forks
 * stay boot-wide: they exist only in some policies' runs.
 */
export class RequestDraws {
  /** Per owner (a request's or an event's number): its key, then how many draws each kind has made. */
  private readonly byRequest = new Map<number, Uint32Array>();
  private readonly byEvent = new Map<number, Uint32Array>();
  private readonly seedKey: number;
  constructor(seedText: string) {
    this.seedKey = hashString(seedText);
  }

  /** The next uniform in [0, 1) of `req`'s stream of one kind (its identity: device event and module). */
  uniform(req: { id: number; eventId: number; module: string }, kind: CostKind): number {
    const [key, n] = this.next(this.byRequest, req.id, kind, () => `e${req.eventId}:${req.module}`);
    return counterDraws.uniform(key, n);
  }

  /** The next lognormal draw of `req`'s stream of one kind. */
  lognormal(req: { id: number; eventId: number; module: string }, kind: CostKind, median: number, sigma: number): number {
    if (sigma === 0) return median;
    const [key, n] = this.next(this.byRequest, req.id, kind, () => `e${req.eventId}:${req.module}`);
    return median * Math.exp(sigma * counterDraws.normal(key, n));
  }

  /** The next lognormal draw of device event `eventId`'s stream of one kind (udevd's dispatch, the rules). */
  eventLognormal(eventId: number, kind: CostKind, median: number, sigma: number): number {
    if (sigma === 0) return median;
    const [key, n] = this.next(this.byEvent, eventId, kind, () => `e${eventId}`);
    return median * Math.exp(sigma * counterDraws.normal(key, n));
  }

  private readonly out: [number, number] = [0, 0];

  private next(table: Map<number, Uint32Array>, owner: number, kind: CostKind, identity: () => string): [number, number] {
    let row = table.get(owner);
    if (!row) {
      row = new Uint32Array(costKinds.length + 1);
      row[0] = counterDraws.key(this.seedKey, hashString(identity()));
      table.set(owner, row);
    }
    const i = kindIndex[kind];
    this.out[0] = counterDraws.key(row[0], i);
    this.out[1] = row[i + 1]++;
    return this.out;
  }
}

const pageBytes = 4096;
const pages = (bytes: number) => Math.ceil(bytes / pageBytes) * pageBytes;

export class Kernel implements Loader {
  readonly mutex: Mutex;
  readonly wq: ModuleWaitQueue;
  private readonly list = new Map<string, ModuleInstance>();
  private readonly vmallocHeld = new Map<number, number>();
  private vmallocByModule = new Map<string, number>();
  readonly peakVmalloc = new Map<string, number>();
  peakVmallocTotal = 0;
  private vmallocTotal = 0;
  readonly fullLoads = new Map<string, number>();
  readonly logSegments: boolean;
  private readonly slots: string[];
  readonly draws: RequestDraws;
  /** Requests in an interruptible wait, and how to end it early (udevd's event timeout). */
  private readonly interruptible = new Map<number, () => void>();
  private readonly fqsJiffies: number;
  private readonly restFactor: number;

  constructor(
    readonly env: Environment,
    readonly rng: BootStreams,
    readonly params: Params,
    readonly scenario: Scenario,
    readonly policy: Policy,
    opts: { herdMode: HerdMode; logSegments: boolean },
  ) {
    this.mutex = new Mutex(env, { trace: opts.logSegments });
    this.slots = Object.keys(scenario.modules);
    this.wq = new ModuleWaitQueue(env, this.mutex, rng.herd, params.herdRecheckUs, opts.herdMode, this.slots);
    this.logSegments = opts.logSegments;
    this.draws = new RequestDraws(rng.seedText);
    this.fqsJiffies = fqsDelayJiffies(nrCpuIds(scenario), scenario.hz);
    // One factor per boot on the rest of every grace period (rcuBootSigma), drawn from its own stream.
    const bootRest = params.rcuBootSigma === 0 ? 1 : Math.exp(params.rcuBootSigma * counterDraws.normal(counterDraws.key(hashString(rng.seedText), 0x7263), 0));
    this.restFactor = rcuRestFactor(params, nrCpuIds(scenario)) * bootRest;
  }

  module(name: string): ModuleSpec {
    return this.scenario.modules[name];
  }

  find(name: string): ModuleInstance | undefined {
    return this.list.get(name);
  }

  /** One cost draw of `req`: lognormal around the median, whole microseconds. */
  cost(req: Request, kind: CostKind, medianUs: number): number {
    return Math.max(0, Math.round(this.draws.lognormal(req, kind, medianUs, this.params.jitterSigma)));
  }

  /** One cost draw of device event `eventId` (udevd's dispatch, the rules). */
  eventCost(eventId: number, kind: CostKind, medianUs: number): number {
    return Math.max(0, Math.round(this.draws.eventLognormal(eventId, kind, medianUs, this.params.jitterSigma)));
  }

  /** One cost draw from `rng`: lognormal around the median, whole microseconds. */
  draw(rng: Random, medianUs: number): number {
    return Math.max(0, Math.round(rng.lognormal(medianUs, this.params.jitterSigma)));
  }

  /**
   * One synchronize_rcu() of `req`. It returns after a full grace period that
   * started after the call (rcu_seq_snap() in kernel/rcu/tree.c); during coldplug
   * other call_rcu() users keep grace periods running back to back, so the caller
   * first waits out the one in progress (a uniform fraction of a grace period),
   * then a whole one. A grace period (params.ts, gracePeriodMedianUs): fqsRounds
   * FQS waits of d = RCU_JIFFIES_TILL_FORCE_QS + nr_cpu_ids / 256 jiffies, 0-2
   * jiffies of tick delay, and the rest (rcuGpExtraMs, lognormal, scaled with the
   * machine when rcuRestScaling is 1).
   */
  gracePeriodUs(req: Request): number {
    const residual = this.draws.uniform(req, "gracePeriod") * this.oneGracePeriodUs(req);
    return Math.round(residual + this.oneGracePeriodUs(req));
  }

  private oneGracePeriodUs(req: Request): number {
    const jiffy = jiffyUs(this.scenario.hz);
    const fqs = this.params.fqsRounds * this.fqsJiffies * jiffy;
    const ticks = this.draws.uniform(req, "gracePeriod") * gracePeriodTickJiffies * jiffy;
    return fqs + ticks + this.draws.lognormal(req, "gracePeriod", this.params.rcuGpExtraMs * 1000 * this.restFactor, this.params.rcuSigma);
  }

  segment(req: Request, kind: SegmentKind, startUs: number): void {
    if (this.logSegments && this.env.now > startUs) req.segments.push({ kind, startUs, endUs: this.env.now });
  }

  /** A short critical section of `req` under module_mutex; `fn` runs at its end. */
  *locked<T>(req: Request, fn: () => T): ProcessGenerator<T> {
    return yield* this.lockedFor(fn, this.cost(req, "mutexOp", this.params.mutexOpUs));
  }

  /** A critical section of `holdUs` under module_mutex; `fn` runs at its end. */
  *lockedFor<T>(fn: () => T, holdUs: number): ProcessGenerator<T> {
    const owner = {};
    yield this.mutex.lock(owner);
    yield this.env.timeout(holdUs);
    const v = fn();
    this.mutex.unlock(owner);
    return v;
  }

  private insert(req: Request): void {
    this.list.set(req.module, { name: req.module, state: "UNFORMED", leader: req, sysfs: false });
  }

  private apply(req: Request, d: Decision): Decision {
    if (d === "leader") this.insert(req);
    return d;
  }

  /**
   * add_unformed_module's duplicate check: decide under module_mutex; on "sleep",
   * wait on module_wq and let every wake-up re-check with `recheck` until it
   * decides otherwise. Returns "leader" (inserted as UNFORMED) or a result.
   */
  *addUnformed(req: Request, first: DuplicateCheck, recheck: DuplicateCheck = first): ProcessGenerator<"leader" | Result> {
    const d = yield* this.locked(req, () => this.apply(req, first(this.find(req.module))));
    if (d !== "sleep") return d as "leader" | Result;
    // wait_event_interruptible(module_wq, finished_loading(name)): a fatal signal ends it.
    const w: Waiter<"leader" | Result> = {
      module: req.module,
      slot: this.slots.indexOf(req.module),
      wants: () => recheck(this.find(req.module)) !== "sleep",
      act: () => {
        this.interruptible.delete(req.id);
        return this.apply(req, recheck(this.find(req.module))) as "leader" | Result;
      },
      ev: this.env.event(),
      killed: false,
      interrupted: () => {
        this.interruptible.delete(req.id);
        return "EINTR";
      },
    };
    this.interruptible.set(req.id, () => this.wq.interrupt(w));
    return yield this.wq.sleep(w);
  }

  completion<T>(): Completion<T> {
    return new Completion<T>(this.env);
  }

  waitFor<T>(req: Request, c: Completion<T>): Event<T | "EINTR"> {
    const out = this.env.event<T | "EINTR">();
    const ev = c.wait();
    const forward = this.env.process(
      (function* (k: Kernel) {
        const v: T = yield ev;
        if (k.interruptible.delete(req.id)) out.succeed(v);
      })(this),
    );
    void forward;
    this.interruptible.set(req.id, () => {
      this.interruptible.delete(req.id);
      c.cancel(ev);
      out.succeed("EINTR");
    });
    return out;
  }

  /**
   * A fatal signal for `req`'s task (udevd killed its worker): an interruptible
   * wait it is in ends now with "EINTR"; anything else it is doing in the kernel
   * (a grace period, a full load) runs to its end (synchronize_rcu() is not
   * interruptible), and the task dies on the way out.
   */
  kill(req: Request): void {
    this.interruptible.get(req.id)?.();
  }

  private holdVmalloc(req: Request, bytes: number): void {
    const b = pages(bytes);
    this.vmallocHeld.set(req.id, (this.vmallocHeld.get(req.id) ?? 0) + b);
    this.vmallocTotal += b;
    const m = (this.vmallocByModule.get(req.module) ?? 0) + b;
    this.vmallocByModule.set(req.module, m);
    if (m > (this.peakVmalloc.get(req.module) ?? 0)) this.peakVmalloc.set(req.module, m);
    if (this.vmallocTotal > this.peakVmallocTotal) this.peakVmallocTotal = this.vmallocTotal;
  }

  private freeVmalloc(req: Request): void {
    const b = this.vmallocHeld.get(req.id) ?? 0;
    this.vmallocHeld.delete(req.id);
    this.vmallocTotal -= b;
    this.vmallocByModule.set(req.module, (this.vmallocByModule.get(req.module) ?? 0) - b);
  }

  /** finit_module(): the whole syscall for one request; returns what userspace sees. */
  *finitModule(req: Request): ProcessGenerator<Result> {
    const spec = this.module(req.module);
    let t = this.env.now;
    const early = this.policy.beforeRead ? yield* this.policy.beforeRead(this, req) : null;
    this.segment(req, "wait", t);
    if (early !== null) return this.done(req, early);

    t = this.env.now;
    yield this.env.timeout(this.cost(req, "read", this.params.readUs));
    this.holdVmalloc(req, spec.fileBytes);
    this.segment(req, "read", t);

    t = this.env.now;
    const named = this.policy.afterName ? yield* this.policy.afterName(this, req) : null;
    this.segment(req, "wait", t);
    if (named !== null) return this.done(req, named);

    t = this.env.now;
    yield this.env.timeout(this.cost(req, "layout", this.params.layoutUs));
    this.holdVmalloc(req, spec.imageBytes);
    this.segment(req, "layout", t);

    t = this.env.now;
    const d = yield* this.policy.addUnformed(this, req);
    this.segment(req, "wait", t);
    if (d !== "leader") return this.done(req, d);
    return this.done(req, yield* this.leaderLoad(req, spec));
  }

  /** (c)-(e) for the request that owns the `modules` entry. */
  private *leaderLoad(req: Request, spec: ModuleSpec): ProcessGenerator<Result> {
    const inst = this.find(req.module)!;
    req.fullLoad = true;
    this.fullLoads.set(req.module, (this.fullLoads.get(req.module) ?? 0) + 1);

    let t = this.env.now;
    yield this.env.timeout(this.cost(req, "formation", this.params.formationUs));
    // complete_formation(): state COMING under module_mutex; mod_sysfs_setup follows.
    yield* this.locked(req, () => this.setState(inst, "COMING"));
    inst.sysfs = true;
    this.segment(req, "formation", t);

    t = this.env.now;
    yield this.env.timeout(Math.round(spec.initLatencyMs * 1000));
    this.segment(req, "init", t);

    if (spec.initResult === "success") {
      this.setState(inst, "LIVE");
      t = this.env.now;
      yield* this.locked(req, () => undefined);
      this.freeVmalloc(req);
      this.segment(req, "teardown", t);
      this.wq.wakeAll();
      return 0;
    }

    // do_init_module() failure path.
    this.setState(inst, "GOING");
    t = this.env.now;
    yield this.env.timeout(this.gracePeriodUs(req));
    this.segment(req, "gracePeriod", t);
    t = this.env.now;
    yield this.env.timeout(this.cost(req, "teardown", this.params.teardownUs));
    inst.sysfs = false;
    // free_module(): back to UNFORMED while still listed, then unlink and wait
    // for a grace period with module_mutex held.
    yield* this.locked(req, () => this.setState(inst, "UNFORMED"));
    this.segment(req, "teardown", t);
    t = this.env.now;
    const owner = {};
    yield this.mutex.lock(owner);
    this.segment(req, "mutexWait", t);
    t = this.env.now;
    yield this.env.timeout(this.cost(req, "mutexOp", this.params.mutexOpUs));
    this.list.delete(req.module);
    this.segment(req, "teardown", t);
    t = this.env.now;
    yield this.env.timeout(this.gracePeriodUs(req));
    this.mutex.unlock(owner);
    this.freeVmalloc(req);
    this.segment(req, "gracePeriod", t);
    this.wq.wakeAll();
    return spec.initErrno;
  }

  private setState(inst: ModuleInstance, s: ModuleState): void {
    inst.state = s;
  }

  private done(req: Request, r: Result): Result {
    this.freeVmalloc(req);
    this.policy.onDone?.(this, req, r);
    return r;
  }

  /** Another driver's load completing: a short hold of module_mutex, then wake_up_all. */
  *backgroundLoad(): ProcessGenerator<void> {
    yield* this.lockedFor(() => undefined, this.draw(this.rng.backgroundCost, this.params.mutexOpUs));
    this.wq.wakeAll();
  }
}
