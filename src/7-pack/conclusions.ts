/**
 * The closing summaries of notebooks 02 and 03, as plain sentences read off the
 * records and tables, so each notebook ends with numbers a reviewer can quote
 * and a test can check.
 */
import type { CellFit } from "../3-experiments/calibrate/fit";
import type { BootResult } from "../1-model/boot";
import type { Band, PowerLaw } from "../3-experiments/sweep/aggregate";
import { Distribution, spans } from "../3-experiments/records/distributions";
import type { ExternalComparison } from "../3-experiments/records/external";
import { intervalText, Prediction } from "../3-experiments/records/uncertainty";
import { describe } from "../core/stats/describe";
import type { measuredTestRows, posteriorPredictiveRows } from "../5-views/tables/distributionRows";

const signed = (x: number, d = 0) => `${x >= 0 ? "+" : ""}${x.toFixed(d)}`;

export interface DistributionFindings {
  dist: Distribution;
  tests: ReturnType<typeof measuredTestRows>;
  ppc: ReturnType<typeof posteriorPredictiveRows>;
  timeline: { base: BootResult; merge: BootResult };
}

/** Notebook 02: medians per policy, the timeline boot's full loads, the weakest measured comparison, the check's flags. */
export function distributionConclusions(f: DistributionFindings, module = "acpi_cpufreq"): string[] {
  const median = (policy: string) => describe(spans(f.dist[policy], module)).median.toFixed(1);
  const fullLoads = (b: BootResult) => Object.values(b.modules).reduce((a, m) => a + m.fullLoads, 0);
  const weakest = f.tests.reduce((a, b) => (b.permutationP > a.permutationP ? b : a));
  const flagged = f.ppc.filter((r) => r.meanCheck !== "ok" || r.sdCheck !== "ok");
  return [
    `Median ${module} span: ${Object.keys(f.dist).map((p) => `${p} ${median(p)} s`).join(", ")}.`,
    `In the timeline boot, base ran ${fullLoads(f.timeline.base)} full loads and merge ${fullLoads(f.timeline.merge)}.`,
    `Largest permutation p among the measured comparisons: ${weakest.comparison} ${weakest.module}, p = ${weakest.permutationP.toFixed(4)}.`,
    flagged.length === 0
      ? "Posterior-predictive check: every measured mean and sd lies between the 5th and 95th percentile of the simulated ones."
      : `Posterior-predictive check, flagged: ${flagged
          .map((r) => `${r.config} ${r.module} (mean at percentile ${r.measuredMeanPercentile.toFixed(1)}, sd at ${r.measuredSdPercentile.toFixed(1)})`)
          .join("; ")}.`,
  ];
}

export interface SensitivityFindings {
  preds: Prediction[];
  cpuBands: Band[];
  latencyBands: Band[];
  /** Power-law fits of the CPU sweep, per policy. */
  fits: Record<string, PowerLaw>;
  external: ExternalComparison[];
  seedCpus: number;
  largerCpus: number;
}

function find<T>(xs: T[], what: string, pred: (x: T) => boolean): T {
  const x = xs.find(pred);
  if (x === undefined) throw new Error(`conclusions: no ${what}`);
  return x;
}

/** Notebook 03: predictions with intervals, scaling exponents, the external check, latency slopes, vmalloc. */
export function sensitivityConclusions(f: SensitivityFindings, module = "acpi_cpufreq"): string[] {
  const pred = (policy: string, cpus: number) => find(f.preds, `prediction ${policy} ${cpus}`, (p) => p.policy === policy && p.module === module && p.cpus === cpus);
  const withCi = (policy: string, cpus: number, d = 0) => {
    const p = pred(policy, cpus);
    return `${p.centralSeconds.toFixed(d)} s (${intervalText(p.p5Seconds.toFixed(d), p.p95Seconds.toFixed(d), p.widenFactor)})`;
  };
  const band = (bs: Band[], policy: string, cpus: number, latency: number) =>
    find(bs, `band ${policy} ${cpus} ${latency}`, (b) => b.policy === policy && b.module === module && b.cpus === cpus && b.initLatencyMs === latency);
  const latencies = [...new Set(f.latencyBands.map((b) => b.initLatencyMs))].sort((a, b) => a - b);
  const [lo, hi] = [latencies[0], latencies.find((l) => l === 1000) ?? latencies[latencies.length - 1]];
  const slopeMsPerMs = (policy: string) =>
    ((band(f.latencyBands, policy, f.seedCpus, hi).medianSpanSeconds - band(f.latencyBands, policy, f.seedCpus, lo).medianSpanSeconds) * 1000) / (hi - lo);
  const maxCpus = Math.max(...f.cpuBands.map((b) => b.cpus));
  const vmMiB = (policy: string) => band(f.cpuBands, policy, maxCpus, 0).medianPeakVmallocBytes / 1048576;
  const k = (policy: string) => f.fits[policy].exponent.toFixed(2);
  const doubled = f.largerCpus * 2;
  return [
    `At ${f.largerCpus} CPUs base is predicted to take ${withCi("base", f.largerCpus)} for ${module}, merge ${withCi("merge", f.largerCpus, 1)}, ` +
      `no-wait-going ${withCi("no-wait-going", f.largerCpus, 1)}, idempotent ${withCi("idempotent", f.largerCpus, 1)}.`,
    `At ${doubled} CPUs: base ${withCi("base", doubled)}, merge ${withCi("merge", doubled, 1)}.`,
    `Scaling exponents (${module}, 64-${maxCpus} CPUs): ${Object.keys(f.fits).map((p) => `${p} ${k(p)}`).join(", ")}.`,
    f.external.length === 0
      ? "External measurements: none for this study."
      : `External measurements: ${f.external
          .map((e) => `${e.cpus} CPUs ${e.policy} ${e.module} reported ${e.reportedSeconds.toFixed(2)} s vs ${e.predictedSeconds.toFixed(2)} s (${signed(e.errorPct)}%)`)
          .join("; ")}.`,
    `Each ms of init-failure latency adds ${slopeMsPerMs("base").toFixed(0)} ms to base's span at ${f.seedCpus} CPUs, ${slopeMsPerMs("merge").toFixed(0)} ms to merge's.`,
    `Peak vmalloc held by ${module} loads at ${maxCpus} CPUs: base ${vmMiB("base").toFixed(0)} MiB, merge ${vmMiB("merge").toFixed(1)} MiB, idempotent ${vmMiB("idempotent").toFixed(2)} MiB.`,
  ];
}

/** Notebook 01: the held-out prediction recomputed from the record, against the stored one and the aim. */
export function heldOutConclusions(predicted: CellFit[], stored: CellFit[], aimPct = 8): string[] {
  const same = predicted.length === stored.length && predicted.every((c, i) => c.simulatedMean === stored[i].simulatedMean);
  const worst = Math.max(...predicted.map((c) => Math.abs(c.errorPct)));
  return [`recomputed prediction equals the stored record: ${same}`, `largest prediction error: ${worst.toFixed(1)}% (aim: within ${aimPct}%)`];
}

/** Notebook 01: the worst mean and the range of spread ratios on the unseen boots. */
export function unseenConclusion(cells: CellFit[], maxModelNoisePct: number): string {
  const worst = cells.reduce((a, b) => (Math.abs(b.errorPct) > Math.abs(a.errorPct) ? b : a));
  const ratios = cells.map((c) => c.simulatedSd / c.measuredSd);
  return (
    `Worst mean on unseen boots: ${worst.config} ${worst.module}, ${worst.errorPct.toFixed(1)}% ` +
    `(model noise at most ${maxModelNoisePct.toFixed(1)}%). ` +
    `Spread ratios (simulated / measured sd): ${Math.min(...ratios).toFixed(2)}x to ${Math.max(...ratios).toFixed(2)}x.`
  );
}
