/**
 * Two-sample comparisons for small samples: Welch's t-test, an exact (or
 * seeded Monte Carlo) permutation test, Hedges' g, and a percentile bootstrap
 * confidence interval of a mean. Randomness only from an explicit seed.
 */
import { lgamma, mean, variance } from "mathjs";
import { Random } from "../random";
import { checkSample } from "./describe";

export interface WelchResult {
  t: number;
  df: number;
  /** Two-sided p-value. */
  p: number;
}

export function welchTTest(a: readonly number[], b: readonly number[]): WelchResult {
  const x = checkSample("a", a, 2);
  const y = checkSample("b", b, 2);
  const va = (variance(x) as unknown as number) / x.length;
  const vb = (variance(y) as unknown as number) / y.length;
  const t = ((mean(x) as number) - (mean(y) as number)) / Math.sqrt(va + vb);
  const df = (va + vb) ** 2 / (va ** 2 / (x.length - 1) + vb ** 2 / (y.length - 1));
  return { t, df, p: 2 * studentTSf(Math.abs(t), df) };
}

/** P(T > t) for Student's t with df degrees of freedom, via the regularized incomplete beta. */
export function studentTSf(t: number, df: number): number {
  const x = df / (df + t * t);
  const tail = 0.5 * regularizedBeta(x, df / 2, 0.5);
  return t >= 0 ? tail : 1 - tail;
}

/** I_x(a, b) by Lentz's continued fraction (Numerical Recipes 6.4). */
export function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const lnFront = (lgamma(a + b) as number) - (lgamma(a) as number) - (lgamma(b) as number) + a * Math.log(x) + b * Math.log(1 - x);
  const front = Math.exp(lnFront);
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(x, a, b)) / a;
  return 1 - (front * betaFraction(1 - x, b, a)) / b;
}

function betaFraction(x: number, a: number, b: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

export interface PermutationResult {
  /** Two-sided p-value for the difference in means. */
  p: number;
  /** Whether every relabelling was enumerated (else a seeded sample of them). */
  exact: boolean;
  permutations: number;
}

function choose(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/**
 * Permutation test of the difference in means. Exact when the number of
 * relabellings is at most `maxExact` (5 vs 5 boots: 252), otherwise `resamples`
 * seeded random relabellings.
 */
export function permutationTest(
  a: readonly number[],
  b: readonly number[],
  o: { seed?: number; resamples?: number; maxExact?: number } = {},
): PermutationResult {
  const x = checkSample("a", a);
  const y = checkSample("b", b);
  const all = [...x, ...y];
  const n = all.length;
  const k = x.length;
  const total = all.reduce((s, v) => s + v, 0);
  const observed = Math.abs(x.reduce((s, v) => s + v, 0) / k - (total - x.reduce((s, v) => s + v, 0)) / (n - k));
  const eps = 1e-12 * Math.max(1, Math.abs(observed));
  const diff = (sumA: number) => Math.abs(sumA / k - (total - sumA) / (n - k));
  const combos = choose(n, k);
  if (combos <= (o.maxExact ?? 100_000)) {
    let extreme = 0;
    const walk = (start: number, left: number, sum: number) => {
      if (left === 0) {
        if (diff(sum) >= observed - eps) extreme++;
        return;
      }
      for (let i = start; i <= n - left; i++) walk(i + 1, left - 1, sum + all[i]);
    };
    walk(0, k, 0);
    return { p: extreme / combos, exact: true, permutations: combos };
  }
  const rng = new Random(`permutation:${o.seed ?? 1}`);
  const resamples = o.resamples ?? 20_000;
  let extreme = 0;
  const idx = all.map((_, i) => i);
  for (let r = 0; r < resamples; r++) {
    rng.shuffle(idx);
    let s = 0;
    for (let i = 0; i < k; i++) s += all[idx[i]];
    if (diff(s) >= observed - eps) extreme++;
  }
  // The observed labelling counts as one of the permutations (never p = 0).
  return { p: (extreme + 1) / (resamples + 1), exact: false, permutations: resamples };
}

/** Hedges' g: Cohen's d with the pooled standard deviation, corrected for small samples. */
export function hedgesG(a: readonly number[], b: readonly number[]): number {
  const x = checkSample("a", a, 2);
  const y = checkSample("b", b, 2);
  const nx = x.length;
  const ny = y.length;
  const pooled = Math.sqrt(((nx - 1) * (variance(x) as unknown as number) + (ny - 1) * (variance(y) as unknown as number)) / (nx + ny - 2));
  const d = ((mean(x) as number) - (mean(y) as number)) / pooled;
  return d * (1 - 3 / (4 * (nx + ny) - 9));
}

/** Percentile bootstrap confidence interval of the mean, from a seed. */
export function bootstrapMeanCI(
  xs: readonly number[],
  o: { level?: number; resamples?: number; seed?: number } = {},
): { lo: number; hi: number; level: number; resamples: number } {
  const v = checkSample("sample", xs, 2);
  const level = o.level ?? 0.95;
  const resamples = o.resamples ?? 10_000;
  const rng = new Random(`bootstrap:${o.seed ?? 1}`);
  const means = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[rng.int(v.length)];
    means[r] = s / v.length;
  }
  means.sort();
  const at = (q: number) => means[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))];
  return { lo: at((1 - level) / 2), hi: at(1 - (1 - level) / 2), level, resamples };
}

/**
 * The two-sided critical value of Student's t: the t with P(|T| > t) = 1 - level,
 * found by bisection on studentTSf above (the t distribution's own tail, not a
 * sample quantile), to 1e-10 relative.
 */
export function studentTCritical(level: number, df: number): number {
  if (!(level > 0 && level < 1) || !(df > 0)) throw new Error(`studentTCritical: level ${level}, df ${df}`);
  const tail = (1 - level) / 2;
  let lo = 0;
  let hi = 1;
  while (studentTSf(hi, df) > tail) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-10 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (studentTSf(mid, df) > tail) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** The t-interval of a sample's mean: mean +- t(level, n - 1) x sd / sqrt(n). */
export function meanTInterval(xs: readonly number[], level = 0.95): { mean: number; lo: number; hi: number; level: number; n: number; t: number } {
  const v = checkSample("sample", xs, 2);
  const m = mean(v) as number;
  const t = studentTCritical(level, v.length - 1);
  const half = (t * Math.sqrt(variance(v) as unknown as number)) / Math.sqrt(v.length);
  return { mean: m, lo: m - half, hi: m + half, level, n: v.length, t };
}
