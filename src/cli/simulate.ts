/**
 * modburst simulate --policy NAME|all --cpus N --boots K --seed S
 *   [--scenario NAME|FILE.json] [--init-latency-ms X] [--init-result fail|success]
 *   [--params FILE] [--json] [--max-hours H]
 */
import * as fs from "fs";
import { checkInteger, checkKeyword, checkNumber } from "../core/errors";
import { defaultParams, Params } from "../1-model/params";
import { readParamsOrCalibration } from "../3-experiments/calibrate/schema";
import { policyNames } from "../1-model/policies";
import { simulateRun, RunResult } from "../3-experiments/parallel/configBoots";
import { calibrationCpus, Estimate, estimateRun, measureBootCosts } from "../3-experiments/parallel/estimate";
import { defaultThreads, poolThreads } from "../3-experiments/parallel/pool";
import { Scenario } from "../1-model/scenario";
import { maxCpus, maxInitLatencyMs } from "../1-model/limits";
import { withCpus, withInit } from "../1-model/scenario";
import { resolveScenario, scenarios } from "../1-model/scenarios";
import { displayPath, paths } from "../core/paths";
import { formatTextTable } from "../5-views/tables/format";
import { OptionTable, parseCli } from "./args";
import { bootsOnThreads, enforceBudget, parseMaxHours } from "./budget";
import { maxOf, minOf } from "../core/arrays";
import { writeStdout } from "../core/outputs";

/** The calibrated parameters when they exist, else the documented defaults. */
export function loadParams(file: string | undefined): { params: Params; source: string } {
  if (file !== undefined) return { params: readParamsOrCalibration(file), source: file };
  if (fs.existsSync(paths.calibratedParams)) return { params: readParamsOrCalibration(paths.calibratedParams, { record: true }), source: displayPath(paths.calibratedParams) };
  return { params: defaultParams(), source: "defaults" };
}

/** simulate's options: what it parses and what `modburst simulate --help` prints. */
export const simulateOptions: OptionTable = {
  policy: { type: "string", value: "NAME|all", help: `one policy (${policyNames.join("|")}) or all of them (default all)` },
  cpus: { type: "string", value: "N", help: `the machine's CPU count, 1..${maxCpus} (default: the scenario's)` },
  boots: { type: "string", value: "K", help: "boots per policy (default 5)" },
  seed: { type: "string", value: "S", help: "the run's seed; it fixes every simulated number (default 1)" },
  scenario: { type: "string", value: "NAME|FILE.json", help: `${Object.keys(scenarios).join("|")}, or a scenario file (default seed)` },
  "init-latency-ms": { type: "string", value: "X", help: `every module's init time, ms 0..${maxInitLatencyMs} (default: the scenario's)` },
  "init-result": { type: "string", value: "fail|success", help: "every module's init outcome (default: the scenario's)" },
  params: { type: "string", value: "FILE", help: "parameter values, or a calibration record (default the seed study's calibration)" },
  json: { type: "boolean", help: "one JSON document (an array with --policy all) instead of a table" },
  "max-hours": { type: "string", value: "H", help: "refuse a run estimated over H hours, before it starts (default 1)" },
};

export async function simulateCommand(argv: string[]): Promise<number> {
  const { values, rejectRepeats } = parseCli(argv, simulateOptions, { laterRepeats: true });
  const policyArg = checkKeyword("policy", values.policy ?? "all", [...policyNames, "all"]);
  let scenario = resolveScenario((values.scenario as string | undefined) ?? "seed");
  if (values.cpus !== undefined) scenario = withCpus(scenario, checkInteger("cpus", values.cpus, 1, maxCpus));
  const boots = checkInteger("boots", values.boots ?? "5", 1, 100_000);
  const seed = checkInteger("seed", values.seed ?? "1", 0, 2 ** 32 - 1);
  const init: { initLatencyMs?: number; initResult?: "success" | "fail" } = {};
  if (values["init-latency-ms"] !== undefined) init.initLatencyMs = checkNumber("init-latency-ms", values["init-latency-ms"], 0, maxInitLatencyMs);
  if (values["init-result"] !== undefined) init.initResult = checkKeyword("init-result", values["init-result"], ["fail", "success"] as const);
  scenario = withInit(scenario, init);
  const { params, source } = loadParams(values.params as string | undefined);
  const maxHours = parseMaxHours(values["max-hours"]);
  rejectRepeats();

  const policies = policyArg === "all" ? policyNames : [policyArg];
  const threads = poolThreads(boots, defaultThreads());
  enforceBudget(
    `simulate: ${bootsOnThreads(policies.length * boots, threads)}, params: ${source}`,
    estimateSimulate(policies, scenario, params, seed, boots, threads),
    { maxHours },
    { time: "fewer boots, CPUs or policies", memory: "fewer boots or CPUs" },
  );
  const runs: RunResult[] = [];
  for (const policy of policies) runs.push(await simulateRun({ policy, scenario, params, seed, boots }));
  if (values.json) {
    const docs = runs.map((r) => ({ ...r, params: source }));
    writeStdout(JSON.stringify(policyArg === "all" ? docs : docs[0], null, 2) + "\n");
  } else {
    writeStdout(formatRuns(runs, source) + "\n");
  }
  return 0;
}

/** Results kept until the end, per boot and module (measured ~2.5 kB with --json's text). */
const keptBytesPerModule = 3e3;

/** Time a boot of each policy, then scale: see parallel/estimate.ts. Each policy runs after the other, on `threads` threads. */
export function estimateSimulate(policies: readonly string[], scenario: Scenario, params: Params, seed: number, boots: number, threads: number): Estimate {
  const calibration = { ...scenario, cpus: calibrationCpus(scenario.cpus) };
  const { costs } = measureBootCosts(policies.map((policy) => ({ policy, scenario: calibration })), params, seed);
  return estimateRun({
    work: policies.map((policy) => ({ policy, cpus: scenario.cpus, boots })),
    costs,
    threads,
    cores: defaultThreads(),
    keptBytesPerBoot: keptBytesPerModule * Object.keys(scenario.modules).length,
  });
}

/** A readable table: one row per policy and module, the boots' spans and their mean. */
export function formatRuns(runs: RunResult[], source: string): string {
  const r0 = runs[0];
  const head = `scenario ${r0.scenario}, ${r0.cpus} CPUs, seed ${r0.seed}, ${r0.boots.length} boots, params: ${source}`;
  const rows = runs.flatMap((r) =>
    Object.entries(r.mean).map(([module, m]) => [
      r.policy,
      module,
      m.spanSeconds,
      minOf(r.boots.map((b) => b.modules[module].spanSeconds)),
      maxOf(r.boots.map((b) => b.modules[module].spanSeconds)),
      m.attempts,
      m.fullLoads,
      m.herdWakeups,
      m.peakVmallocBytes / 1048576,
    ]),
  );
  return (
    head +
    "\n\n" +
    formatTextTable({
      columns: ["policy", "module", "span s (mean)", "min s", "max s", "attempts", "full loads", "herd wake-ups", "peak vmalloc MiB"],
      rows,
    })
  );
}
