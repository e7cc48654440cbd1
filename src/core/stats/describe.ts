/**
 * Descriptive statistics, the one place every module takes a mean (stats/mean.ts), a quantile or a
 * correlation from (mathjs underneath). Plain numbers in, plain records out.
 */
import { max, median, min, quantileSeq, std } from "mathjs";
import { invalid } from "../errors";
import { mean } from "./mean";

export { mean };

/**
 * The p-quantile (0-1) with linear interpolation between order statistics
 * (mathjs quantileSeq's definition, R's type 7). Unsorted input; mathjs selects
 * in a flattened copy, so the caller's array keeps its order.
 */
export function quantile(xs: readonly number[], p: number): number {
  return quantileSeq(xs as number[], p) as unknown as number;
}

/**
 * Pearson's correlation by the two-pass (centred) sums, 0 when either sample is
 * constant. Not mathjs's corr: it uses one-pass raw sums, n*sum(xy) - sum(x)*sum(y),
 * which cancel catastrophically when values cluster tightly. On the committed
 * bootstrap refits it agrees to 6 digits wherever a parameter varies, but for a
 * parameter pinned in every refit (herdRecheckUs) it gives NaN, +-Infinity or noise up to 1e-5
 * where this gives 0 or noise under 1e-13.
 */
export function correlation(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) throw invalid("correlation samples", `${a.length} and ${b.length} values`, "samples of equal length");
  const ma = mean(a);
  const mb = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < a.length; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

export interface Description {
  n: number;
  mean: number;
  /** Sample standard deviation (n - 1). */
  sd: number;
  median: number;
  p5: number;
  p95: number;
  min: number;
  max: number;
}

export function checkSample(name: string, xs: readonly number[], minN = 1): number[] {
  if (!Array.isArray(xs) || xs.length < minN) throw invalid(name, Array.isArray(xs) ? `${xs.length} values` : xs, `at least ${minN} values`);
  for (const x of xs) if (typeof x !== "number" || !Number.isFinite(x)) throw invalid(name, x, "finite numbers");
  return xs as number[];
}

export function describe(xs: readonly number[]): Description {
  const v = checkSample("sample", xs, 2);
  return {
    n: v.length,
    mean: mean(v),
    sd: sampleSd(v),
    median: median(v) as number,
    p5: quantile(v, 0.05),
    p95: quantile(v, 0.95),
    min: min(v) as number,
    max: max(v) as number,
  };
}

/** Sample standard deviation (n - 1), the one definition every table uses. */
export function sampleSd(xs: readonly number[]): number {
  return std(checkSample("sample", xs, 2), "unbiased") as unknown as number;
}

/** Where x falls in a sample, 0-100: the share below it plus half the share equal to it. */
export function percentileRank(x: number, sample: readonly number[]): number {
  const v = checkSample("sample", sample);
  let below = 0;
  let equal = 0;
  for (const s of v) {
    if (s < x) below++;
    else if (s === x) equal++;
  }
  return ((below + equal / 2) / v.length) * 100;
}

/** The empirical CDF as step points: sorted x with the share of the sample <= x. */
export function ecdf(xs: readonly number[]): { x: number[]; y: number[] } {
  const v = [...checkSample("sample", xs)].sort((a, b) => a - b);
  return { x: v, y: v.map((_, i) => (i + 1) / v.length) };
}

/** Consecutive groups of `size` (the last partial group dropped): e.g. five-boot means from many boots. */
export function groupMeans(xs: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i + size <= xs.length; i += size) out.push(mean(xs.slice(i, i + size)));
  return out;
}
