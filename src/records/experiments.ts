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
import { sweepProvenance } from "../sweep/provenance";
import { LoadBreakdown, loadBreakdown } from "./breakdown";
import { defineExperiment } from "./cache";
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
export const seedTableBoots = defineExperiment(
  "seed-table",
  (cal: CalibrationRecord, _o: Progress = {}) => ({ params: cal.params, scenario: seedScenario(cal.design.cpus), seed: cal.design.seed, boots: tableBoots, policies: policyNames }),
  (cal, o = {}) => bootsByPolicy(cal.params, seedScenario(cal.design.cpus), cal.design.seed, tableBoots, o),
);

/** The `my` cells the out-of-sample fit left out, and the unseen boots they are predicted on. */
function heldOutDesign(cal: CalibrationRecord, cells: Cell[]) {
  return { cells: cells.filter((c) => !cal.outOfSample.fittedOn.includes(c.config)), design: { cpus: cal.design.cpus, seed: cal.unseen.seed, boots: cal.unseen.boots } };
}

/** Notebook 01: the out-of-sample parameters (fitted without `my`) on the unseen seed's boots of the `my` cells. */
export const heldOutPrediction = defineExperiment(
  "held-out",
  (cal: CalibrationRecord, cells: Cell[], _o: Progress = {}) => ({ params: cal.outOfSample.params, ...heldOutDesign(cal, cells), scenario: seedScenario(cal.design.cpus) }),
  (cal, cells, o = {}): Promise<CellFit[]> => {
    const h = heldOutDesign(cal, cells);
    return simulateCells(h.cells, cal.outOfSample.params, { ...h.design, threads: o.threads });
  },
);

/** Notebook 02: the span distributions, `boots` boots of every policy. */
export const distributionDesign = { seed: 2, boots: 1000 };

export const distributions = defineExperiment(
  "distributions",
  (params: Params, _o: Progress = {}) => ({ params, scenario: seedScenario(), ...distributionDesign, policies: policyNames }),
  (params, o = {}): Promise<Distribution> => bootsByPolicy(params, seedScenario(), distributionDesign.seed, distributionDesign.boots, o),
);

/** Notebook 02 and the pack: one logged boot of a policy, for the timeline figures. */
export const timelineDesign = { seed: 2, boot: 1 };

export const timelineBoot = defineExperiment(
  "timeline",
  (params: Params, policy: string) => ({ params, scenario: seedScenario(), policy, ...timelineDesign }),
  (params, policy): BootResult => simulateBoot({ policy, scenario: seedScenario(), params, ...timelineDesign, log: true }),
);

/** The sweeps of notebook 03, by the name of their CSV under data/derived/. */
export const sweepGrids: Record<string, Grid> = {
  "sensitivity-cpus": cpuSweepGrid,
  "sensitivity-latency": latencySweepGrid,
  "sensitivity-ratio": ratioSweepGrid,
};

function gridOf(name: string): Grid {
  const grid = sweepGrids[name];
  if (!grid) throw new Error(`unknown sweep ${name} (known: ${Object.keys(sweepGrids).join(", ")})`);
  return grid;
}

export const sweep = defineExperiment(
  "sweep",
  (name: string, params: Params, _o: Progress = {}) => ({ name, grid: gridOf(name), params, scenario: seedScenario() }),
  (name, params, o = {}): Promise<SweepRow[]> => runSweep(gridOf(name), params, o),
);

/**
 * A sweep's record, also written as its CSV under data/derived/ for readers
 * outside the kit, with the provenance lines a `modburst sweep` CSV has (grid,
 * params hash, scenario, code version, shard 1/1), so readSweepCsv and
 * merge-results accept it. The provenance is of the same grid, parameters and
 * code as the record's key, so a warm and a cold run write the same bytes.
 */
export async function derivedSweep(name: string, params: Params, o: Progress = {}): Promise<SweepRow[]> {
  const rows = await sweep(name, params, o);
  writeSweepCsv(derivedSweepFile(name), rows, sweepProvenance(gridOf(name), params, null));
  return rows;
}

export const derivedSweepFile = (name: string): string => path.join(paths.derived, `${name}.csv`);

const cpuRequests = () => predictionRequests((cpus) => seedScenario(cpus));

/** Notebook 03 and the commit message: the span vs CPUs under every refit. */
export const cpuPredictions = defineExperiment(
  "predictions-cpus",
  (cal: CalibrationRecord, _o: Progress = {}) => ({ reqs: cpuRequests(), params: cal.params, refits: refitParams(cal), design: predictionDesign }),
  (cal, o = {}): Promise<Prediction[]> => predict(cpuRequests(), cal.params, refitParams(cal), predictionDesign, o),
);

const latencyRequests = () => predictionLatenciesMs.flatMap((initLatencyMs) => ["base", "merge"].map((policy) => ({ scenario: withInit(seedScenario(), { initLatencyMs }), policy })));
const latencyModules = ["acpi_cpufreq"];

/** Notebook 03: acpi_cpufreq's span vs init-failure latency under every refit, base and merge. */
export const latencyPredictions = defineExperiment(
  "predictions-latency",
  (cal: CalibrationRecord, _o: Progress = {}) => ({ reqs: latencyRequests(), params: cal.params, refits: refitParams(cal), design: predictionDesign, modules: latencyModules }),
  (cal, o = {}): Promise<Prediction[]> => predict(latencyRequests(), cal.params, refitParams(cal), predictionDesign, { ...o, modules: latencyModules }),
);

/** Notebook 03 and the commit message: each external measurement against the prediction for its machine. */
export const externalComparisons = defineExperiment(
  "external",
  (cal: CalibrationRecord, measurements: ExternalMeasurement[], _o: Progress = {}) => ({
    measurements,
    cases: externalCases,
    scenarios: externalCases.map((c) => readScenarioFile(path.join(paths.scenarios, c.scenarioFile))),
    params: cal.params,
    refits: refitParams(cal),
    design: predictionDesign,
  }),
  (cal, measurements, o = {}): Promise<ExternalComparison[]> => compareExternal(measurements, cal.params, refitParams(cal), predictionDesign, o),
);

/** Notebook 03: where the time of one failing acpi_cpufreq load goes under base, on the seed's machine and at 1536 CPUs. */
export const breakdownCpus = [seedMachineCpus, 1536];

export const baseBreakdowns = defineExperiment(
  "breakdown",
  (params: Params) => ({ scenarios: breakdownCpus.map((cpus) => seedScenario(cpus)), params, policy: "base", module: "acpi_cpufreq", seed: 1 }),
  (params): LoadBreakdown[] => breakdownCpus.map((cpus) => loadBreakdown(seedScenario(cpus), "base", params, "acpi_cpufreq", 1)),
);

/** Every experiment, for tests and tools that reason about records as a whole. */
export const experiments = [seedTableBoots, heldOutPrediction, distributions, timelineBoot, sweep, cpuPredictions, latencyPredictions, externalComparisons, baseBreakdowns];
