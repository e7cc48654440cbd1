/**
 * Nelder-Mead simplex minimisation (derivative-free), deterministic: no random
 * restarts, ties broken by index. Standard coefficients (reflection 1, expansion
 * 2, contraction 0.5, shrink 0.5). Works on unbounded coordinates; bounds are a
 * transform applied by the caller (bounds.ts).
 */
export interface NelderMeadOptions {
  /** Initial simplex edge, per coordinate (or one for all). */
  step: number | number[];
  maxEvals: number;
  /** Stop when the simplex's objective values span less than this. */
  tolF: number;
  /** Stop when every vertex is within this of the best, per coordinate. */
  tolX: number;
  onIteration?: (info: { iteration: number; evals: number; bestF: number; best: number[] }) => void;
}

export interface NelderMeadResult {
  x: number[];
  f: number;
  evals: number;
  iterations: number;
  converged: boolean;
}

export function nelderMead(f: (x: number[]) => number, x0: number[], o: NelderMeadOptions): NelderMeadResult {
  const n = x0.length;
  let evals = 0;
  const evaluate = (x: number[]) => {
    evals++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  const steps = typeof o.step === "number" ? x0.map(() => o.step as number) : o.step;
  let simplex: Array<{ x: number[]; f: number }> = [{ x: [...x0], f: evaluate(x0) }];
  for (let i = 0; i < n; i++) {
    const x = [...x0];
    x[i] += steps[i];
    simplex.push({ x, f: evaluate(x) });
  }
  let iteration = 0;
  let converged = false;
  const order = () => simplex.sort((a, b) => a.f - b.f);
  while (evals < o.maxEvals) {
    order();
    iteration++;
    o.onIteration?.({ iteration, evals, bestF: simplex[0].f, best: simplex[0].x });
    const best = simplex[0];
    const worst = simplex[n];
    const fSpan = worst.f - best.f;
    const xSpan = Math.max(...simplex.slice(1).map((v) => Math.max(...v.x.map((xi, i) => Math.abs(xi - best.x[i])))));
    if (fSpan < o.tolF && xSpan < o.tolX) {
      converged = true;
      break;
    }
    const centroid = Array.from({ length: n }, (_, i) => simplex.slice(0, n).reduce((s, v) => s + v.x[i], 0) / n);
    const along = (t: number) => centroid.map((c, i) => c + t * (worst.x[i] - c));
    const xr = along(-1);
    const fr = evaluate(xr);
    if (fr < best.f) {
      const xe = along(-2);
      const fe = evaluate(xe);
      simplex[n] = fe < fr ? { x: xe, f: fe } : { x: xr, f: fr };
    } else if (fr < simplex[n - 1].f) {
      simplex[n] = { x: xr, f: fr };
    } else {
      const outside = fr < worst.f;
      const xc = along(outside ? -0.5 : 0.5);
      const fc = evaluate(xc);
      if (fc < (outside ? fr : worst.f)) {
        simplex[n] = { x: xc, f: fc };
      } else {
        simplex = simplex.map((v, k) => {
          if (k === 0) return v;
          const x = v.x.map((xi, i) => best.x[i] + 0.5 * (xi - best.x[i]));
          return { x, f: evaluate(x) };
        });
      }
    }
  }
  order();
  return { x: simplex[0].x, f: simplex[0].f, evals, iterations: iteration, converged };
}
