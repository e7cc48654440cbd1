/**
 * The kit's experiments, each defined once with its inputs: notebooks 01-03
 * compute them, and the commit-message pack (notebook 04, `npm run figures`)
 * reads the same records from the cache. Every function here is a cached
 * record (src/3-experiments/records/cache.ts): its key holds exactly the inputs it uses, so a
 * change to one calibrated parameter recomputes the records run under the
 * fitted parameters, and not, say, the held-out check run under the
 * out-of-sample parameters.
 */
import * as path from "path";
import type { CalibrationRecord } from "../calibrate/calibration";
import { refitParams } from "../calibrate/calibration";
import { CellFit, simulateCells } from "../calibrate/fit";
import type { Cell } from "../../2-measurements/measured";
import { ExternalMeasurement } from "../../2-measurements/external";
import { BootResult, simulateBoot } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import { policyNames } from "../../1-model/policies";
import type { Scenario } from "../../1-model/scenario";
import { withCpus, withInit } from "../../1-model/scenario";
import { readScenarioFile } from "../../1-model/scenarios";
import { bootJobs, PoolOptions, runBoots } from "../parallel/pool";
import { paths } from "../../core/paths";
import { Grid } from "../sweep/grid";
import { SweepRow, writeSweepCsv } from "../sweep/csv";
import { runSweep } from "../sweep/runSweep";
import { sweepProvenance } from "../sweep/provenance";
import { LoadBreakdown, loadBreakdown } from "./breakdown";
import { defineExperiment } from "./cache";
import { Distribution } from "./distributions";
import { compareExternal, ExternalComparison, externalCases } from "./external";
import { tableBoots } from "./seedTable";
import { cpuSweepGrid, latencySweepGrid, ratioSweepGrid } from "./sensitivity";
import { predict, Prediction, predictionCpus, predictionDesign, predictionLatenciesMs, predictionRequests } from "./uncertainty";
import { maxCpus, seedMachineCpus } from "../../1-model/limits";
import { predictVariants, variantDesign, variantFitsOf, VariantPrediction } from "./variantPredictions";

export type Progress = Pick<PoolOptions, "onProgress" | "threads">;

/** Boots of every policy on the seed's machine, grouped by policy (policies in table order). */
async function bootsByPolicy(params: Params, scenario: Scenario, seed: number, boots: number, o: Progress): Promise<Record<string, BootResult[]>> {
  const runs = await runBoots(bootJobs(policyNames, scenario, params, seed, boots), o);
  return Object.fromEntries(policyNames.map((p, i) => [p, runs.slice(i * boots, (i + 1) * boots)]));
}

/**
 * Every experiment takes the study's scenario (its machine and drivers, at the
 * study's CPU count; `seedScenario()` for the seed study): it is part of each
 * record's inputs, so two studies never share a record.
 */
const atCpus = (scenario: Scenario, cpus: number): Scenario => (scenario.cpus === cpus ? scenario : withCpus(scenario, cpus));

/** Notebook 01: boots 1-5 of every policy at the calibration's own seed, in the seed's table layout. */
export const seedTableBoots = defineExperiment(
  "seed-table",
  (cal: CalibrationRecord, scenario: Scenario, _o: Progress = {}) => ({ params: cal.params, scenario: atCpus(scenario, cal.design.cpus), seed: cal.design.seed, boots: tableBoots, policies: policyNames }),
  (cal, scenario, o = {}) => bootsByPolicy(cal.params, atCpus(scenario, cal.design.cpus), cal.design.seed, tableBoots, o),
);

/** The `my` cells the out-of-sample fit left out, and the unseen boots they are predicted on. */
function heldOutDesign(cal: CalibrationRecord, cells: Cell[]) {
  return { cells: cells.filter((c) => !cal.outOfSample.fittedOn.includes(c.config)), design: { cpus: cal.design.cpus, seed: cal.unseen.seed, boots: cal.unseen.boots } };
}

/** Notebook 01: the out-of-sample parameters (fitted without `my`) on the unseen seed's boots of the `my` cells. */
export const heldOutPrediction = defineExperiment(
  "held-out",
  (cal: CalibrationRecord, cells: Cell[], scenario: Scenario, _o: Progress = {}) => ({ params: cal.outOfSample.params, ...heldOutDesign(cal, cells), scenario: atCpus(scenario, cal.design.cpus) }),
  (cal, cells, scenario, o = {}): Promise<CellFit[]> => {
    const h = heldOutDesign(cal, cells);
    return simulateCells(h.cells, cal.outOfSample.params, { ...h.design, scenario, threads: o.threads });
  },
);

/** Notebook 02: the span distributions, `boots` boots of every policy. */
export const distributionDesign = { seed: 2, boots: 1000 };

export const distributions = defineExperiment(
  "distributions",
  (params: Params, scenario: Scenario, _o: Progress = {}) => ({ params, scenario, ...distributionDesign, policies: policyNames }),
  (params, scenario, o = {}): Promise<Distribution> => bootsByPolicy(params, scenario, distributionDesign.seed, distributionDesign.boots, o),
);

/** Notebook 02 and the pack: one logged boot of a policy, for the timeline figures. */
export const timelineDesign = { seed: 2, boot: 1 };

export const timelineBoot = defineExperiment(
  "timeline",
  (params: Params, scenario: Scenario, policy: string) => ({ params, scenario, policy, ...timelineDesign }),
  (params, scenario, policy): BootResult => simulateBoot({ policy, scenario, params, ...timelineDesign, log: true }),
);

/** The sweeps of notebook 03, by the name of their CSV under data/derived/. */
export const sweepGrids: Record<string, Grid> = {
  "sensitivity-cpus": cpuSweepGrid,
  "sensitivity-latency": latencySweepGrid,
  "sensitivity-ratio": ratioSweepGrid,
};

/** A sweep's grid on the study's machine and drivers: a sweep at one CPU count runs at the study's. */
function gridOf(name: string, scenario: Scenario): Grid {
  const grid = sweepGrids[name];
  if (!grid) throw new Error(`unknown sweep ${name} (known: ${Object.keys(sweepGrids).join(", ")})`);
  return { ...grid, cpus: grid.cpus.length === 1 ? [scenario.cpus] : grid.cpus, scenario };
}

export const sweep = defineExperiment(
  "sweep",
  (name: string, params: Params, scenario: Scenario, _o: Progress = {}) => ({ name, grid: gridOf(name, scenario), params, scenario }),
  (name, params, scenario, o = {}): Promise<SweepRow[]> => runSweep(gridOf(name, scenario), params, o),
);

/**
 * A sweep's record, also written as its CSV under data/derived/ for readers
 * outside the kit, with the provenance lines a `modburst sweep` CSV has (grid,
 * params hash, scenario, code version, shard 1/1), so readSweepCsv and
 * merge-results accept it. The provenance is of the same grid, parameters and
 * code as the record's key, so a warm and a cold run write the same bytes.
 */
export async function derivedSweep(name: string, params: Params, scenario: Scenario, dir = paths.derived, o: Progress = {}): Promise<SweepRow[]> {
  const rows = await sweep(name, params, scenario, o);
  writeSweepCsv(derivedSweepFile(name, dir), rows, sweepProvenance(gridOf(name, scenario), params, null));
  return rows;
}

export const derivedSweepFile = (name: string, dir = paths.derived): string => path.join(dir, `${name}.csv`);

/** The CPU counts predicted: the fixed list, with the study's own CPU count among them. */
const cpusOf = (scenario: Scenario) => [...new Set([...predictionCpus, scenario.cpus])].sort((a, b) => a - b);
const cpuRequests = (scenario: Scenario) => predictionRequests((cpus) => atCpus(scenario, cpus), undefined, cpusOf(scenario));

/** How much a flagged fit's prediction intervals are widened (its verdict's factor; 1 for a fit that is not flagged). */
const widenFactor = (cal: CalibrationRecord): number => cal.verdict.widenFactor;

/** Notebook 03 and the commit message: the span vs CPUs under every refit. */
export const cpuPredictions = defineExperiment(
  "predictions-cpus",
  (cal: CalibrationRecord, scenario: Scenario, _o: Progress = {}) => ({ reqs: cpuRequests(scenario), params: cal.params, refits: refitParams(cal), design: predictionDesign, widenFactor: widenFactor(cal) }),
  (cal, scenario, o = {}): Promise<Prediction[]> => predict(cpuRequests(scenario), cal.params, refitParams(cal), predictionDesign, { ...o, widenFactor: widenFactor(cal) }),
);

const latencyRequests = (scenario: Scenario) =>
  predictionLatenciesMs.flatMap((initLatencyMs) => ["base", "merge"].map((policy) => ({ scenario: withInit(scenario, { initLatencyMs }), policy })));

/** Notebook 03: one module's span (the seed's acpi_cpufreq) vs init-failure latency under every refit, base and merge. */
export const latencyPredictions = defineExperiment(
  "predictions-latency",
  (cal: CalibrationRecord, scenario: Scenario, module: string, _o: Progress = {}) => ({ reqs: latencyRequests(scenario), params: cal.params, refits: refitParams(cal), design: predictionDesign, modules: [module], widenFactor: widenFactor(cal) }),
  (cal, scenario, module, o = {}): Promise<Prediction[]> => predict(latencyRequests(scenario), cal.params, refitParams(cal), predictionDesign, { ...o, modules: [module], widenFactor: widenFactor(cal) }),
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
    widenFactor: widenFactor(cal),
  }),
  (cal, measurements, o = {}): Promise<ExternalComparison[]> => compareExternal(measurements, cal.params, refitParams(cal), predictionDesign, { ...o, widenFactor: widenFactor(cal) }),
);

/** Notebook 03: where the time of one failing load goes under base, on the study's machine (the seed's: 288 CPUs) and at 1536 CPUs (or twice the study's). */
export const breakdownCpusOf = (cpus: number): number[] => [cpus, cpus < 1536 ? 1536 : Math.min(maxCpus, cpus * 2)];
export const breakdownCpus = breakdownCpusOf(seedMachineCpus);

export const baseBreakdowns = defineExperiment(
  "breakdown",
  (params: Params, scenario: Scenario, module: string) => ({ scenarios: breakdownCpusOf(scenario.cpus).map((cpus) => atCpus(scenario, cpus)), params, policy: "base", module, seed: 1 }),
  (params, scenario, module): LoadBreakdown[] => breakdownCpusOf(scenario.cpus).map((cpus) => loadBreakdown(atCpus(scenario, cpus), "base", params, module, 1)),
);

/**
 * Notebook 03: every structural variant's fit on the study's machine and its
 * mean base span at 1024, 1536 and 4096 CPUs from its own fitted parameters
 * (the reference alone when the study has no variant records).
 */
export const variantPredictions = defineExperiment(
  "variant-predictions",
  (cal: CalibrationRecord, scenario: Scenario, _o: Progress = {}) => ({
    variants: variantFitsOf(cal).map((v) => ({ name: v.name, summary: v.summary, params: v.record.params, cpus: v.record.design.cpus, unseen: v.record.unseen.maxAbsErrorPct, ok: v.record.verdict.ok, converged: v.record.fit.converged })),
    scenario,
    design: variantDesign,
  }),
  (cal, scenario, o = {}): Promise<VariantPrediction[]> => predictVariants(variantFitsOf(cal), scenario, variantDesign, o),
);

/** Every experiment, for tests and tools that reason about records as a whole. */
export const experiments = [seedTableBoots, heldOutPrediction, distributions, timelineBoot, sweep, cpuPredictions, latencyPredictions, externalComparisons, baseBreakdowns, variantPredictions];
