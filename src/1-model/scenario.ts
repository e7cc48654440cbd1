/**
 * Scenarios are data: the machine, the device phases the coldplug trigger
 * emits, which modules each device class's alias matches (in load order), and
 * each module's image size and init behaviour. New drivers or machines are new
 * scenario objects, never special cases in the model.
 */
import * as v from "valibot";
import { checkInteger } from "../core/errors";
import { arr, bool, int, invalidAt, map, nonEmpty, num, obj, oneOf, parseWith, str } from "../core/schema/issues";
import { maxCpus, maxInitLatencyMs } from "./limits";

export const errnos = ["EEXIST", "ENODEV", "EBUSY", "EINVAL", "EIO"] as const;
export type Errno = (typeof errnos)[number];

/** The oldest systemd whose udevd the model knows (children_max: udevd/childrenMax.ts). */
export const minSystemd = 209;
/** The longest event timeout accepted: a day. */
export const maxEventTimeoutS = 86_400;

/** The CONFIG_HZ choices of kernel/Kconfig.hz. */
export const allowedHz = [100, 250, 300, 1000] as const;

const moduleSchema = obj({
  /** Size of the .ko read by finit_module (a). */
  fileBytes: int(1, 1 << 30),
  /** Size of the laid-out module image (b). */
  imageBytes: int(1, 1 << 30),
  /** (d) time the init call runs before returning. */
  initLatencyMs: num(0, maxInitLatencyMs),
  /** What init returns: success (0) or a failure, and the errno a failing init returns. */
  initResult: oneOf(["success", "fail"] as const),
  initErrno: oneOf(errnos),
});
export type ModuleSpec = v.InferOutput<typeof moduleSchema>;

/** Devices in this phase = perCpu x CPUs + fixed. */
const phaseSchema = obj({ deviceClass: nonEmpty, perCpu: int(0, 64), fixed: int(0, 1_000_000) });
export type Phase = v.InferOutput<typeof phaseSchema>;

/**
 * The udevd that runs coldplug: its version decides children_max
 * (udevd/childrenMax.ts), and a worker whose event runs longer than
 * eventTimeoutS is killed (udevd.c, event_timeout, default 180 s).
 * systemd: its version number (234 for SLES 15, 251 for the seed's Tumbleweed 20220829);
 * eventTimeoutS: udev.event_timeout= / event_timeout in udev.conf; the warning comes at a third of it.
 */
const udevdSchema = obj({ systemd: int(minSystemd, 999), eventTimeoutS: num(1, maxEventTimeoutS) });
export type UdevdConfig = v.InferOutput<typeof udevdSchema>;

/** A scenario file (data/scenarios/*.json, a study's scenario.json): the form scenarios.ts reads and writes. */
export const scenarioFileSchema = obj({
  name: nonEmpty,
  description: nonEmpty,
  notes: v.optional(arr(str)),
  source: v.optional(str),
  machine: obj({ cpus: int(1, maxCpus), possibleCpus: v.optional(int(1, maxCpus)), ramMiB: int(1, 1 << 30), hz: v.picklist(allowedHz, allowedHz.join("|")) }),
  udevd: v.optional(udevdSchema),
  userspace: oneOf(["udev", "direct"] as const),
  background: bool,
  phases: arr(phaseSchema, 1),
  deviceClasses: map(arr(nonEmpty, 1)),
  modules: map(moduleSchema),
});
export type ScenarioFile = v.InferOutput<typeof scenarioFileSchema>;

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

/** The file form of a scenario (the inverse of scenarioFromJson). */
export function scenarioToJson(s: Scenario, notes?: string[]): ScenarioFile {
  return {
    name: s.name,
    description: s.description,
    ...(notes ? { notes } : {}),
    machine: { cpus: s.cpus, ...(s.possibleCpus !== undefined ? { possibleCpus: s.possibleCpus } : {}), ramMiB: s.ramMiB, hz: s.hz as ScenarioFile["machine"]["hz"] },
    udevd: s.udevd,
    userspace: s.userspace,
    background: s.background,
    phases: s.phases,
    deviceClasses: s.deviceClasses,
    modules: s.modules,
  };
}

/**
 * A scenario file's JSON checked against its schema and across fields (every
 * phase's class and class's module exists); `where` names it in errors.
 */
export function scenarioFromJson(json: unknown, where = "scenario"): Scenario {
  const f = parseWith(scenarioFileSchema, json, where);
  const m = f.machine;
  if (m.possibleCpus !== undefined && m.possibleCpus < m.cpus) throw invalidAt(where, "machine.possibleCpus", m.possibleCpus, `integer ${m.cpus}..${maxCpus}`);
  f.phases.forEach((ph, i) => {
    if (!(ph.deviceClass in f.deviceClasses)) throw invalidAt(where, `phases[${i}].deviceClass`, ph.deviceClass, Object.keys(f.deviceClasses).join("|"));
  });
  for (const [cls, mods] of Object.entries(f.deviceClasses)) {
    if (new Set(mods).size !== mods.length) throw invalidAt(where, `deviceClasses.${cls}`, mods, "module names without repeats");
    for (const mod of mods) if (!(mod in f.modules)) throw invalidAt(where, `deviceClasses.${cls}`, mod, Object.keys(f.modules).join("|"));
  }
  // Quoted and shortened: the name may hold a line break or be megabytes long.
  for (const name of Object.keys(f.modules)) if (!isModuleName(name)) throw invalidAt(where, "modules", name, moduleNameRule);
  return {
    name: f.name,
    description: f.description,
    cpus: m.cpus,
    ...(m.possibleCpus !== undefined ? { possibleCpus: m.possibleCpus } : {}),
    ramMiB: m.ramMiB,
    hz: m.hz,
    userspace: f.userspace,
    phases: f.phases,
    deviceClasses: f.deviceClasses,
    modules: f.modules,
    background: f.background,
    udevd: f.udevd ?? defaultUdevd,
  };
}

/** Structural checks, so a scenario written in code fails with a named field, not a crash mid-run: the file's. */
export function validateScenario(s: Scenario): Scenario {
  scenarioFromJson(scenarioToJson(s));
  return s;
}
