/**
 * Notebook 03's structural-variants record and table, and the marks on the
 * span-vs-CPU figures where the mechanisms that act at scale start.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { readCalibration } from "../src/3-experiments/calibrate/calibration";
import type { VariantFit } from "../src/3-experiments/calibrate/variants";
import { closeRenderer, renderFigure } from "../src/5-views/figures/render";
import { spanVsCpusFigure } from "../src/5-views/figures/sensitivity";
import { predictionVsCpusFigure } from "../src/5-views/figures/uncertainty";
import { childrenMax } from "../src/1-model/childrenMax";
import { fqsDelayJiffies } from "../src/1-model/params";
import { seedScenario } from "../src/1-model/scenarios";
import { childrenMaxCap, fqsSteps, scaleMarkers, timeoutOnset } from "../src/3-experiments/records/scaleMarkers";
import { predict, Prediction } from "../src/3-experiments/records/uncertainty";
import { predictVariants, variantFitsOf, variantShifts } from "../src/3-experiments/records/variantPredictions";
import { variantRows, variantShiftSentence } from "../src/5-views/tables/variantRows";

test("children_max's cap: the seed's systemd 251 reaches WORKER_NUM_MAX 2048 at 1016 CPUs (2 x 1016 + 16), computed from the rule", () => {
  const seed = seedScenario();
  const cap = childrenMaxCap(seed)!;
  assert.deepEqual(cap, { cpus: 1016, workers: 2048, cause: "WORKER_NUM_MAX", systemd: 251 });
  assert.ok(childrenMax(seed.udevd, cap.cpus - 1, seed.ramMiB) < 2048);
  // A machine with 64 GiB: the memory limit (512 workers) binds first, from 2 x 248 + 16 = 512.
  const small = { ...seed, ramMiB: 65536 };
  assert.deepEqual(childrenMaxCap(small), { cpus: 248, workers: 512, cause: "RAM / 128 MiB", systemd: 251 });
  // systemd before 239: 8 + 2 x CPUs, no cap up to the largest machine the model accepts.
  assert.equal(childrenMaxCap({ ...seed, udevd: { ...seed.udevd, systemd: 234 } }), null);
  // No udevd at all (insmod-style scenarios).
  assert.equal(childrenMaxCap({ ...seed, userspace: "direct" }), null);
});

test("the FQS delay's steps: every 256 CPUs, d one jiffy longer at each, at HZ=250 and HZ=1000", () => {
  const at250 = fqsSteps(250);
  assert.deepEqual(at250.slice(0, 4), [{ cpus: 256, jiffies: 2 }, { cpus: 512, jiffies: 3 }, { cpus: 768, jiffies: 4 }, { cpus: 1024, jiffies: 5 }]);
  assert.ok(at250.every((s) => s.cpus % 256 === 0 && fqsDelayJiffies(s.cpus, 250) === fqsDelayJiffies(s.cpus - 1, 250) + 1));
  const at1000 = fqsSteps(1000);
  assert.deepEqual(at1000.map((s) => s.cpus), at250.map((s) => s.cpus));
  assert.equal(at1000[0].jiffies, 4);
});

test("the timeout's onset: the smallest CPU count whose base boots had killed events; none without kills", () => {
  const pts = [
    { policy: "base", cpus: 512, killedEvents: 0 },
    { policy: "merge", cpus: 512, killedEvents: 3 },
    { policy: "base", cpus: 2048, killedEvents: 900 },
    { policy: "base", cpus: 1024, killedEvents: 40 },
  ];
  assert.deepEqual(timeoutOnset(pts, 180), { cpus: 1024, killedEvents: 40, previousCpus: 512, eventTimeoutS: 180 });
  assert.equal(timeoutOnset(pts.map((p) => ({ ...p, killedEvents: 0 })), 180), null);
});

test("the timeout marker comes from real boots: absent on a small machine, present once udevd's timeout is short enough to bite", async () => {
  const design = { seed: 3, boots: 2, bootsPerRefit: 1 };
  const at = (cpus: number, eventTimeoutS: number) => {
    const s = seedScenario(cpus);
    return { ...s, udevd: { ...s.udevd, eventTimeoutS } };
  };
  const params = readCalibration().params;
  const run = (eventTimeoutS: number) => predict([16, 64].map((c) => ({ scenario: at(c, eventTimeoutS), policy: "base" })), params, [], design, { threads: 1 });
  const plain = await run(180);
  assert.ok(plain.every((p) => p.killedEvents === 0), JSON.stringify(plain.map((p) => p.killedEvents)));
  assert.equal(scaleMarkers(at(64, 180), plain).timeout, null);
  // A 1 s timeout: base's duplicates at 64 CPUs sleep for seconds, so udevd kills some of them.
  const short = await run(1);
  const m = scaleMarkers(at(64, 1), short);
  const killedAt64 = short.find((p) => p.cpus === 64)!.killedEvents;
  assert.ok(killedAt64 > 0, "a 1 s timeout kills at 64 CPUs");
  assert.equal(m.timeout?.cpus, short.find((p) => p.killedEvents > 0)!.cpus);
  assert.equal(m.timeout?.eventTimeoutS, 1);
});

const pred = (cpus: number, central: number, killedEvents: number): Prediction => ({
  scenario: "seed", cpus, initLatencyMs: 0, policy: "base", module: "acpi_cpufreq", meanSeconds: central, centralSeconds: central, bootP5Seconds: central * 0.9,
  bootP95Seconds: central * 1.1, p5Seconds: central * 0.95, p95Seconds: central * 1.05, refits: 2, refitMeans: [central, central], widenFactor: 1, killedEvents,
});

type Shape = { name?: string; showlegend?: boolean; x0: number; legendgroup?: string };

test("span-vs-CPU figures: marks with legend names inside the data's CPU range; the axes still come from the data", () => {
  const preds = [128, 288, 512, 1024, 2048].map((c, i) => pred(c, 10 * 2 ** i, c >= 1024 ? 50 : 0));
  const markers = scaleMarkers(seedScenario(), preds);
  const plain = predictionVsCpusFigure(preds, "acpi_cpufreq");
  const marked = predictionVsCpusFigure(preds, "acpi_cpufreq", [], markers);
  assert.equal(plain.layout.shapes, undefined);
  assert.deepEqual(marked.layout.xaxis, plain.layout.xaxis);
  assert.deepEqual(marked.layout.yaxis, plain.layout.yaxis);
  const shapes = marked.layout.shapes as Shape[];
  const fqs = shapes.filter((s) => s.legendgroup === "fqs-steps");
  assert.deepEqual(fqs.map((s) => s.x0), [256, 512, 768, 1024, 1280, 1536, 1792, 2048]);
  assert.equal(fqs.filter((s) => s.showlegend).length, 1, "one legend entry for every step of d");
  assert.match(fqs[0].name!, /FQS delay d = 1 \+ nr_cpu_ids\/256 jiffies \(HZ=250\)/);
  const cap = shapes.find((s) => /children_max/.test(s.name ?? ""))!;
  assert.equal(cap.x0, 1016);
  assert.equal(cap.name, "children_max reaches its cap (2048 workers, WORKER_NUM_MAX; systemd 251) at 1016 CPUs");
  const timeout = shapes.find((s) => /event timeout/.test(s.name ?? ""))!;
  assert.equal(timeout.x0, 1024);
  assert.equal(timeout.name, "udevd's 180 s event timeout: base boots have killed events from 1024 CPUs (none at 512)");
  assert.ok(shapes.every((s) => typeof s.name === "string"), "every mark is named");

  // A figure of 32-512 CPUs: no cap or timeout mark (outside its range), d's steps at 256 and 512 only.
  const band = (cpus: number) => ({ policy: "base", module: "acpi_cpufreq", cpus, initLatencyMs: 0, initResult: "fail", boots: 3, medianSpanSeconds: cpus / 10, p5SpanSeconds: cpus / 11, p95SpanSeconds: cpus / 9, medianPeakVmallocBytes: 1, medianFullLoads: 1 });
  const fits = { base: { exponent: 1, prefactor: 0.1, r2: 1, points: 5 } };
  const small = spanVsCpusFigure([32, 64, 128, 256, 512].map(band), "acpi_cpufreq", fits, 0, markers);
  assert.deepEqual((small.layout.shapes as Shape[]).map((s) => s.x0), [256, 512]);
  assert.deepEqual(small.layout.xaxis, spanVsCpusFigure([32, 64, 128, 256, 512].map(band), "acpi_cpufreq", fits).layout.xaxis);
});

test("the marks' legend entries are drawn by plotly in the real browser", async () => {
  const preds = [512, 1024, 2048].map((c, i) => pred(c, 100 * 2 ** i, c >= 1024 ? 50 : 0));
  try {
    const svg = await renderFigure(predictionVsCpusFigure(preds, "acpi_cpufreq", [], scaleMarkers(seedScenario(), preds)), "svg");
    assert.match(svg, /children_max reaches its cap/);
    assert.match(svg, /event timeout: base boots have killed events from 1024 CPUs/);
    assert.match(svg, /FQS delay d = 1 \+ nr_cpu_ids\/256/);
  } finally {
    await closeRenderer();
  }
});

test("structural variants: each variant's fit from its record, base spans growing with CPUs, the choice that moves the answer most", async () => {
  const cal = readCalibration();
  const design = { policy: "base", cpus: [32, 64], seed: 3, boots: 2 };
  assert.deepEqual(variantFitsOf(cal).map((v) => v.name), ["reference"], "a record read alone: the reference");
  const twoFqs: VariantFit = { name: "two-fqs", summary: "two FQS waits per grace period", record: { ...cal, params: { ...cal.params, fqsRounds: 2 } } };
  const fits = [...variantFitsOf(cal), twoFqs];
  const vs = await predictVariants(fits, seedScenario(), design, { threads: 2 });
  const [ref, two] = vs;
  assert.equal(ref.fit.worstUnseenErrorPct, cal.unseen.maxAbsErrorPct);
  assert.equal(ref.fit.flagged, !cal.verdict.ok);
  assert.equal(ref.fit.cpus, cal.design.cpus);
  for (const v of vs) {
    for (const m of ["acpi_cpufreq", "pcc_cpufreq"]) assert.ok(v.points[1].spanSeconds[m] > v.points[0].spanSeconds[m], `${v.name} ${m}: 64 CPUs slower than 32`);
  }
  // Two FQS waits per grace period on the same boots: every failing load waits longer.
  for (const [i, p] of two.points.entries()) assert.ok(p.spanSeconds.acpi_cpufreq > ref.points[i].spanSeconds.acpi_cpufreq);
  const [shift] = variantShifts(vs, 64, "acpi_cpufreq");
  assert.equal(shift.name, "two-fqs");
  assert.ok(Math.abs(shift.shiftPct - (two.points[1].spanSeconds.acpi_cpufreq / ref.points[1].spanSeconds.acpi_cpufreq - 1) * 100) < 1e-9);
  assert.match(variantShiftSentence(vs, 64, "acpi_cpufreq"), /^At 64 CPUs the choice that moves acpi_cpufreq's base span most is two-fqs \(two FQS waits per grace period\): .* \(\+\d+%\)\.$/);
  assert.match(variantShiftSentence([ref], 64, "acpi_cpufreq"), /Only the reference structure has a calibration record/);

  const rows = variantRows(vs);
  assert.deepEqual(rows.map((r) => r.variant), ["reference", "two-fqs"]);
  assert.equal(rows[0][`worstUnseenErrorPct${cal.design.cpus}`], cal.unseen.maxAbsErrorPct);
  assert.equal(rows[0].acpi64Seconds, ref.points[1].spanSeconds.acpi_cpufreq);
  assert.equal(rows[1].pcc32Seconds, two.points[0].spanSeconds.pcc_cpufreq);
  assert.equal(rows[0]["killedPerBoot32/64"], "0 / 0");
});
