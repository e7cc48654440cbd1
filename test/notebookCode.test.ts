/** What moved out of notebook cells into src/: the policy table, the request counts, the conclusions. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { requestsPerBootFigure } from "../src/5-views/figures/requests";
import { seedMachineCpus } from "../src/1-model/limits";
import { policyNames } from "../src/1-model/policies";
import { seedScenario } from "../src/1-model/scenarios";
import { policyRows } from "../src/5-views/tables/policyRows";
import { seedCells } from "./helpers";
import { defaultParams } from "../src/1-model/params";
import { bootJobs, runBoots } from "../src/3-experiments/parallel/pool";
import { spans } from "../src/3-experiments/records/distributions";
import { distributionConclusions, heldOutConclusions, sensitivityConclusions, unseenConclusion } from "../src/7-pack/conclusions";
import { describe } from "../src/core/stats/describe";
import { measuredTestRows, posteriorPredictiveRows } from "../src/5-views/tables/distributionRows";

test("the seed machine's CPU count is defined once and agrees with the seed study's scenario.json", () => {
  assert.equal(seedScenario().cpus, seedMachineCpus);
});

test("policy table: one row per registered policy, each with its kernel and commit", () => {
  const rows = policyRows();
  assert.deepEqual(rows.map((r) => r.policy), policyNames);
  const byName = Object.fromEntries(rows.map((r) => [r.policy, r]));
  assert.equal(byName["no-wait-going"].kernel, "v6.2");
  assert.equal(byName["no-wait-going"].commit, "0254127ab977");
  assert.equal(byName.idempotent.commit, "9b9879fc0327");
  for (const r of rows) assert.ok(r.kernel && r.commit && r.behaviour, r.policy);
});

test("requests per boot come from the scenario: one pcc and two acpi requests per CPU on the seed machine", () => {
  const fig = requestsPerBootFigure(seedScenario());
  const y = Object.fromEntries(fig.data.map((t) => [t.name as string, (t.y as number[])[0]]));
  assert.deepEqual(y, { pcc_cpufreq: seedMachineCpus, acpi_cpufreq: 2 * seedMachineCpus });
  const at96 = requestsPerBootFigure(seedScenario(96));
  assert.match(String((at96.layout.title as { text: string }).text), /96-CPU machine/);
});

test("notebook 02's conclusions: medians per policy, full loads, the weakest comparison, the check's flags", async () => {
  const cells = seedCells();
  const scenario = seedScenario(48);
  const params = defaultParams();
  const runs = await runBoots(bootJobs(policyNames, scenario, params, 3, 10), { threads: 1 });
  const dist = Object.fromEntries(policyNames.map((p) => [p, runs.filter((r) => r.policy === p)]));
  const tests = measuredTestRows(cells);
  const ppc = posteriorPredictiveRows(dist, cells);
  const timeline = { base: dist.base[0], merge: dist.merge[0] };
  const lines = distributionConclusions({ dist, tests, ppc, timeline });
  assert.equal(lines.length, 4);
  const median = (p: string) => describe(spans(dist[p], "acpi_cpufreq")).median.toFixed(1);
  assert.ok(lines[0].includes(`base ${median("base")} s`) && lines[0].includes(`idempotent ${median("idempotent")} s`), lines[0]);
  const fullLoads = Object.values(dist.base[0].modules).reduce((a, m) => a + m.fullLoads, 0);
  assert.ok(lines[1].includes(`base ran ${fullLoads} full loads`), lines[1]);
  const weakest = Math.max(...tests.map((r) => r.permutationP));
  assert.ok(lines[2].endsWith(`p = ${weakest.toFixed(4)}.`), lines[2]);
  // A 48-CPU model is far from the 288-CPU measurements: the check must flag cells, by name.
  assert.match(lines[3], /^Posterior-predictive check, flagged: base pcc_cpufreq \(mean at percentile/);
});

test("notebook 03's conclusions: intervals, exponents, external errors, latency slopes, vmalloc", () => {
  const pred = (policy: string, cpus: number, central: number) => ({
    scenario: "seed", cpus, initLatencyMs: 0, policy, module: "acpi_cpufreq", meanSeconds: central, centralSeconds: central,
    bootP5Seconds: central * 0.8, bootP95Seconds: central * 1.2, p5Seconds: central * 0.9, p95Seconds: central * 1.1, refits: 2, refitMeans: [central, central], widenFactor: 1, killedEvents: 0,
  });
  const policies = ["base", "merge", "no-wait-going", "idempotent"];
  const preds = [1024, 2048].flatMap((c) => policies.map((p, i) => pred(p, c, (c / 10) * (i === 0 ? 10 : 1))));
  const band = (policy: string, cpus: number, initLatencyMs: number, medianSpanSeconds: number, vmallocMiB = 1) => ({
    policy, module: "acpi_cpufreq", cpus, initLatencyMs, initResult: "fail", boots: 3, medianSpanSeconds, p5SpanSeconds: 0, p95SpanSeconds: 0,
    medianPeakVmallocBytes: vmallocMiB * 1048576, medianFullLoads: 1,
  });
  const cpuBands = ["base", "merge", "idempotent"].map((p, i) => band(p, 4096, 0, 1, [300, 2.5, 0.25][i]));
  const latencyBands = ["base", "merge"].flatMap((p) => [band(p, 288, 0, 10), band(p, 288, 1000, p === "base" ? 586 : 11)]);
  const fits = Object.fromEntries(["base", "merge"].map((p, i) => [p, { exponent: [1.45, 1.02][i], prefactor: 1, r2: 1, points: 6 }]));
  const external = [{ id: "x", sourceId: "s", cpus: 192, kernel: "k", policy: "base", module: "acpi_cpufreq", measure: "m", reportedSeconds: 5.5, predictedSeconds: 5.0,
    p5Seconds: 4, p95Seconds: 6, bootP5Seconds: 4, bootP95Seconds: 6, errorPct: 10, withinAim: true }];
  const lines = sensitivityConclusions({ preds, cpuBands, latencyBands, fits, external, seedCpus: 288, largerCpus: 1024 });
  assert.equal(lines[0], "At 1024 CPUs base is predicted to take 1024 s (90% interval 922-1126) for acpi_cpufreq, merge 102.4 s (90% interval 92.2-112.6), " +
    "no-wait-going 102.4 s (90% interval 92.2-112.6), idempotent 102.4 s (90% interval 92.2-112.6).");
  assert.match(lines[1], /^At 2048 CPUs: base 2048 s/);
  assert.equal(lines[2], "Scaling exponents (acpi_cpufreq, 64-4096 CPUs): base 1.45, merge 1.02.");
  assert.equal(lines[3], "External measurements: 192 CPUs base acpi_cpufreq reported 5.50 s vs 5.00 s (+10%).");
  assert.equal(lines[4], "Each ms of init-failure latency adds 576 ms to base's span at 288 CPUs, 1 ms to merge's.");
  assert.equal(lines[5], "Peak vmalloc held by acpi_cpufreq loads at 4096 CPUs: base 300 MiB, merge 2.5 MiB, idempotent 0.25 MiB.");
  assert.throws(() => sensitivityConclusions({ preds: [], cpuBands, latencyBands, fits, external, seedCpus: 288, largerCpus: 1024 }), /conclusions: no prediction base 1024/);
});

test("notebook 01's conclusions: the held-out check against its record, the worst unseen mean and the spread ratios", () => {
  const fit = (config: string, module: string, errorPct: number, simulatedSd: number, simulatedMean = 2) => ({
    config, policy: "merge", module, measuredMean: 2, simulatedMean, errorPct, measuredSd: 0.2, simulatedSd, boots: 400,
  });
  const predicted = [fit("my", "pcc_cpufreq", -11.2, 0.15, 1.78), fit("my", "acpi_cpufreq", 3, 0.9, 7)];
  assert.deepEqual(heldOutConclusions(predicted, predicted), ["recomputed prediction equals the stored record: true", "largest prediction error: 11.2% (aim: within 8%)"]);
  assert.match(heldOutConclusions(predicted, [predicted[0], fit("my", "acpi_cpufreq", 3, 0.9, 7.1)])[0], /: false$/);
  assert.equal(
    unseenConclusion([fit("base", "pcc_cpufreq", 0.3, 0.1), fit("revert", "acpi_cpufreq", -3, 0.472)], 1.3),
    "Worst mean on unseen boots: revert acpi_cpufreq, -3.0% (model noise at most 1.3%). Spread ratios (simulated / measured sd): 0.50x to 2.36x.",
  );
});
