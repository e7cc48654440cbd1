/**
 * Calibration: choose the free parameters so that the simulated five-boot
 * means of the seed's cells match the measured ones. Every candidate is run on
 * the same seeds (common random numbers), so differences between candidates are
 * the parameters' doing, not noise; the optimiser is deterministic, so the fit
 * is reproducible.
 */
import { checkParam, ParamName, Params, paramSpecs } from "../model/params";
import { simulateRun } from "../model/run";
import { seedScenario } from "../model/scenario";
import { Cell } from "../data/measured";
import { meanOf } from "../model/run";
import { sampleSd } from "../stats/describe";
import { FreeParam, fromUnit, toUnit } from "./bounds";
import { nelderMead } from "./neldermead";

export interface CellFit {
  config: string;
  policy: string;
  module: string;
  measuredMean: number;
  simulatedMean: number;
  /** (simulated - measured) / measured x 100. */
  errorPct: number;
  measuredSd: number;
  simulatedSd: number;
}

export interface FitOptions {
  cells: Cell[];
  start: Params;
  free: FreeParam[];
  cpus: number;
  seed: number;
  boots: number;
  maxEvals: number;
  onProgress?: (line: string) => void;
}

export interface FitResult {
  params: Params;
  cells: CellFit[];
  objective: number;
  evals: number;
  iterations: number;
  converged: boolean;
}

/** Simulated spans of each cell's boots under `params` (each policy run once for all its cells). */
export function simulateCellSpans(cells: Cell[], params: Params, o: { cpus: number; seed: number; boots: number }): number[][] {
  const scenario = seedScenario(o.cpus);
  const runs = new Map<string, ReturnType<typeof simulateRun>>();
  for (const policy of new Set(cells.map((c) => c.policy))) runs.set(policy, simulateRun({ policy, scenario, params, seed: o.seed, boots: o.boots }));
  return cells.map((c) => runs.get(c.policy)!.boots.map((b) => b.modules[c.module].spanSeconds));
}

/** Simulated five-boot (or o.boots) means and spreads of each cell under `params`. */
export function simulateCells(cells: Cell[], params: Params, o: { cpus: number; seed: number; boots: number }): CellFit[] {
  const all = simulateCellSpans(cells, params, o);
  return cells.map((c, i) => {
    const spans = all[i];
    const measuredMean = meanOf(c.seconds);
    const simulatedMean = meanOf(spans);
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      measuredMean,
      simulatedMean,
      errorPct: ((simulatedMean - measuredMean) / measuredMean) * 100,
      measuredSd: sampleSd(c.seconds),
      simulatedSd: sampleSd(spans),
    };
  });
}

/** Sum of squared log ratios: a 10% miss costs the same on a 2 s cell as on a 45 s one. */
export function objectiveOf(fits: CellFit[]): number {
  return fits.reduce((a, c) => a + Math.log(c.simulatedMean / c.measuredMean) ** 2, 0);
}

export function paramsFrom(start: Params, free: FreeParam[], z: number[]): Params {
  const p = { ...start };
  free.forEach((f, i) => {
    const spec = paramSpecs[f.name] as { integer?: boolean };
    const x = fromUnit(f, z[i]);
    p[f.name as ParamName] = checkParam(f.name, spec.integer ? Math.round(x) : Number(x.toPrecision(6)));
  });
  return p;
}

/** Nelder-Mead settings, stored with the result. */
export const optimiser = { name: "nelder-mead", space: "logit of each bounded parameter", step: 0.6, tolF: 1e-5, tolX: 1e-3, restarts: 2 };

export function fit(o: FitOptions): FitResult {
  const f = (z: number[]) => objectiveOf(simulateCells(o.cells, paramsFrom(o.start, o.free, z), o));
  let z = o.free.map((p) => toUnit(p, o.start[p.name]));
  let evals = 0;
  let iterations = 0;
  let converged = false;
  let best = Infinity;
  // Restarting from the best vertex with a fresh simplex escapes early collapse; each restart is deterministic.
  for (let round = 0; round <= optimiser.restarts && evals < o.maxEvals; round++) {
    const r = nelderMead(f, z, {
      step: optimiser.step,
      maxEvals: o.maxEvals - evals,
      tolF: optimiser.tolF,
      tolX: optimiser.tolX,
      onIteration: ({ iteration, evals: e, bestF }) => {
        if (iteration % 10 === 1) o.onProgress?.(`  round ${round + 1}, iteration ${iteration}, ${evals + e} evaluations, objective ${bestF.toExponential(3)}`);
      },
    });
    evals += r.evals;
    iterations += r.iterations;
    converged = r.converged;
    const improved = r.f < best - optimiser.tolF;
    if (r.f < best) {
      best = r.f;
      z = r.x;
    }
    if (!improved) break;
  }
  const params = paramsFrom(o.start, o.free, z);
  const cells = simulateCells(o.cells, params, o);
  return { params, cells, objective: objectiveOf(cells), evals, iterations, converged };
}
