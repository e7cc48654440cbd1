/**
 * The kit's experiments, each defined once with its inputs: notebooks 01-03
 * compute them, and the commit-message pack (notebook 04, `npm run figures`)
 * reads the same records from the cache. Every function here is a cached
 * record (src/records/cache.ts): its key holds exactly the inputs it uses, so a
 * change to one calibrated parameter recomputes the records run under the
 * fitted parameters, and not, say, the held-out check run under the
 * out-of-sample parameters.
 */
import * as path from "path";
import type { CalibrationRecord } from "../calibrate/calibration";
import { refitParams } from "../calibrate/calibration";
import { CellFit, simulateCells } from "../calibrate/fit";
import type { Cell } from "../data/measured";
import { ExternalMeasurement } from "../data/external";
import { BootResult, simulateBoot } from "../model/boot";
import type { Params } from "../model/params";
import { policyNames } from "../model/policies";
import type { Scenario } from "../model/scenario";
import { withInit } from "../model/scenario";
import { readScenarioFile, seedScenario } from "../model/scenarios";
import { bootJobs, PoolOptions, runBoots } from "../parallel/pool";
import { paths } from "../paths";
import { Grid } from "../sweep/grid";
import { SweepRow, writeSweepCsv } from "../sweep/csv";
import { runSweep } from "../sweep/run";
import { LoadBreakdown, loadBreakdown } from "./breakdown";
import { cachedRecord } from "./cache";
import { Distribution } from "./distributions";
import { compareExternal, ExternalComparison, externalCases } from "./external";
import { tableBoots } from "./seedTable";
import { cpuSweepGrid, latencySweepGrid, ratioSweepGrid } from "./sensitivity";
import { predict, Prediction, predictionDesign, predictionLatenciesMs, predictionRequests } from "./uncertainty";
import { seedMachineCpus } from "../model/limits";

export type Progress = Pick<PoolOptions, "onProgress" | "threads">;

/** Boots of every policy on the seed's machine, grouped by policy (policies in table order). */
async function bootsByPolicy(params: Params, scenario: Scenario, seed: number, boots: number, o: Progress): Promise<Record<string, BootResult[]>> {
  const runs = await runBoots(bootJobs(policyNames, scenario, params, seed, boots), o);
  return Object.fromEntries(policyNames.map((p, i) => [p, runs.slice(i * boots, (i + 1) * boots)]));
}

/** Notebook 01: boots 1-5 of every policy at the calibration's own seed, in the seed's table layout. */
export function seedTableBoots(cal: CalibrationRecord, o: Progress = {}): Promise<Record<string, BootResult[]>> {
  const scenario = seedScenario(cal.design.cpus);
  const inputs = { params: cal.params, scenario, seed: cal.design.seed, boots: tableBoots, policies: policyNames };
  return cachedRecord("seed-table", inputs, () => bootsByPolicy(cal.params, scenario, cal.design.seed, tableBoots, o));
}

/** Notebook 01: the out-of-sample parameters (fitted without `my`) on the unseen seed's boots of the `my` cells. */
export function heldOutPrediction(cal: CalibrationRecord, cells: Cell[], o: Progress = {}): Promise<CellFit[]> {
  const heldOut = cells.filter((c) => !cal.outOfSample.fittedOn.includes(c.config));
  const design = { cpus: cal.design.cpus, seed: cal.unseen.seed, boots: cal.unseen.boots };
  const inputs = { params: cal.outOfSample.params, cells: heldOut, design, scenario: seedScenario(design.cpus) };
  return cachedRecord("held-out", inputs, () => simulateCells(heldOut, cal.outOfSample.params, { ...design, threads: o.threads }));
}

/** Notebook 02: the span distributions, `boots` boots of every policy. */
export const distributionDesign = { seed: 2, boots: 1000 };

export function distributions(params: Params, o: Progress = {}, d = distributionDesign): Promise<Distribution> {
  const scenario = seedScenario();
  return cachedRecord("distributions", { params, scenario, ...d, policies: policyNames }, () => bootsByPolicy(params, scenario, d.seed, d.boots, o));
}

/** Notebook 02 and the pack: one logged boot of a policy, for the timeline figures. */
export const timelineDesign = { seed: 2, boot: 1 };

export function timelineBoot(params: Params, policy: string): Promise<BootResult> {
  const scenario = seedScenario();
  return cachedRecord("timeline", { params, scenario, policy, ...timelineDesign }, () => simulateBoot({ policy, scenario, params, ...timelineDesign, log: true }));
}

/** The sweeps of notebook 03, by the name of their CSV under data/derived/. */
export const sweepGrids: Record<string, Grid> = {
  "sensitivity-cpus": cpuSweepGrid,
  "sensitivity-latency": latencySweepGrid,
  "sensitivity-ratio": ratioSweepGrid,
};

export function sweep(name: string, params: Params, o: Progress = {}): Promise<SweepRow[]> {
  const grid = sweepGrids[name];
  if (!grid) throw new Error(`unknown sweep ${name} (known: ${Object.keys(sweepGrids).join(", ")})`);
  return cachedRecord("sweep", { name, grid, params, scenario: seedScenario(grid.cpus[0]) }, () => runSweep(grid, params, o));
}

/** A sweep's record, also written as its CSV under data/derived/ for readers outside the kit. */
export async function derivedSweep(name: string, params: Params, o: Progress = {}): Promise<SweepRow[]> {
  const rows = await sweep(name, params, o);
  writeSweepCsv(path.join(paths.derived, `${name}.csv`), rows);
  return rows;
}

/** Notebook 03 and the commit message: the span vs CPUs under every refit. */
export function cpuPredictions(cal: CalibrationRecord, o: Progress = {}): Promise<Prediction[]> {
  const reqs = predictionRequests((cpus) => seedScenario(cpus));
  const refits = refitParams(cal);
  return cachedRecord("predictions-cpus", { reqs, params: cal.params, refits, design: predictionDesign }, () => predict(reqs, cal.params, refits, predictionDesign, o));
}

/** Notebook 03: acpi_cpufreq's span vs init-failure latency under every refit, base and merge. */
export function latencyPredictions(cal: CalibrationRecord, o: Progress = {}): Promise<Prediction[]> {
  const reqs = predictionLatenciesMs.flatMap((initLatencyMs) => ["base", "merge"].map((policy) => ({ scenario: withInit(seedScenario(), { initLatencyMs }), policy })));
  const refits = refitParams(cal);
  const modules = ["acpi_cpufreq"];
  return cachedRecord("predictions-latency", { reqs, params: cal.params, refits, design: predictionDesign, modules }, () =>
    predict(reqs, cal.params, refits, predictionDesign, { ...o, modules }),
  );
}

/** Notebook 03 and the commit message: each external measurement against the prediction for its machine. */
export function externalComparisons(cal: CalibrationRecord, measurements: ExternalMeasurement[], o: Progress = {}): Promise<ExternalComparison[]> {
  const refits = refitParams(cal);
  const scenarios = externalCases.map((c) => readScenarioFile(path.join(paths.scenarios, c.scenarioFile)));
  const inputs = { measurements, cases: externalCases, scenarios, params: cal.params, refits, design: predictionDesign };
  return cachedRecord("external", inputs, () => compareExternal(measurements, cal.params, refits, predictionDesign, o));
}

/** Notebook 03: where the time of one failing acpi_cpufreq load goes under base, on the seed's machine and at 1536 CPUs. */
export const breakdownCpus = [seedMachineCpus, 1536];

export function baseBreakdowns(params: Params): Promise<LoadBreakdown[]> {
  const scenarios = breakdownCpus.map((cpus) => seedScenario(cpus));
  return cachedRecord("breakdown", { scenarios, params, policy: "base", module: "acpi_cpufreq", seed: 1 }, () =>
    scenarios.map((s) => loadBreakdown(s, "base", params, "acpi_cpufreq", 1)),
  );
}
