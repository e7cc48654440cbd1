/**
 * Levenberg-Marquardt least squares on a residual vector, with a forward
 * finite-difference Jacobian. Deterministic (no random restarts), so a fit is
 * reproducible. It suits calibration under common random numbers: the simulated
 * means are then a smooth, deterministic function of the parameters, and a
 * Gauss-Newton step needs one model run per free parameter where a simplex
 * search needs hundreds of runs. Works on unbounded coordinates; bounds are a
 * transform applied by the caller (bounds.ts).
 */
import { lusolve } from "mathjs";

export type Residuals = (z: number[]) => Promise<number[]>;

export interface LmOptions {
  /** Finite-difference step per coordinate. */
  h: number;
  maxIterations: number;
  /** Converged when an accepted step moves no coordinate by more than this... */
  tolStep: number;
  /** ...or lowers the objective by less than this fraction of it. */
  tolRel: number;
  /** Initial damping (relative to the diagonal of J'J). */
  lambda: number;
  /**
   * Wall-clock seconds the search may take, checked after each iteration: once
   * past it, the search stops, not converged, saying so. None when absent. A fit
   * stopped by its budget depends on the machine's speed (not reproducible).
   */
  budgetSeconds?: number;
}

export interface LmResult {
  z: number[];
  r: number[];
  f: number;
  evals: number;
  iterations: number;
  converged: boolean;
  /** Why it stopped, in words, for the record. */
  reason: string;
}

export const sumSq = (r: number[]) => r.reduce((a, x) => a + x * x, 0);

export async function jacobian(res: Residuals, z: number[], r0: number[], h: number): Promise<number[][]> {
  const cols: number[][] = [];
  for (let j = 0; j < z.length; j++) {
    const zj = [...z];
    zj[j] += h;
    const rj = await res(zj);
    cols.push(rj.map((v, i) => (v - r0[i]) / h));
  }
  // rows: residuals, columns: coordinates
  return r0.map((_, i) => cols.map((c) => c[i]));
}

/** The damped Gauss-Newton step: (J'J + lambda diag(J'J)) d = -J'r. */
export function lmStep(J: number[][], r: number[], lambda: number): number[] {
  const n = J[0].length;
  const A: number[][] = Array.from({ length: n }, () => new Array(n).fill(0));
  const g = new Array(n).fill(0);
  for (let i = 0; i < J.length; i++) {
    for (let a = 0; a < n; a++) {
      g[a] += J[i][a] * r[i];
      for (let b = 0; b < n; b++) A[a][b] += J[i][a] * J[i][b];
    }
  }
  // A floor on the diagonal keeps directions the data do not constrain from taking huge steps.
  for (let a = 0; a < n; a++) A[a][a] += lambda * Math.max(A[a][a], 1e-6);
  const d = lusolve(A, g.map((x) => -x)) as unknown as number[][];
  return d.map((row) => row[0]);
}

export async function levenbergMarquardt(
  res: Residuals,
  z0: number[],
  o: LmOptions,
  onIteration?: (info: { iteration: number; evals: number; f: number; lambda: number; z: number[]; r: number[] }) => void,
): Promise<LmResult & { jacobian: number[][] }> {
  let evals = 0;
  const started = Date.now();
  const run = async (z: number[]) => {
    evals++;
    const r = await res(z);
    return r.map((v) => (Number.isFinite(v) ? v : 1e6));
  };
  let z = [...z0];
  let r = await run(z);
  let f = sumSq(r);
  let lambda = o.lambda;
  let J: number[][] = [];
  for (let iteration = 1; iteration <= o.maxIterations; iteration++) {
    J = await jacobian(run, z, r, o.h);
    let accepted = false;
    for (let attempt = 0; attempt < 8 && !accepted; attempt++) {
      const d = lmStep(J, r, lambda);
      const zn = z.map((v, i) => v + d[i]);
      const rn = await run(zn);
      const fn = sumSq(rn);
      if (fn < f) {
        const drop = (f - fn) / f;
        const moved = Math.max(...d.map(Math.abs));
        z = zn;
        r = rn;
        f = fn;
        lambda = Math.max(lambda / 3, 1e-6);
        accepted = true;
        onIteration?.({ iteration, evals, f, lambda, z, r });
        if (moved < o.tolStep) return { z, r, f, evals, iterations: iteration, converged: true, reason: `step below ${o.tolStep} in every coordinate`, jacobian: J };
        if (drop < o.tolRel) return { z, r, f, evals, iterations: iteration, converged: true, reason: `objective fell by less than ${o.tolRel * 100}% in an iteration`, jacobian: J };
      } else {
        lambda *= 4;
      }
    }
    if (!accepted) {
      return { z, r, f, evals, iterations: iteration, converged: true, reason: "no damped step lowers the objective: a minimum at the Jacobian's resolution", jacobian: J };
    }
    const spentSeconds = (Date.now() - started) / 1000;
    if (o.budgetSeconds !== undefined && spentSeconds >= o.budgetSeconds && iteration < o.maxIterations) {
      return { z, r, f, evals, iterations: iteration, converged: false, reason: `time budget ${o.budgetSeconds} s reached after ${iteration} iterations (${spentSeconds.toFixed(0)} s)`, jacobian: J };
    }
  }
  return { z, r, f, evals, iterations: o.maxIterations, converged: false, reason: `iteration limit ${o.maxIterations} reached`, jacobian: J };
}

/**
 * Refit to new targets from a solution, keeping its Jacobian (a chord
 * Gauss-Newton iteration: one model run per step). Used for bootstrap refits,
 * whose targets differ from the original ones by a few percent.
 */
export async function chordRefit(res: Residuals, z0: number[], J: number[][], o: { maxEvals: number; tolStep: number; lambda: number }): Promise<LmResult> {
  let evals = 0;
  let z = [...z0];
  let r = await res(z);
  evals++;
  let f = sumSq(r);
  let lambda = o.lambda;
  while (evals < o.maxEvals) {
    const d = lmStep(J, r, lambda);
    const zn = z.map((v, i) => v + d[i]);
    const rn = await res(zn);
    evals++;
    const fn = sumSq(rn);
    if (fn < f) {
      z = zn;
      r = rn;
      f = fn;
      if (Math.max(...d.map(Math.abs)) < o.tolStep) return { z, r, f, evals, iterations: evals, converged: true, reason: "step below tolerance" };
    } else {
      lambda *= 4;
    }
  }
  return { z, r, f, evals, iterations: evals, converged: false, reason: `evaluation limit ${o.maxEvals}` };
}
