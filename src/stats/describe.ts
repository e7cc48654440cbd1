/** Descriptive statistics (mathjs for the standard ones). Plain numbers in, plain records out. */
import { max, mean, median, min, quantileSeq, std } from "mathjs";
import { invalid } from "../errors";

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
    mean: mean(v) as number,
    sd: sampleSd(v),
    median: median(v) as number,
    p5: quantileSeq(v, 0.05) as unknown as number,
    p95: quantileSeq(v, 0.95) as unknown as number,
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
  for (let i = 0; i + size <= xs.length; i += size) out.push(mean(xs.slice(i, i + size)) as number);
  return out;
}
