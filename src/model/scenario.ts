/**
 * Scenarios are data: the machine, the device phases the coldplug trigger
 * emits, which modules each device class's alias matches (in load order), and
 * each module's image size and init behaviour. New drivers or machines are new
 * scenario objects, never special cases in the model.
 */
import { checkInteger, checkKeyword, checkNumber, invalid, UserError } from "../errors";
import { maxCpus, maxInitLatencyMs } from "./limits";

export const errnos = ["EEXIST", "ENODEV", "EBUSY", "EINVAL", "EIO"] as const;
export type Errno = (typeof errnos)[number];

export interface ModuleSpec {
  /** Size of the .ko read by finit_module (a). */
  fileBytes: number;
  /** Size of the laid-out module image (b). */
  imageBytes: number;
  /** (d) time the init call runs before returning. */
  initLatencyMs: number;
  /** What init returns: success (0) or a failure. */
  initResult: "success" | "fail";
  /** The errno a failing init returns. */
  initErrno: Errno;
}

export interface Phase {
  deviceClass: string;
  /** Devices in this phase = perCpu x CPUs + fixed. */
  perCpu: number;
  fixed: number;
}

/**
 * The udevd that runs coldplug: its version decides children_max
 * (udevd/childrenMax.ts), and a worker whose event runs longer than
 * eventTimeoutS is killed (udevd.c, event_timeout, default 180 s).
 */
export interface UdevdConfig {
  /** systemd's version number (234 for SLES 15, 251 for the seed's Tumbleweed 20220829). */
  systemd: number;
  /** udev.event_timeout= / event_timeout in udev.conf; the warning comes at a third of it. */
  eventTimeoutS: number;
}

/** The udevd a scenario gets when its file names none: the seed's (systemd 251, the default 180 s timeout). */
export const defaultUdevd: UdevdConfig = { systemd: 251, eventTimeoutS: 180 };

export interface Scenario {
  name: string;
  description: string;
  cpus: number;
  /**
   * nr_cpu_ids: the possible CPUs (cpu_possible_mask), which RCU's FQS delay
   * counts; at least `cpus`. Absent: every possible CPU is online (nr_cpu_ids =
   * cpus). A scenario at another CPU count (withCpus) drops it.
   */
  possibleCpus?: number;
  ramMiB: number;
  /** CONFIG_HZ: the jiffy that RCU's force-quiescent-state delays are counted in. */
  hz: number;
  /**
   * "udev": events go through udevd's worker pool and kmod (initstate check).
   * "direct": each event is one process calling finit_module at once (insmod,
   * the kselftest), with no userspace costs.
   */
  userspace: "udev" | "direct";
  /** Emitted in this order, each phase after the previous one. */
  phases: Phase[];
  /** Device class -> modules whose alias matches it, in the order kmod loads them. */
  deviceClasses: Record<string, string[]>;
  modules: Record<string, ModuleSpec>;
  /** Whether other drivers load (and wake module_wq) during coldplug. */
  background: boolean;
  /** The udevd of "udev" scenarios (ignored for "direct" ones). */
  udevd: UdevdConfig;
}

/** nr_cpu_ids of a scenario. */
export function nrCpuIds(s: Scenario): number {
  return s.possibleCpus ?? s.cpus;
}

export { maxCpus } from "./limits";

/** The oldest systemd whose udevd the model knows (children_max: udevd/childrenMax.ts). */
export const minSystemd = 209;
/** The longest event timeout accepted: a day. */
export const maxEventTimeoutS = 86_400;

/** The CONFIG_HZ choices of kernel/Kconfig.hz. */
export const allowedHz = [100, 250, 300, 1000] as const;

/**
 * The kselftest from the merge patch v3: four simultaneous loads of one module
 * whose init sleeps for 1000 ms and then returns 0 or -ENODEV.
 */
export function kselftestScenario(initResult: "success" | "fail"): Scenario {
  return {
    name: `kselftest-${initResult}`,
    description: "4 simultaneous finit_module calls of one module whose init takes 1000 ms",
    cpus: 4,
    ramMiB: 8192,
    hz: 250,
    userspace: "direct",
    phases: [{ deviceClass: "test", perCpu: 0, fixed: 4 }],
    deviceClasses: { test: ["test_module"] },
    modules: {
      test_module: { fileBytes: 20_000, imageBytes: 16_000, initLatencyMs: 1000, initResult, initErrno: "ENODEV" },
    },
    background: false,
    udevd: defaultUdevd,
  };
}

/** An EDAC-like driver on every CPU device whose init probes hardware for 500 ms, then fails. */
export function edacScenario(cpus = 288): Scenario {
  return {
    name: "edac",
    description: "one exclusive driver per CPU device whose init probes for 500 ms and fails with -ENODEV",
    cpus,
    ramMiB: 1024 * 1024,
    hz: 250,
    userspace: "udev",
    phases: [{ deviceClass: "cpu", perCpu: 1, fixed: 0 }],
    deviceClasses: { cpu: ["edac_like"] },
    modules: { edac_like: { fileBytes: 80_000, imageBytes: 60_000, initLatencyMs: 500, initResult: "fail", initErrno: "ENODEV" } },
    background: true,
    udevd: defaultUdevd,
  };
}

/** The same scenario with every module's init latency and/or result replaced. */
export function withInit(s: Scenario, init: { initLatencyMs?: number; initResult?: "success" | "fail" }): Scenario {
  const modules: Record<string, ModuleSpec> = {};
  for (const [name, m] of Object.entries(s.modules)) modules[name] = { ...m, ...definedOnly(init) };
  return { ...s, modules };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export function withCpus(s: Scenario, cpus: number): Scenario {
  const { possibleCpus: _dropped, ...rest } = s;
  return { ...rest, cpus: checkInteger("cpus", cpus, 1, maxCpus) };
}

/** A module name goes into CSV cells (quoted where needed) and log lines: 1-256 characters, none a control character (no line breaks). */
export const isModuleName = (name: unknown): boolean => typeof name === "string" && name.length >= 1 && name.length <= 256 && !/[\u0000-\u001f\u007f]/.test(name);
export const moduleNameRule = "a module name of 1-256 characters without control characters";

/** Structural checks, so a hand-written scenario fails with a named field, not a crash mid-run. */
export function validateScenario(s: Scenario): Scenario {
  checkInteger("scenario.cpus", s.cpus, 1, maxCpus);
  if (s.possibleCpus !== undefined) checkInteger("scenario.possibleCpus", s.possibleCpus, s.cpus, maxCpus);
  checkInteger("scenario.ramMiB", s.ramMiB, 1, 1 << 30);
  checkInteger("scenario.udevd.systemd", s.udevd.systemd, minSystemd, 999);
  checkNumber("scenario.udevd.eventTimeoutS", s.udevd.eventTimeoutS, 1, maxEventTimeoutS);
  if (!(allowedHz as readonly number[]).includes(s.hz)) throw invalid("scenario.hz", s.hz, allowedHz.join("|"));
  checkKeyword("scenario.userspace", s.userspace, ["udev", "direct"] as const);
  if (s.phases.length === 0) throw new UserError("invalid scenario.phases: [] (allowed: at least one phase)");
  for (const [i, ph] of s.phases.entries()) {
    if (!(ph.deviceClass in s.deviceClasses)) {
      throw new UserError(`invalid scenario.phases[${i}].deviceClass: ${ph.deviceClass} (allowed ${Object.keys(s.deviceClasses).join("|")})`);
    }
    checkNumber(`scenario.phases[${i}].perCpu`, ph.perCpu, 0, 64, { integer: true });
    checkNumber(`scenario.phases[${i}].fixed`, ph.fixed, 0, 1_000_000, { integer: true });
  }
  for (const [cls, mods] of Object.entries(s.deviceClasses)) {
    for (const m of mods) if (!(m in s.modules)) throw new UserError(`invalid scenario.deviceClasses.${cls}: ${m} (allowed ${Object.keys(s.modules).join("|")})`);
  }
  for (const [name, m] of Object.entries(s.modules)) {
    // Quoted and shortened: the name may hold a line break or be megabytes long.
    if (!isModuleName(name)) throw invalid("scenario.modules", JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}...` : name), moduleNameRule);
    checkInteger(`scenario.modules.${name}.fileBytes`, m.fileBytes, 1, 1 << 30);
    checkInteger(`scenario.modules.${name}.imageBytes`, m.imageBytes, 1, 1 << 30);
    checkNumber(`scenario.modules.${name}.initLatencyMs`, m.initLatencyMs, 0, maxInitLatencyMs);
    checkKeyword(`scenario.modules.${name}.initResult`, m.initResult, ["success", "fail"] as const);
    checkKeyword(`scenario.modules.${name}.initErrno`, m.initErrno, errnos);
  }
  return s;
}
