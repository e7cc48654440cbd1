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
import { UserError } from "../core/errors";
import * as path from "path";
import { displayPath, paths } from "../core/paths";
import { readJsonText } from "../core/schema/readJson";
import { edacScenario, kselftestScenario, Scenario, scenarioFromJson, withCpus } from "./scenario";

export { scenarioFromJson, scenarioToJson } from "./scenario";

/** Read and validate a scenario file; errors name the file and the field. */
export function readScenarioFile(file: string): Scenario {
  return scenarioFromJson(readJsonText(file, "scenario file"), displayPath(file));
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
