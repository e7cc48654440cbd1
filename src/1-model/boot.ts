/**
 * One simulated boot: the trigger, udev and the kernel under one policy, from
 * one seed. Returns plain records: per-module summaries and, on request, every
 * request with its timeline segments.
 */
import { Environment, ProcessGenerator } from "./sim/engine";
import { Random } from "../core/random";
import { bootStreams, Kernel } from "./kernel";
import { Params } from "./params";
import { getPolicy, Policy } from "./policies";
import { Scenario, validateScenario } from "./scenario";
import { Outcome, Request } from "./types";
import { coldplugEvents, UdevdLog, Userspace } from "./udev";
import { HerdMode } from "./wq";
import { maxOf, minOf } from "../core/arrays";

export interface BootOptions {
  /** A registered policy name, or a Policy object (a new policy needs no registration to be tried). */
  policy: string | Policy;
  scenario: Scenario;
  params: Params;
  /** The run's seed; with `boot` it fixes every random draw. */
  seed: number;
  /** 1-based boot number within a run. */
  boot: number;
  herdMode?: HerdMode;
  /** Keep every request's segments (for timelines); off by default to save memory. */
  log?: boolean;
  /** Keep each module's sorted udev log times (for partial-log comparisons); off by default. */
  logTimes?: boolean;
}

export interface ModuleSummary {
  /** First to last udev log line of this module (attempts that reached finit_module), seconds. */
  spanSeconds: number;
  /** Load requests (every kmod load of this module, skipped ones included). */
  attempts: number;
  /** Requests that ran init: leaders' full loads. */
  fullLoads: number;
  outcomes: Record<Outcome, number>;
  /** Wake-ups of this module's sleepers by wake_up_all on module_wq, summed. */
  herdWakeups: number;
  /** Peak vmalloc held by this module's in-flight attempts (page-rounded), bytes. */
  peakVmallocBytes: number;
  /** First and last log time, seconds from the first uevent. */
  firstLogSeconds: number;
  lastLogSeconds: number;
  /** With `logTimes`: every logged attempt's time, ascending, seconds. */
  logSeconds?: number[];
}

export interface BootResult {
  policy: string;
  scenario: string;
  cpus: number;
  seed: number;
  boot: number;
  modules: Record<string, ModuleSummary>;
  /** When the last request ended, seconds. */
  endSeconds: number;
  peakVmallocBytes: number;
  childrenMax: number;
  /** udevd's warnings and kills at its event timeout (zero for "direct" scenarios). */
  udevd: UdevdLog;
  events: number;
  simEvents: number;
  requests?: Request[];
  /** With `log`: every module_mutex hold, [startUs, endUs]. */
  mutexHolds?: Array<[number, number]>;
}

export function bootSeed(seed: number, boot: number): string {
  return `modburst:${seed}:${boot}`;
}

/**
 * Other drivers' loads completing during coldplug, each a module_mutex hold and a
 * wake_up_all on the global module_wq. Their rate decays as coldplug works
 * through the devices (most drivers load early, few late): rate(t) =
 * bgWakeupsPerS x exp(-t / bgDecayS), a non-homogeneous Poisson process drawn by
 * inverting its cumulative rate (bgWakeupsPerS x bgDecayS loads expected in all).
 * A variant with a fresh burst at each device phase (the CPU devices' x86cpu
 * modaliases load kvm_intel and the crypto drivers) was tried: it fits revert's
 * pcc_cpufreq cell worse (2.45 s, sd 0.78, against 2.09 s, sd 0.29 measured).
 */
function* backgroundLoads(env: Environment, kernel: Kernel, rng: Random, p: Params): ProcessGenerator<void> {
  const total = p.bgWakeupsPerS * p.bgDecayS;
  let mass = 0;
  for (;;) {
    mass += rng.exponential(1);
    if (mass >= total) return;
    const atUs = Math.round(-p.bgDecayS * 1e6 * Math.log(1 - mass / total));
    if (atUs > env.now) yield env.timeout(atUs - env.now);
    env.process(kernel.backgroundLoad());
  }
}

export function simulateBoot(o: BootOptions): BootResult {
  const scenario = validateScenario(o.scenario);
  const policy = typeof o.policy === "string" ? getPolicy(o.policy) : o.policy;
  const env = new Environment();
  const rng = bootStreams(bootSeed(o.seed, o.boot));
  const kernel = new Kernel(env, rng, o.params, scenario, policy, { herdMode: o.herdMode ?? "lazy", logSegments: o.log === true });
  const udev = new Userspace(env, kernel, o.params, scenario);
  const events = coldplugEvents(scenario, o.params, rng.coldplug);
  udev.start(events);
  if (scenario.background && o.params.bgWakeupsPerS > 0) env.process(backgroundLoads(env, kernel, rng.background, o.params));
  env.run();

  const stuck = udev.requests.filter((r) => r.outcome === null);
  if (stuck.length > 0) throw new Error(`${stuck.length} requests never ended (first: ${stuck[0].module} #${stuck[0].id})`);

  const modules: Record<string, ModuleSummary> = {};
  for (const name of Object.keys(scenario.modules)) {
    const reqs = udev.requests.filter((r) => r.module === name);
    // What the kmod builtin logged: neither the skipped requests nor those whose worker udevd killed.
    const logged = reqs.filter((r) => r.outcome !== "skipped" && r.outcome !== "killed").map((r) => r.endUs);
    const first = minOf(logged, 0);
    const last = maxOf(logged, 0);
    const outcomes: Record<Outcome, number> = { inserted: 0, ebusy: 0, failed: 0, skipped: 0, killed: 0 };
    for (const r of reqs) outcomes[r.outcome as Outcome]++;
    modules[name] = {
      spanSeconds: (last - first) / 1e6,
      attempts: reqs.length,
      fullLoads: kernel.fullLoads.get(name) ?? 0,
      outcomes,
      herdWakeups: kernel.wq.wakeups(name),
      peakVmallocBytes: kernel.peakVmalloc.get(name) ?? 0,
      firstLogSeconds: first / 1e6,
      lastLogSeconds: last / 1e6,
      ...(o.logTimes ? { logSeconds: [...logged].sort((a, b) => a - b).map((us) => us / 1e6) } : {}),
    };
  }
  return {
    policy: policy.name,
    scenario: scenario.name,
    cpus: scenario.cpus,
    seed: o.seed,
    boot: o.boot,
    modules,
    endSeconds: Math.max(0, maxOf(udev.requests.map((r) => r.endUs))) / 1e6,
    peakVmallocBytes: kernel.peakVmallocTotal,
    childrenMax: udev.childrenMax,
    udevd: { ...udev.log },
    events: events.length,
    simEvents: env.eventsProcessed,
    requests: o.log ? udev.requests : undefined,
    mutexHolds: o.log ? kernel.mutex.holds ?? undefined : undefined,
  };
}
