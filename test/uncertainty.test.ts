import assert from "node:assert/strict";
import { test } from "node:test";
import { loadBreakdown, mechanismExponent } from "../src/3-experiments/records/breakdown";
import { spanOfFirst } from "../src/3-experiments/records/external";
import { posteriorPredictiveRows } from "../src/5-views/tables/distributionRows";
import { predict, ratioPredictions } from "../src/3-experiments/records/uncertainty";
import { seedCells } from "./helpers";
import { BootResult, simulateBoot } from "../src/1-model/boot";
import { defaultParams } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";
import { figureTitle } from "../src/5-views/figures/spec";
import { breakdownFigure, parameterSpreadFigure, predictionVsCpusFigure, predictionVsLatencyFigure, ratioPredictionFigure } from "../src/5-views/figures/uncertainty";

const design = { seed: 3, boots: 4, bootsPerRefit: 2 };

test("predictions: identical refits give a zero-width interval; a slower refit widens it upwards", async () => {
  const p = defaultParams();
  const reqs = [{ scenario: seedScenario(32), policy: "base" }];
  const [same] = await predict(reqs, p, [p, p, p], design, { threads: 1, modules: ["acpi_cpufreq"] });
  // Zero width up to the rounding of the quantiles' interpolation (a x (1 - f) + a x f need not be a, bit for bit).
  assert.ok(Math.abs(same.p95Seconds - same.p5Seconds) <= 1e-12 * same.p5Seconds, `${same.p5Seconds} ${same.p95Seconds}`);
  assert.equal(same.refitMeans.length, 3);
  // A refit identical to the fit adds no shift: its expected span is the fitted mean over all boots, whatever its own 2 boots drew.
  assert.ok(Math.abs(same.refitMeans[0] - same.meanSeconds) < 1e-9 * same.meanSeconds);
  assert.ok(Math.abs(same.centralSeconds - same.meanSeconds) < 1e-9 * same.meanSeconds);
  const slow = { ...p, rcuGpExtraMs: p.rcuGpExtraMs * 3 };
  const [wide] = await predict(reqs, p, [p, p, slow], design, { threads: 1, modules: ["acpi_cpufreq"] });
  assert.ok(wide.p95Seconds > wide.p5Seconds);
  assert.ok(wide.refitMeans[2] > wide.refitMeans[0] * 1.5, JSON.stringify(wide.refitMeans));
  // Same boots for every refit: the two unchanged refits agree exactly (common random numbers).
  assert.equal(wide.refitMeans[0], wide.refitMeans[1]);
});

test("a flagged fit's widening: each interval becomes [p5 / k, p95 x k], a ratio's [p5 / k^2, p95 x k^2]; the central value stays", async () => {
  const p = defaultParams();
  const reqs = ["base", "merge"].map((policy) => ({ scenario: seedScenario(32), policy }));
  const refits = [p, { ...p, rcuGpExtraMs: 24 }, { ...p, rcuGpExtraMs: 6 }];
  const plain = await predict(reqs, p, refits, design, { threads: 1 });
  const wide = await predict(reqs, p, refits, design, { threads: 1, widenFactor: 1.25 });
  plain.forEach((a, i) => {
    const b = wide[i];
    assert.deepEqual([a.widenFactor, b.widenFactor], [1, 1.25]);
    assert.equal(b.centralSeconds, a.centralSeconds);
    assert.ok(Math.abs(b.p5Seconds - a.p5Seconds / 1.25) < 1e-12 && Math.abs(b.p95Seconds - a.p95Seconds * 1.25) < 1e-12, a.policy);
  });
  const [r0] = ratioPredictions(plain, "base", "merge", "acpi_cpufreq");
  const [r1] = ratioPredictions(wide, "base", "merge", "acpi_cpufreq");
  assert.equal(r1.widenFactor, 1.25 * 1.25);
  assert.ok(Math.abs(r1.p5 - r0.p5 / 1.5625) < 1e-12 && Math.abs(r1.p95 - r0.p95 * 1.5625) < 1e-12 && r1.ratio === r0.ratio);
  await assert.rejects(predict(reqs, p, refits, design, { threads: 1, widenFactor: 0.9 }), /widenFactor 0\.9 \(allowed >= 1\)/);
});

test("the base/merge ratio is taken refit by refit", async () => {
  const p = defaultParams();
  const reqs = ["base", "merge"].map((policy) => ({ scenario: seedScenario(32), policy }));
  const preds = await predict(reqs, p, [p, { ...p, rcuGpExtraMs: 24 }], design, { threads: 2 });
  const [r] = ratioPredictions(preds, "base", "merge", "acpi_cpufreq");
  assert.equal(r.cpus, 32);
  assert.ok(r.ratio > 1, String(r.ratio));
  assert.ok(r.p5 <= r.p95);
});

test("span of the first n logged attempts: a log cut short is compared like for like", () => {
  const b = { modules: { m: { logSeconds: [1, 1.5, 4, 9] }, n: { logSeconds: [0.5, 2] } } } as unknown as BootResult;
  assert.equal(spanOfFirst(b, ["m"], 2), 0.5);
  assert.equal(spanOfFirst(b, ["m"], 4), 8);
  assert.equal(spanOfFirst(b, ["m"], 99), 8);
  // Two modules together: 0.5, 1, 1.5, 2, ...
  assert.equal(spanOfFirst(b, ["m", "n"], 4), 1.5);
});

test("logTimes: the sorted log times span exactly the module's span", () => {
  const r = simulateBoot({ policy: "merge", scenario: seedScenario(16), params: defaultParams(), seed: 1, boot: 1, logTimes: true });
  const t = r.modules.acpi_cpufreq.logSeconds!;
  assert.ok(t.every((x, i) => i === 0 || x >= t[i - 1]));
  assert.ok(Math.abs(t[t.length - 1] - t[0] - r.modules.acpi_cpufreq.spanSeconds) < 1e-9);
});

test("a failing load's breakdown under base: grace periods dominate, the herd grows with the machine", () => {
  const p = defaultParams();
  const small = loadBreakdown(seedScenario(32), "base", p, "acpi_cpufreq", 1);
  const large = loadBreakdown(seedScenario(512), "base", p, "acpi_cpufreq", 1);
  assert.equal(small.fullLoads, 64);
  for (const b of [small, large]) {
    assert.ok(b.gracePeriodsMs > b.otherKernelMs, JSON.stringify(b));
    assert.ok(b.herdRechecksMs > 0 && b.mutexWaitMs >= 0);
  }
  assert.ok(large.herdRechecksMs > 4 * small.herdRechecksMs, `${small.herdRechecksMs} -> ${large.herdRechecksMs}`);
  // 512 CPUs: 1 + 512/256 = 3 FQS jiffies against 1 at 32 CPUs, so each grace period is longer.
  assert.ok(large.gracePeriodsMs > small.gracePeriodsMs);
  const k = mechanismExponent(small, large);
  assert.equal(k.requestsRatio, 16);
  assert.ok(k.exponent > 1 && k.exponent < 2, String(k.exponent));
});

test("posterior-predictive check: percentiles of the measured mean and sd, flagged outside 5-95", () => {
  const cells = seedCells().filter((c) => c.config === "base" && c.module === "acpi_cpufreq");
  const boots = (xs: number[]) => xs.map((s) => ({ modules: { acpi_cpufreq: { spanSeconds: s } } }) as unknown as BootResult);
  // Simulated spans all far above the measured ones: the mean lands at percentile 0 and is flagged.
  const high = posteriorPredictiveRows({ base: boots(Array.from({ length: 100 }, (_, i) => 60 + (i % 7))) }, cells);
  assert.equal(high[0].measuredMeanPercentile, 0);
  assert.equal(high[0].meanCheck, "below 5%");
  assert.equal(high[0].simulatedFiveBootMeans, 20);
  // Spans drawn around the measured ones: not flagged.
  const like = posteriorPredictiveRows({ base: boots(Array.from({ length: 200 }, (_, i) => cells[0].seconds[i % 5] + ((i * 37) % 11 - 5) * 0.05)) }, cells);
  assert.equal(like[0].meanCheck, "ok");
});

test("uncertainty figures: titles, axis labels with units, a legend entry per series", () => {
  const pred = (policy: string, cpus: number, initLatencyMs: number) => ({
    scenario: "seed", cpus, initLatencyMs, policy, module: "acpi_cpufreq", meanSeconds: 10, centralSeconds: 11, bootP5Seconds: 8, bootP95Seconds: 12, p5Seconds: 9, p95Seconds: 13, refits: 3, refitMeans: [9, 11, 13], widenFactor: 1, killedEvents: 0,
  });
  const figs = [
    predictionVsCpusFigure([pred("base", 64, 0), pred("base", 128, 0)], "acpi_cpufreq"),
    predictionVsLatencyFigure([pred("base", 288, 0), pred("base", 288, 100)], "acpi_cpufreq"),
    ratioPredictionFigure([{ cpus: 64, ratio: 3, p5: 2, p95: 4, widenFactor: 1 }], "base", "merge", "acpi_cpufreq"),
    parameterSpreadFigure([{ name: "herdRecheckUs", fitted: 10, median: 12, p5: 8, p95: 20, relativeWidth: 1.2 }]),
    breakdownFigure([{ cpus: 288, policy: "base", module: "acpi_cpufreq", fullLoads: 576, gracePeriodsMs: 50, mutexWaitMs: 1, herdRechecksMs: 3, otherKernelMs: 10, spanPerLoadMs: 78 }]),
  ];
  for (const f of figs) {
    assert.ok(figureTitle(f).length > 20, figureTitle(f));
    for (const axis of ["xaxis", "yaxis"]) assert.match(String((f.layout[axis] as any).title.text), /\(.+\)|parameter|machine/, `${figureTitle(f)} ${axis}`);
    assert.ok(f.data.some((t) => typeof t.name === "string" && t.showlegend !== false), figureTitle(f));
  }
});
