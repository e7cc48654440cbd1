/**
 * The kernel's module loader (v6.0 kernel/module/main.c) as processes on the
 * engine: the `modules` list with per-name states, module_mutex (FIFO), the
 * global module_wq, RCU grace periods, vmalloc held by in-flight attempts, and
 * finit_module's cost components (a)-(e). Where a duplicate is detected and what
 * it does is the policy's business (policies/); everything else is shared.
 */
import { Environment, ProcessGenerator } from "../sim/engine";
import { Completion, Mutex } from "../sim/resources";
import { Random } from "../sim/random";
import type { Decision, DuplicateCheck, Loader } from "./loader";
import { fqsDelayJiffies, jiffyUs, Params } from "./params";
import type { Policy } from "./policies/policy";
import { ModuleSpec, Scenario } from "./scenario";
import { ModuleInstance, ModuleState, Request, Result, SegmentKind } from "./types";
import { HerdMode, ModuleWaitQueue } from "./wq";

/**
 * One random stream per source of randomness, all fixed by the boot's seed. Kept
 * apart so that a parameter that changes one source (say, the grace-period
 * length) leaves the draws of the others where they were: calibration's common
 * random numbers then compare candidates on truly the same boots.
 */
export interface BootStreams {
  coldplug: Random;
  background: Random;
  cost: Random;
  gracePeriod: Random;
  herd: Random;
}

export function bootStreams(seedText: string): BootStreams {
  const s = (name: string) => new Random(`${seedText}:${name}`);
  return { coldplug: s("coldplug"), background: s("background"), cost: s("cost"), gracePeriod: s("gracePeriod"), herd: s("herd") };
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
  }

  module(name: string): ModuleSpec {
    return this.scenario.modules[name];
  }

  find(name: string): ModuleInstance | undefined {
    return this.list.get(name);
  }

  /** One cost draw: lognormal around the median, whole microseconds. */
  cost(medianUs: number): number {
    return Math.max(0, Math.round(this.rng.cost.lognormal(medianUs, this.params.jitterSigma)));
  }

  /**
   * One synchronize_rcu(). It returns after a full grace period that started
   * after the call (rcu_seq_snap() in kernel/rcu/tree.c); during coldplug other
   * call_rcu() users keep grace periods running back to back, so the caller first
   * waits out the one in progress (a uniform fraction of a grace period), then a
   * whole one. A grace period is the first FQS wait, jiffies_till_first_fqs =
   * 1 + nr_cpu_ids/256 jiffies at HZ=250, which scales with the CPU count, plus
   * a CPU- and HZ-independent rest (rcuGpExtraMs, lognormal): see params.ts.
   */
  gracePeriodUs(): number {
    const residual = this.rng.gracePeriod.uniform() * this.oneGracePeriodUs();
    return Math.round(residual + this.oneGracePeriodUs());
  }

  private oneGracePeriodUs(): number {
    const jiffy = jiffyUs(this.scenario.hz);
    return fqsDelayJiffies(this.scenario.cpus, this.scenario.hz) * jiffy + this.rng.gracePeriod.lognormal(this.params.rcuGpExtraMs * 1000, this.params.rcuSigma);
  }

  segment(req: Request, kind: SegmentKind, startUs: number): void {
    if (this.logSegments && this.env.now > startUs) req.segments.push({ kind, startUs, endUs: this.env.now });
  }

  /** A short critical section under module_mutex; `fn` runs at its end. */
  *locked<T>(fn: () => T, holdUs = this.cost(this.params.mutexOpUs)): ProcessGenerator<T> {
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
    const d = yield* this.locked(() => this.apply(req, first(this.find(req.module))));
    if (d !== "sleep") return d as "leader" | Result;
    return yield this.wq.sleep<"leader" | Result>({
      module: req.module,
      slot: this.slots.indexOf(req.module),
      wants: () => recheck(this.find(req.module)) !== "sleep",
      act: () => this.apply(req, recheck(this.find(req.module))) as "leader" | Result,
      ev: this.env.event(),
    });
  }

  completion<T>(): Completion<T> {
    return new Completion<T>(this.env);
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
    yield this.env.timeout(this.cost(this.params.readUs));
    this.holdVmalloc(req, spec.fileBytes);
    this.segment(req, "read", t);

    t = this.env.now;
    const named = this.policy.afterName ? yield* this.policy.afterName(this, req) : null;
    this.segment(req, "wait", t);
    if (named !== null) return this.done(req, named);

    t = this.env.now;
    yield this.env.timeout(this.cost(this.params.layoutUs));
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
    yield this.env.timeout(this.cost(this.params.formationUs));
    // complete_formation(): state COMING under module_mutex; mod_sysfs_setup follows.
    yield* this.locked(() => this.setState(inst, "COMING"));
    inst.sysfs = true;
    this.segment(req, "formation", t);

    t = this.env.now;
    yield this.env.timeout(Math.round(spec.initLatencyMs * 1000));
    this.segment(req, "init", t);

    if (spec.initResult === "success") {
      this.setState(inst, "LIVE");
      t = this.env.now;
      yield* this.locked(() => undefined);
      this.freeVmalloc(req);
      this.segment(req, "teardown", t);
      this.wq.wakeAll();
      return 0;
    }

    // do_init_module() failure path.
    this.setState(inst, "GOING");
    t = this.env.now;
    yield this.env.timeout(this.gracePeriodUs());
    this.segment(req, "gracePeriod", t);
    t = this.env.now;
    yield this.env.timeout(this.cost(this.params.teardownUs));
    inst.sysfs = false;
    // free_module(): back to UNFORMED while still listed, then unlink and wait
    // for a grace period with module_mutex held.
    yield* this.locked(() => this.setState(inst, "UNFORMED"));
    this.segment(req, "teardown", t);
    t = this.env.now;
    const owner = {};
    yield this.mutex.lock(owner);
    this.segment(req, "mutexWait", t);
    t = this.env.now;
    yield this.env.timeout(this.cost(this.params.mutexOpUs));
    this.list.delete(req.module);
    this.segment(req, "teardown", t);
    t = this.env.now;
    yield this.env.timeout(this.gracePeriodUs());
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
    yield* this.locked(() => undefined);
    this.wq.wakeAll();
  }
}
