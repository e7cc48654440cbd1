/**
 * Calibration's objective: the free parameters should make the model's
 * EXPECTED span of each seed cell match the measured five-boot mean, so every
 * candidate is scored on many boots per cell (more where a cell is noisy), all on
 * the same seeds (common random numbers: differences between candidates are the
 * parameters' doing, not noise). The measured spread enters with a small weight.
 */
import type { CellKey } from "../../2-measurements/measured";
import { checkParam, ParamName, Params, paramSpecs } from "../../1-model/params";
import { seedScenario } from "../../1-model/scenarios";
import { Scenario, withCpus } from "../../1-model/scenario";
import { bootJobs, runBoots } from "../parallel/pool";
import { mean, sampleSd } from "../../core/stats/describe";
import { FreeParam, fromUnit, toUnit } from "./bounds";
import { levenbergMarquardt, LmOptions, LmResult, sumSq } from "./levenbergMarquardt";

export interface CellFit extends CellKey {
  measuredMean: number;
  simulatedMean: number;
  /** (simulated - measured) / measured x 100. */
  errorPct: number;
  measuredSd: number;
  simulatedSd: number;
  /** Boots the simulated figures rest on. */
  boots: number;
}

/**
 * A cell as the fit needs it: its key and measured boots. The seed's Cell is
 * one; a study's cells (other modules, other configs) are too.
 */
export type FitCell = CellKey & { seconds: number[] };

/** Which boots a cell is simulated on: boots 1..n of `seed`, n per policy (or one n for all). */
export interface BootDesign {
  /** The machine and drivers (default the seed's); its CPU count is replaced by `cpus`. */
  scenario?: Scenario;
  cpus: number;
  seed: number;
  boots: number | Record<string, number>;
  threads?: number;
  /** The weight of the spreads in the objective (default sdWeight); a study may set 0 (calibrate.json spreadWeight). */
  spreadWeight?: number;
  /** Told how many more boots finished, as they finish (a calibration's progress lines). */
  onBoots?: (boots: number) => void;
}

export const bootsOf = (d: BootDesign, policy: string): number => (typeof d.boots === "number" ? d.boots : d.boots[policy]);

/** Simulated spans of each cell's boots under `params` (each policy run once for all its cells). */
export async function simulateCellSpans(cells: FitCell[], params: Params, d: BootDesign): Promise<number[][]> {
  const scenario = d.scenario ? withCpus(d.scenario, d.cpus) : seedScenario(d.cpus);
  const policies = [...new Set(cells.map((c) => c.policy))];
  const jobs = policies.flatMap((p) => bootJobs([p], scenario, params, d.seed, bootsOf(d, p)));
  let reported = 0;
  const onProgress = d.onBoots && ((done: number) => (d.onBoots!(done - reported), (reported = done)));
  const results = await runBoots(jobs, { threads: d.threads, onProgress });
  return cells.map((c) => results.filter((r) => r.policy === c.policy).map((r) => r.modules[c.module].spanSeconds));
}

/** Target values: the measured five-boot means (or a bootstrap resample's) and spreads. */
export interface Target {
  mean: number;
  sd: number;
}

export const targetsOf = (cells: FitCell[]): Target[] => cells.map((c) => ({ mean: mean(c.seconds), sd: sampleSd(c.seconds) }));

export function cellFits(cells: FitCell[], spans: number[][], targets = targetsOf(cells)): CellFit[] {
  return cells.map((c, i) => {
    const simulatedMean = mean(spans[i]);
    const t = targets[i];
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      measuredMean: t.mean,
      simulatedMean,
      errorPct: ((simulatedMean - t.mean) / t.mean) * 100,
      measuredSd: t.sd,
      simulatedSd: sampleSd(spans[i]),
      boots: spans[i].length,
    };
  });
}

/** Simulated means and spreads of each cell under `params`. */
export async function simulateCells(cells: FitCell[], params: Params, d: BootDesign): Promise<CellFit[]> {
  return cellFits(cells, await simulateCellSpans(cells, params, d));
}

/**
 * Weight of a cell's log spread ratio against its log mean ratio. A five-boot
 * sd is a poor estimate (its log has a standard error of about 0.35, against
 * 0.005-0.06 for the log of a five-boot mean), and some spreads the model cannot
 * match whatever the parameters (revert's acpi_cpufreq chain, see notebook 01),
 * so the spread only breaks ties the means leave open: chiefly the boot-to-boot
 * pace of coldplug (bootPaceSigma), which no mean depends on.
 */
export const sdWeight = 0.003;

/** Log ratios: a 10% miss costs the same on a 2 s cell as on a 45 s one. Means first, then weighted spreads. */
export function residualsOf(fits: CellFit[], weight = sdWeight): number[] {
  return [
    ...fits.map((c) => Math.log(c.simulatedMean / c.measuredMean)),
    ...fits.map((c) => Math.sqrt(weight) * Math.log(Math.max(c.simulatedSd, 1e-9) / c.measuredSd)),
  ];
}

export const objectiveOf = (fits: CellFit[], weight = sdWeight) => sumSq(residualsOf(fits, weight));

export function paramsFrom(start: Params, free: FreeParam[], z: number[]): Params {
  const p = { ...start };
  free.forEach((f, i) => {
    const spec = paramSpecs[f.name] as { integer?: boolean };
    const x = fromUnit(f, z[i]);
    p[f.name as ParamName] = checkParam(f.name, spec.integer ? Math.round(x) : Number(x.toPrecision(6)));
  });
  return p;
}

export const unitOf = (p: Params, free: FreeParam[]) => free.map((f) => toUnit(f, p[f.name]));

/** Levenberg-Marquardt settings, stored with the result. */
export const optimiser: LmOptions & { name: string; space: string } = {
  name: "levenberg-marquardt",
  space: "logit of each bounded parameter",
  h: 0.4,
  maxIterations: 15,
  tolStep: 0.01,
  tolRel: 0.002,
  lambda: 1,
};

export interface FitOptions {
  cells: FitCell[];
  start: Params;
  free: FreeParam[];
  design: BootDesign;
  targets?: Target[];
  onProgress?: (line: string) => void;
  settings?: Partial<LmOptions>;
}

export interface FitResult {
  params: Params;
  cells: CellFit[];
  objective: number;
  evals: number;
  iterations: number;
  converged: boolean;
  reason: string;
  /** d residuals / d logit(parameter) at the solution's last iteration. */
  jacobian: number[][];
}

/** The residual function of a fit, for the optimiser and for refits. */
export function residualFunction(o: Omit<FitOptions, "onProgress" | "settings">): (z: number[]) => Promise<number[]> {
  const targets = o.targets ?? targetsOf(o.cells);
  return async (z) => residualsOf(cellFits(o.cells, await simulateCellSpans(o.cells, paramsFrom(o.start, o.free, z), o.design), targets), o.design.spreadWeight);
}

export async function fit(o: FitOptions): Promise<FitResult> {
  const res = residualFunction(o);
  const r: LmResult & { jacobian: number[][] } = await levenbergMarquardt(res, unitOf(o.start, o.free), { ...optimiser, ...o.settings }, ({ iteration, evals, f, z, r }) =>
    o.onProgress?.(
      `  iteration ${iteration}, ${evals} runs, objective ${f.toExponential(3)}; ` +
        `${o.free.map((p, i) => `${p.name} ${Number(fromUnit(p, z[i]).toPrecision(3))}`).join(" ")}; ` +
        `mean errors ${r.slice(0, o.cells.length).map((x) => `${((Math.exp(x) - 1) * 100).toFixed(1)}%`).join(" ")}`,
    ),
  );
  const params = paramsFrom(o.start, o.free, r.z);
  const cells = cellFits(o.cells, await simulateCellSpans(o.cells, params, o.design), o.targets ?? targetsOf(o.cells));
  return { params, cells, objective: objectiveOf(cells, o.design.spreadWeight), evals: r.evals, iterations: r.iterations, converged: r.converged, reason: r.reason, jacobian: r.jacobian };
}
