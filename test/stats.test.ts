import assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { test } from "node:test";
import { mean as mathMean } from "mathjs";
import { FreeParam, toUnit } from "../src/3-experiments/calibrate/bounds";
import { UserError } from "../src/core/errors";
import { correlation, describe, ecdf, groupMeans, mean, percentileRank, quantile } from "../src/core/stats/describe";
import { bootstrapMeanCI, hedgesG, permutationTest, studentTSf, welchTTest } from "../src/core/stats/hypothesisTests";
import { Random } from "../src/core/random";
import { root } from "./helpers";

// Reference values computed with scipy 1.17 (scipy.stats.ttest_ind(equal_var=False), t.sf, permutation_test).
const a1 = [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4];
const a2 = [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4];

test("Welch's t on the textbook example (Wikipedia, Welch's t-test): t -2.4554, df 24.99, p 0.02138", () => {
  const r = welchTTest(a1, a2);
  assert.ok(Math.abs(r.t - -2.455356398286006) < 1e-9, String(r.t));
  assert.ok(Math.abs(r.df - 24.988529290231416) < 1e-9, String(r.df));
  assert.ok(Math.abs(r.p - 0.021378001462866992) < 1e-6, String(r.p));
});

test("Student t tail probabilities match tables", () => {
  assert.ok(Math.abs(2 * studentTSf(2.262, 9) - 0.05001284550245463) < 1e-7);
  assert.ok(Math.abs(1 - studentTSf(-1.5, 3.7) - 0.10679908460100675) < 1e-7);
  assert.equal(studentTSf(0, 5), 0.5);
});

test("the exact permutation test enumerates all 252 relabellings of 5 vs 5", () => {
  const r = permutationTest([1.2, 3.4, 2.2, 5.0, 4.1], [2.0, 1.1, 0.7, 1.9, 1.5]);
  assert.equal(r.exact, true);
  assert.equal(r.permutations, 252);
  assert.ok(Math.abs(r.p - 0.05555555555555555) < 1e-12, String(r.p));
  // Fully separated samples: only the two extreme labellings are as extreme.
  assert.ok(Math.abs(permutationTest([10, 11, 12, 13, 14], [1, 2, 3, 4, 5]).p - 2 / 252) < 1e-12);
});

test("the Monte Carlo permutation test is seeded and close to the exact answer", () => {
  const x = [1.2, 3.4, 2.2, 5.0, 4.1];
  const y = [2.0, 1.1, 0.7, 1.9, 1.5];
  const mc = permutationTest(x, y, { maxExact: 10, resamples: 20000, seed: 3 });
  assert.equal(mc.exact, false);
  assert.ok(Math.abs(mc.p - 0.0556) < 0.01, String(mc.p));
  assert.equal(permutationTest(x, y, { maxExact: 10, resamples: 2000, seed: 3 }).p, permutationTest(x, y, { maxExact: 10, resamples: 2000, seed: 3 }).p);
});

test("Hedges' g: zero for equal samples, sign and size for shifted ones", () => {
  assert.equal(hedgesG([1, 2, 3], [1, 2, 3]), 0);
  const g = hedgesG([2, 3, 4, 5, 6], [1, 2, 3, 4, 5]);
  // d = 1 / sd(1..5) = 1/1.5811; J = 1 - 3/(4*10-9)
  assert.ok(Math.abs(g - (1 / Math.sqrt(2.5)) * (1 - 3 / 31)) < 1e-12, String(g));
});

test("bootstrap 95% CI of the mean covers the true mean ~95% of the time on normal data", () => {
  const rng = new Random("coverage");
  const trials = 300;
  let covered = 0;
  for (let i = 0; i < trials; i++) {
    const xs = Array.from({ length: 30 }, () => 10 + 2 * rng.normal());
    const ci = bootstrapMeanCI(xs, { resamples: 1000, seed: i });
    if (ci.lo <= 10 && 10 <= ci.hi) covered++;
  }
  const coverage = covered / trials;
  // Percentile bootstrap with n = 30 under-covers slightly; 300 trials give +-2.5% sampling error.
  assert.ok(coverage > 0.88 && coverage < 0.99, `coverage ${coverage}`);
});

test("describe, percentile rank, ECDF and group means", () => {
  const d = describe([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.equal(d.mean, 5.5);
  assert.equal(d.median, 5.5);
  assert.ok(Math.abs(d.sd - 3.0276503540974917) < 1e-12);
  assert.ok(Math.abs(d.p5 - 1.45) < 1e-12 && Math.abs(d.p95 - 9.55) < 1e-12);
  assert.equal(percentileRank(5, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 45);
  assert.equal(percentileRank(0, [1, 2]), 0);
  assert.deepEqual(ecdf([3, 1, 2]), { x: [1, 2, 3], y: [1 / 3, 2 / 3, 1] });
  assert.deepEqual(groupMeans([1, 3, 5, 7, 9], 2), [2, 6]);
  assert.throws(() => describe([1, NaN, 3]), (e: unknown) => e instanceof UserError && e.message === "invalid sample: NaN (allowed finite numbers)");
});

test("mean, quantile and correlation: the one definition of each", () => {
  assert.equal(mean([1, 2, 3, 4]), 2.5);
  assert.ok(Number.isNaN(mean([])), "no values: NaN, not a throw");
  // Bit for bit the left-to-right sum it replaced (model/run.ts's meanOf), on values whose sum rounds.
  const rng = new Random("stats-mean");
  const xs = Array.from({ length: 1000 }, () => rng.uniform() * 1e3);
  assert.equal(mean(xs), xs.reduce((a, b) => a + b, 0) / xs.length);
  assert.equal(mean(xs), mathMean(xs));
  // Linear interpolation between order statistics (R type 7): position p x (n - 1).
  const unsorted = [4, 1, 3, 2];
  assert.equal(quantile(unsorted, 0.25), 1.75);
  assert.equal(quantile(unsorted, 0.5), 2.5);
  assert.equal(quantile(unsorted, 1), 4);
  assert.deepEqual(unsorted, [4, 1, 3, 2], "the caller's order is kept");
  assert.equal(correlation([1, 2, 3], [2, 4, 6]), 1);
  assert.equal(correlation([1, 2, 3], [3, 2, 1]), -1);
  assert.equal(correlation([1, 2, 3], [5, 5, 5]), 0, "a constant sample: 0, not NaN");
  assert.ok(Math.abs(correlation([1, 2, 3, 4, 5], [2, 1, 4, 3, 5]) - 0.8) < 1e-15);
  assert.throws(() => correlation([1, 2], [1, 2, 3]), (e: unknown) => e instanceof UserError && e.message === "invalid correlation samples: 2 and 3 values (allowed samples of equal length)");
});

/**
 * Each committed calibration's bootstrap spread and correlation matrix, recomputed
 * from its refits with stats/: the same six-digit numbers. full-bootstrap.json is
 * left out: it was written with the hand interpolation v[lo] + (v[hi] - v[lo]) x f,
 * and mathjs's (1 - f) x v[lo] + f x v[hi] lands its rcuBootSigma p95 on the other
 * side of a rounding tie (exactly 0.02360925: 0.0236092 committed, 0.0236093 now).
 */
test("the committed calibrations' bootstrap spread and correlations are what stats/ computes from their refits", () => {
  const studies = path.join(root, "data", "studies");
  const files = [
    "pavlu-2022-10-15/calibration.json",
    "synthetic-edac-96/calibration.json",
    ...fs.readdirSync(path.join(studies, "pavlu-2022-10-15", "variants")).map((f) => `pavlu-2022-10-15/variants/${f}`),
  ];
  const round6 = (x: number) => Number(x.toPrecision(6));
  for (const file of files) {
    const rec = JSON.parse(fs.readFileSync(path.join(studies, file), "utf8"));
    const b = rec.bootstrap;
    for (const s of b.spread) {
      const xs: number[] = b.refits.map((r: { params: Record<string, number> }) => r.params[s.name]);
      const [p5, p95] = [quantile(xs, 0.05), quantile(xs, 0.95)];
      const got = { name: s.name, fitted: s.fitted, median: round6(quantile(xs, 0.5)), p5: round6(p5), p95: round6(p95), relativeWidth: round6((p95 - p5) / s.fitted) };
      assert.deepEqual(got, s, `${file} ${s.name}`);
    }
    const zs = b.correlations.names.map((n: string) => {
      const f = rec.free.find((x: FreeParam) => x.name === n) as FreeParam;
      return b.refits.map((r: { params: Record<string, number> }) => toUnit(f, r.params[n]));
    });
    assert.deepEqual(zs.map((a: number[]) => zs.map((c: number[]) => round6(correlation(a, c)))), b.correlations.matrix, file);
  }
});
