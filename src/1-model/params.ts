/**
 * Every tunable number of the model, with its unit, allowed range and a default.
 * Defaults are physically plausible estimates ([est]); calibration
 * (data/studies/pavlu-2022-10-15/calibration.json) replaces the free ones. Structural facts taken
 * from the sources (alias tables, the children_max formula, which steps hold
 * module_mutex) are code or scenario data, not parameters.
 */
import * as v from "valibot";
import { checkNumber, UserError } from "../core/errors";
import { displayPath } from "../core/paths";
import { isObject, num, obj, parseWith } from "../core/schema/issues";
import { readJsonText } from "../core/schema/readJson";

export interface ParamSpec {
  default: number;
  min: number;
  max: number;
  unit: string;
  doc: string;
  /** The measurement that would pin it down where the spans alone cannot (a fit that runs to a bound says so). */
  pinnedBy: string;
  integer?: boolean;
}

export const paramSpecs = {
  // --- userspace: coldplug trigger, udevd, kmod ---
  triggerGapUs: {
    default: 6000, min: 0, max: 1_000_000, unit: "us", integer: true,
    doc: "Mean spacing between consecutive uevents of one phase as udevd receives them (udevadm trigger writes, kernel uevent, netlink) [est].",
    pinnedBy: "udevd's debug log of the same boots: the spacing of the uevents of one phase as they are queued (\"seq N queued\" lines); or more boots of a configuration whose span is the arrival window (merge, idempotent).",
  },
  phaseGapMs: {
    default: 2900, min: 0, max: 600_000, unit: "ms", integer: true,
    doc: "Time between the end of one device phase and the start of the next: the other subsystems' devices enumerated in between [est].",
    pinnedBy: "the time between the last uevent of one device phase and the first of the next in udevd's debug log (or udevadm monitor --kernel timestamps).",
  },
  workerSpawnUs: {
    default: 2000, min: 0, max: 1_000_000, unit: "us", integer: true,
    doc: "udevd main loop cost of forking a new worker when none is idle [est].",
    pinnedBy: "udevd's debug log: when each worker is forked against the event it then serves.",
  },
  dispatchUs: {
    default: 50, min: 0, max: 100_000, unit: "us", integer: true,
    doc: "udevd main loop cost of handing one event to an idle worker [est].",
    pinnedBy: "udevd's debug log: the time from an event being queued to an idle worker processing it.",
  },
  ruleUs: {
    default: 3000, min: 0, max: 10_000_000, unit: "us", integer: true,
    doc: "Worker cost of running the rules for one event before the kmod builtin [est].",
    pinnedBy: "udevd's debug log: the time from a worker processing an event to the kmod builtin's line for it.",
  },
  kmodUs: {
    default: 300, min: 0, max: 1_000_000, unit: "us", integer: true,
    doc: "kmod cost per module: alias resolution, /sys/module/NAME/initstate read, opening the .ko [est].",
    pinnedBy: "strace -T (or perf trace) of the kmod builtin's calls for one event.",
  },
  // --- kernel: finit_module cost components ---
  readUs: {
    default: 400, min: 0, max: 1_000_000, unit: "us", integer: true,
    doc: "(a) read the file into a vmalloc buffer, ELF and signature checks [est].",
    pinnedBy: "ftrace function_graph of one finit_module: its kernel_read_file part.",
  },
  layoutUs: {
    default: 300, min: 0, max: 1_000_000, unit: "us", integer: true,
    doc: "(b) layout_and_allocate: vmalloc and copy of the module image [est].",
    pinnedBy: "ftrace function_graph of one finit_module: its layout_and_allocate part.",
  },
  formationUs: {
    default: 1500, min: 0, max: 10_000_000, unit: "us", integer: true,
    doc: "(c) leader only: percpu, relocations, notifiers, sysfs, outside module_mutex [est].",
    pinnedBy: "ftrace function_graph of one leader load, from layout_and_allocate to do_init_module.",
  },
  teardownUs: {
    default: 1500, min: 0, max: 10_000_000, unit: "us", integer: true,
    doc: "(e) failure teardown work outside grace periods: notifiers, sysfs teardown, freeing [est].",
    pinnedBy: "ftrace function_graph of one failing load's teardown, outside its synchronize_rcu() calls.",
  },
  mutexOpUs: {
    default: 20, min: 0, max: 100_000, unit: "us", integer: true,
    doc: "One short module_mutex critical section (list add, state change, unlink without its grace period) [est].",
    pinnedBy: "module_mutex hold times (CONFIG_LOCK_STAT, /proc/lock_stat) during coldplug.",
  },
  herdRecheckUs: {
    default: 8, min: 0, max: 100_000, unit: "us", integer: true,
    doc: "One woken waiter re-checking its condition under module_mutex (wake-up, lock handoff across CPUs, list walk) [est].",
    pinnedBy: "module_mutex hold times under base (CONFIG_LOCK_STAT), or base boots at a second CPU count: the herd and the grace periods grow differently with CPUs.",
  },
  rcuGpExtraMs: {
    default: 12, min: 0, max: 1000, unit: "ms",
    doc: "Median time a grace period lasts beyond its first force-quiescent-state wait: CPUs busy in long kernel sections during coldplug (module loading, udev work) reporting their quiescent state late, the GP kthread's wake-up, callback invocation. Independent of the CPU count and of HZ [est; mechanism src: kernel/rcu/tree.c rcu_gp_kthread; HZ-independence: the 192-CPU HZ=1000 measurement, notebook 03].",
    pinnedBy: "grace-period lengths during coldplug (the rcu_grace_period tracepoint), or base boots at a second CPU count: only the FQS wait grows with CPUs.",
  },
  fqsRounds: {
    default: 1, min: 1, max: 2, unit: "FQS scans", integer: true,
    doc: "Force-quiescent-state waits per grace period: a structural choice, not fitted. rcu_gp_fqs_loop's first scan (force_qs_rnp(dyntick_save_progress_counter)) reports every CPU that is dyntick-idle at that moment; a CPU that was busy then and has not passed a quiescent state of its own is reported only by a later scan (rcu_implicit_dynticks_qs) after another jiffies_till_next_fqs. So a grace period takes one FQS wait when the CPUs are idle or report by themselves (1), two when some CPU is busy in the kernel across the first scan, as during coldplug's module loads (2) [src: kernel/rcu/tree.c rcu_gp_fqs_loop, rcu_gp_fqs, v5.3 and v6.0].",
    pinnedBy: "grace-period lengths during coldplug (the rcu_grace_period tracepoint's \"fqswait\" events), or base boots at a second CPU count whose first FQS delay differs (nr_cpu_ids across a multiple of 256).",
  },
  rcuRestScaling: {
    default: 0, min: 0, max: 1, unit: "choice", integer: true,
    doc: "Whether the rest of a grace period (rcuGpExtraMs) grows with the machine: 0, it does not (the GP kthread's wake-up and callback invocation); 1, it is the wait for the slowest of nr_cpu_ids CPUs busy in a long kernel section to report, which grows like ln(nr_cpu_ids) (rcuGpExtraMs is then its value at 256 CPUs). A structural choice, not fitted [mechanism src: kernel/rcu/tree.c rcu_report_qs_rnp; its size: est].",
    pinnedBy: "grace-period lengths during coldplug on two machines of different size (the rcu_grace_period tracepoint).",
  },
  rcuBootSigma: {
    default: 0.02, min: 0, max: 1, unit: "lognormal sigma",
    doc: "Boot-to-boot variation of the rest of a grace period: one factor per boot, drawn around 1, multiplies rcuGpExtraMs in every grace period of that boot (how much other RCU work and how many CPUs busy in the kernel that boot has). Each grace period's own spread (rcuSigma) averages out over the thousands a base burst waits for; this does not [est].",
    pinnedBy: "more base boots (five or more): the boot-to-boot spread of the base cells, which the grace periods dominate, is what sets it.",
  },
  rcuSigma: {
    default: 0.25, min: 0, max: 2, unit: "lognormal sigma",
    doc: "Spread of the CPU-independent part of a grace period [est].",
    pinnedBy: "the spread of grace-period lengths during coldplug (the rcu_grace_period tracepoint).",
  },
  jitterSigma: {
    default: 0.3, min: 0, max: 2, unit: "lognormal sigma",
    doc: "Spread of every other cost draw around its median; 0 turns jitter off [est].",
    pinnedBy: "the per-attempt times of the same boots (modburst measure --events): the spread of the gaps between consecutive failing loads under base.",
  },
  // --- other drivers loading during coldplug ---
  bgWakeupsPerS: {
    default: 30, min: 0, max: 100_000, unit: "1/s",
    doc: "Rate, at the first uevent, of other modules' loads completing; each holds module_mutex and calls wake_up_all(&module_wq) [est].",
    pinnedBy: "the other modules' load lines in the same udevd debug logs: how many finish per second at the start of coldplug; or boots of revert, whose span depends on them.",
  },
  bgDecayS: {
    default: 2.5, min: 0.01, max: 3600, unit: "s",
    doc: "Time constant of the exponential decay of that rate: most drivers load early in coldplug, few late (rate(t) = bgWakeupsPerS x exp(-t / bgDecayS)) [est].",
    pinnedBy: "the other modules' load lines in the same udevd debug logs: how fast their rate falls during coldplug; or boots of revert, whose late-phase span depends on it.",
  },
  // --- the boot as a whole ---
  bootPaceSigma: {
    default: 0.1, min: 0, max: 1, unit: "lognormal sigma",
    doc: "Boot-to-boot variation of the coldplug pace: one factor per boot, drawn around 1, multiplies the uevent spacing and the gap between device phases (how busy the rest of that boot keeps the machine) [est].",
    pinnedBy: "more boots of each configuration (five or more): the boot-to-boot spread of each span is what sets it.",
  },
} satisfies Record<string, ParamSpec>;

export type ParamName = keyof typeof paramSpecs;
export type Params = Record<ParamName, number>;

export const paramNames = Object.keys(paramSpecs) as ParamName[];

export function defaultParams(): Params {
  const p = {} as Params;
  for (const k of paramNames) p[k] = paramSpecs[k].default;
  return p;
}

function range(k: ParamName): [number, number, boolean] {
  const s: ParamSpec = paramSpecs[k];
  return [s.min, s.max, s.integer === true];
}

/** Check one value against its spec; `invalid params.readUs: -1 (allowed integer 0..1000000)`. */
export function checkParam(name: string, value: unknown, prefix = "params."): number {
  if (!(paramNames as string[]).includes(name)) {
    throw new UserError(`invalid ${prefix}${name}: unknown parameter (allowed ${paramNames.join(", ")})`);
  }
  const [min, max, integer] = range(name as ParamName);
  return checkNumber(`${prefix}${name}`, value, min, max, { integer });
}

/** Defaults overridden by a partial set; every key and value is validated. */
export function withParams(overrides: Record<string, unknown>, base: Params = defaultParams()): Params {
  const p = { ...base };
  for (const [k, v] of Object.entries(overrides)) p[k as ParamName] = checkParam(k, v);
  return p;
}

/** Every parameter, each in its range: built from paramSpecs, so the table is the one statement of a range. */
export const paramsSchema = obj(Object.fromEntries(paramNames.map((k) => [k, num(paramSpecs[k].min, paramSpecs[k].max, { integer: (paramSpecs[k] as ParamSpec).integer })])) as Record<ParamName, ReturnType<typeof num>>);
/** A params file's values: any of the parameters, under "params" (a flat file is read as if it were). */
const paramsFileSchema = obj({ params: v.partial(paramsSchema) });

/**
 * Parameter values from a parsed params file: a flat {name: value} object or
 * {"params": {...}}, either possibly partial (the rest are the defaults). A whole
 * calibration record is checked by readParamsOrCalibration (src/3-experiments/calibrate).
 */
export function paramsFromJson(json: unknown, file: string): Params {
  if (isObject(json) && "machine" in json && "modules" in json) {
    throw new UserError(`invalid params file: ${displayPath(file)}: a scenario file, not parameter values (allowed: a JSON object of parameter values or a calibration record; a scenario goes to --scenario)`);
  }
  const values = parseWith(paramsFileSchema, isObject(json) && "params" in json ? json : { params: json }, displayPath(file)).params;
  return { ...defaultParams(), ...values };
}

/** A plain params file (see paramsFromJson). */
export function readParamsFile(file: string): Params {
  return paramsFromJson(readJsonText(file, "params file"), file);
}

/**
 * RCU's force-quiescent-state delay in jiffies (kernel/rcu/tree.c, v5.3 and v6.0,
 * rcu_init_geometry): jiffies_till_first_fqs = jiffies_till_next_fqs =
 * RCU_JIFFIES_TILL_FORCE_QS + nr_cpu_ids / RCU_JIFFIES_FQS_DIV, integer division,
 * where RCU_JIFFIES_TILL_FORCE_QS = 1 + (HZ > 250) + (HZ > 500) and
 * RCU_JIFFIES_FQS_DIV = 256 (tree.h). nr_cpu_ids counts the possible CPUs, not the
 * online ones. This and rcuRestScaling are the only parts of a grace period tied to
 * the machine's size.
 */
export function fqsDelayJiffies(nrCpuIds: number, hz: number): number {
  return 1 + (hz > 250 ? 1 : 0) + (hz > 500 ? 1 : 0) + Math.floor(nrCpuIds / 256);
}

/** One jiffy, microseconds. */
export function jiffyUs(hz: number): number {
  return 1e6 / hz;
}

/** The machine size rcuGpExtraMs is stated at when the rest scales (rcuRestScaling 1). */
export const rcuRestReferenceCpus = 256;

/** What the rest of a grace period is multiplied by on a machine of `nrCpuIds` CPUs: 1, or ln(nr_cpu_ids) / ln(256). */
export function rcuRestFactor(p: Params, nrCpuIds: number): number {
  return p.rcuRestScaling === 1 ? Math.log(Math.max(2, nrCpuIds)) / Math.log(rcuRestReferenceCpus) : 1;
}

/**
 * Ticks: a grace period starts at the GP kthread's next wake-up and its
 * callbacks run from the next tick's softirq, so each adds up to a jiffy:
 * uniformly 0-2 jiffies in all (kernel/rcu/tree.c rcu_gp_kthread, rcu_core).
 */
export const gracePeriodTickJiffies = 2;

/**
 * Median length of one grace period: fqsRounds FQS waits of d jiffies, the
 * median tick delay (one jiffy), and the rest (rcuGpExtraMs, scaled by
 * rcuRestFactor).
 */
export function gracePeriodMedianUs(p: Params, nrCpuIds: number, hz: number): number {
  const jiffy = jiffyUs(hz);
  return p.fqsRounds * fqsDelayJiffies(nrCpuIds, hz) * jiffy + (gracePeriodTickJiffies / 2) * jiffy + p.rcuGpExtraMs * 1000 * rcuRestFactor(p, nrCpuIds);
}
