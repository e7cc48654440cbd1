/**
 * Scenarios as JSON files (data/scenarios/*.json), so a new machine or driver
 * needs no code. The file is checked whole before anything runs: every unknown
 * key, missing key and bad value gets one line naming the field, e.g.
 * `invalid scenario.machine.hz: 200 (allowed 100|250|300|1000)`.
 *
 * {
 *   "name": "seed", "description": "...", "notes": ["why each number", ...],
 *   "machine": { "cpus": 288, "ramMiB": 1048576, "hz": 250 },   // optional "possibleCpus" (nr_cpu_ids)
 *   "udevd": { "systemd": 251, "eventTimeoutS": 180 },           // optional: these are the defaults
 *   "userspace": "udev",            // or "direct" (insmod-like, no udev)
 *   "background": true,             // other drivers load during coldplug
 *   "phases": [ { "deviceClass": "acpi-processor", "perCpu": 1, "fixed": 0 }, ... ],
 *   "deviceClasses": { "acpi-processor": ["acpi_cpufreq", "pcc_cpufreq"], ... },
 *   "modules": { "acpi_cpufreq": { "fileBytes": 61000, "imageBytes": 45000,
 *                "initLatencyMs": 0, "initResult": "fail", "initErrno": "EEXIST" }, ... }
 * }
 *
 * Requests per CPU of a module follow from the phases: the sum of perCpu over
 * the phases whose device class matches it (requestsPerCpu below).
 */
import { readFileCapped } from "../fsutil";
import { invalid, UserError } from "../errors";
import * as path from "path";
import { paths } from "../paths";
import { defaultUdevd, edacScenario, kselftestScenario, ModuleSpec, Phase, Scenario, UdevdConfig, validateScenario, withCpus } from "./scenario";

/** A scenario file is a few kilobytes; anything far larger is not one. */
export const maxScenarioFileBytes = 1 << 20;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Exactly these keys (optional ones may be missing); the first unknown or missing one is named. */
function keys(field: string, v: unknown, required: string[], optional: string[] = []): Json {
  if (!isObject(v)) throw invalid(field, v, "a JSON object");
  for (const k of Object.keys(v)) {
    if (!required.includes(k) && !optional.includes(k)) throw new UserError(`invalid ${field}.${k}: unknown key (allowed ${[...required, ...optional].join(", ")})`);
  }
  for (const k of required) if (!(k in v)) throw new UserError(`invalid ${field}.${k}: missing (required)`);
  return v;
}

function str(field: string, v: unknown): string {
  if (typeof v !== "string" || v === "") throw invalid(field, v, "a non-empty string");
  return v;
}

function bool(field: string, v: unknown): boolean {
  if (typeof v !== "boolean") throw invalid(field, v, "true|false");
  return v;
}

/** Numbers must be JSON numbers here: "288" in a file is a typo worth naming. */
function num(field: string, v: unknown): number {
  if (typeof v !== "number") throw invalid(field, v, "a JSON number");
  return v;
}

function moduleSpec(field: string, v: unknown): ModuleSpec {
  const o = keys(field, v, ["fileBytes", "imageBytes", "initLatencyMs", "initResult", "initErrno"]);
  return {
    fileBytes: num(`${field}.fileBytes`, o.fileBytes),
    imageBytes: num(`${field}.imageBytes`, o.imageBytes),
    initLatencyMs: num(`${field}.initLatencyMs`, o.initLatencyMs),
    initResult: str(`${field}.initResult`, o.initResult) as ModuleSpec["initResult"],
    initErrno: str(`${field}.initErrno`, o.initErrno) as ModuleSpec["initErrno"],
  };
}

/** A parsed JSON value to a validated Scenario. */
export function scenarioFromJson(v: unknown): Scenario {
  const o = keys("scenario", v, ["name", "description", "machine", "userspace", "background", "phases", "deviceClasses", "modules"], ["notes", "source", "udevd"]);
  const m = keys("scenario.machine", o.machine, ["cpus", "ramMiB", "hz"], ["possibleCpus"]);
  let udevd: UdevdConfig = defaultUdevd;
  if (o.udevd !== undefined) {
    const u = keys("scenario.udevd", o.udevd, ["systemd", "eventTimeoutS"]);
    udevd = { systemd: num("scenario.udevd.systemd", u.systemd), eventTimeoutS: num("scenario.udevd.eventTimeoutS", u.eventTimeoutS) };
  }
  if (!Array.isArray(o.phases)) throw invalid("scenario.phases", o.phases, "a JSON array of phases");
  const phases: Phase[] = o.phases.map((p, i) => {
    const ph = keys(`scenario.phases[${i}]`, p, ["deviceClass", "perCpu", "fixed"]);
    return { deviceClass: str(`scenario.phases[${i}].deviceClass`, ph.deviceClass), perCpu: num(`scenario.phases[${i}].perCpu`, ph.perCpu), fixed: num(`scenario.phases[${i}].fixed`, ph.fixed) };
  });
  if (!isObject(o.deviceClasses)) throw invalid("scenario.deviceClasses", o.deviceClasses, "a JSON object of device class -> module names");
  const deviceClasses: Record<string, string[]> = {};
  for (const [cls, mods] of Object.entries(o.deviceClasses)) {
    if (!Array.isArray(mods) || mods.length === 0) throw invalid(`scenario.deviceClasses.${cls}`, mods, "a non-empty array of module names");
    deviceClasses[cls] = mods.map((x, i) => str(`scenario.deviceClasses.${cls}[${i}]`, x));
    if (new Set(deviceClasses[cls]).size !== mods.length) throw invalid(`scenario.deviceClasses.${cls}`, mods, "module names without repeats");
  }
  if (!isObject(o.modules) || Object.keys(o.modules).length === 0) throw invalid("scenario.modules", o.modules, "a non-empty JSON object of module name -> module");
  const modules: Record<string, ModuleSpec> = {};
  for (const [name, spec] of Object.entries(o.modules)) modules[name] = moduleSpec(`scenario.modules.${name}`, spec);
  const s: Scenario = {
    name: str("scenario.name", o.name),
    description: str("scenario.description", o.description),
    cpus: num("scenario.machine.cpus", m.cpus),
    ...(m.possibleCpus !== undefined ? { possibleCpus: num("scenario.machine.possibleCpus", m.possibleCpus) } : {}),
    ramMiB: num("scenario.machine.ramMiB", m.ramMiB),
    hz: num("scenario.machine.hz", m.hz),
    userspace: str("scenario.userspace", o.userspace) as Scenario["userspace"],
    phases,
    deviceClasses,
    modules,
    background: bool("scenario.background", o.background),
    udevd,
  };
  // The structural checks are shared with scenarios written in code; their field names
  // are the flat ones (scenario.cpus), so name the file's nesting for the machine.
  try {
    return validateScenario(s);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(err.message.replace(/^invalid scenario\.(cpus|possibleCpus|ramMiB|hz):/, "invalid scenario.machine.$1:"), err.exitCode);
    throw err;
  }
}

/** Read and validate a scenario file; errors name the file and the field. */
export function readScenarioFile(file: string): Scenario {
  const text = readFileCapped(file, maxScenarioFileBytes, (p) =>
    p.kind === "too-big"
      ? new UserError(`invalid scenario file: ${file}: ${p.detail} (allowed at most ${maxScenarioFileBytes})`)
      : new UserError(`invalid scenario file: ${file}: ${p.detail} (allowed: a readable JSON file)`),
  );
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`invalid scenario file: ${file}: not JSON (${(err as Error).message.split("\n")[0]})`);
  }
  try {
    return scenarioFromJson(json);
  } catch (err) {
    if (err instanceof UserError) throw new UserError(`${file}: ${err.message}`, err.exitCode);
    throw err;
  }
}

/** The file form of a scenario (the inverse of scenarioFromJson). */
export function scenarioToJson(s: Scenario, notes?: string[]): Json {
  return {
    name: s.name,
    description: s.description,
    ...(notes ? { notes } : {}),
    machine: { cpus: s.cpus, ...(s.possibleCpus !== undefined ? { possibleCpus: s.possibleCpus } : {}), ramMiB: s.ramMiB, hz: s.hz },
    udevd: s.udevd,
    userspace: s.userspace,
    background: s.background,
    phases: s.phases,
    deviceClasses: s.deviceClasses,
    modules: s.modules,
  };
}

/** Load requests per CPU of each module: perCpu summed over the phases whose class matches it. */
export function requestsPerCpu(s: Scenario): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of Object.keys(s.modules)) out[name] = 0;
  for (const ph of s.phases) for (const m of s.deviceClasses[ph.deviceClass]) out[m] += ph.perCpu;
  return out;
}

const loaded = new Map<string, Scenario>();

/** A scenario file, read and validated once per process. */
export function scenarioFile(file: string): Scenario {
  let s = loaded.get(file);
  if (!s) {
    s = readScenarioFile(file);
    loaded.set(file, s);
  }
  return s;
}

/** A shipped scenario: "seed" is the seed study's scenario.json, any other NAME data/scenarios/NAME.json. */
export function shippedScenario(name: string): Scenario {
  return scenarioFile(name === "seed" ? paths.seedScenario : path.join(paths.scenarios, `${name}.json`));
}

/**
 * The seed's machine (data/studies/pavlu-2022-10-15/scenario.json): 288 CPUs, Tumbleweed 20220829,
 * 6.0-rc3, intel_pstate active; pcc_cpufreq x1 and acpi_cpufreq x2 per CPU; the
 * file's notes say where each number comes from.
 */
export function seedScenario(cpus?: number): Scenario {
  const s = shippedScenario("seed");
  return cpus === undefined ? s : withCpus(s, cpus);
}

/** Scenarios by name; `--scenario` also takes a path to a scenario file. */
export const scenarios: Record<string, (cpus?: number) => Scenario> = {
  seed: (cpus) => seedScenario(cpus),
  edac: (cpus) => edacScenario(cpus),
  "kselftest-success": () => kselftestScenario("success"),
  "kselftest-fail": () => kselftestScenario("fail"),
};

/** `--scenario NAME|FILE.json`: a registered name, or a path (anything with a / or ending in .json). */
export function resolveScenario(arg: string): Scenario {
  if (arg.includes("/") || arg.endsWith(".json")) return readScenarioFile(arg);
  if (!(arg in scenarios)) throw new UserError(`invalid scenario: ${arg} (allowed ${Object.keys(scenarios).join("|")} or a path to a scenario .json file)`);
  return scenarios[arg]();
}
