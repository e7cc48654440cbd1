/**
 * Notebook 02's tables, read from the distributions record: the simulated spans
 * against the five measured boots, honest small-sample statistics on the
 * measurements, and the internal counts that explain the spans.
 */
import { Cell } from "../../2-measurements/measured";
import { countSamples, Distribution, spans } from "../../3-experiments/records/distributions";
import { describe, groupMeans, mean, percentileRank } from "../../core/stats/describe";
import { bootstrapMeanCI, hedgesG, permutationTest, welchTTest } from "../../core/stats/hypothesisTests";

/** Per policy and module: the simulated distribution and where the measured mean falls in it. */
export function distributionRows(dist: Distribution, cells: Cell[]) {
  const rows = [];
  for (const [policy, results] of Object.entries(dist)) {
    for (const module of Object.keys(results[0].modules)) {
      const s = spans(results, module);
      const d = describe(s);
      const cell = cells.find((c) => c.policy === policy && c.module === module);
      const measuredMean = cell ? mean(cell.seconds) : null;
      rows.push({
        policy,
        config: cell?.config ?? "",
        module,
        boots: d.n,
        meanSeconds: d.mean,
        sdSeconds: d.sd,
        medianSeconds: d.median,
        p5Seconds: d.p5,
        p95Seconds: d.p95,
        measuredMeanSeconds: measuredMean,
        // A measured five-boot mean is compared with simulated five-boot means (as many boots as measured), not single boots.
        measuredMeanPercentile: measuredMean === null ? null : percentileRank(measuredMean, groupMeans(s, cell!.seconds.length)),
      });
    }
  }
  return rows;
}

/** Bootstrap 95% confidence intervals of each measured five-boot mean. */
export function measuredCIRows(cells: Cell[], seed = 1) {
  return cells.map((c, i) => {
    const ci = bootstrapMeanCI(c.seconds, { seed: seed * 100 + i, resamples: 10_000 });
    return { config: c.config, module: c.module, meanSeconds: mean(c.seconds), ciLoSeconds: ci.lo, ciHiSeconds: ci.hi };
  });
}

/** The comparisons of measuredTestRows: every configuration against the last (the seed's: base vs my, revert vs my). */
export function measuredComparisons(cells: Cell[]): Array<[string, string]> {
  const configs = [...new Set(cells.map((c) => c.config))];
  const last = configs[configs.length - 1];
  return configs.slice(0, -1).map((c) => [c, last]);
}

/** "base vs my and revert vs my" */
export const measuredComparisonsTitle = (cells: Cell[]): string => measuredComparisons(cells).map(([a, b]) => `${a} vs ${b}`).join(" and ");

/** Welch's t, exact permutation test and Hedges' g for each configuration against the last (the seed's my), per module. */
export function measuredTestRows(cells: Cell[]) {
  const get = (config: string, module: string) => cells.find((c) => c.config === config && c.module === module)!.seconds;
  const rows = [];
  for (const module of [...new Set(cells.map((c) => c.module))]) {
    for (const [other, last] of measuredComparisons(cells)) {
      const a = get(other, module);
      const b = get(last, module);
      const w = welchTTest(a, b);
      const perm = permutationTest(a, b);
      rows.push({
        comparison: `${other} vs ${last}`,
        module,
        differenceSeconds: mean(a) - mean(b),
        welchT: w.t,
        welchDf: w.df,
        welchP: w.p,
        permutationP: perm.p,
        permutations: perm.permutations,
        hedgesG: hedgesG(a, b),
      });
    }
  }
  return rows;
}

export function countRows(dist: Distribution) {
  return Object.entries(dist).map(([policy, results]) => {
    const c = countSamples(results);
    return {
      policy,
      medianFullLoads: describe(c.fullLoads).median,
      medianHerdWakeups: describe(c.herdWakeups).median,
      medianPeakVmallocMiB: describe(c.peakVmallocMiB).median,
      p95PeakVmallocMiB: describe(c.peakVmallocMiB).p95,
    };
  });
}

/** One row per measured cell: measured mean with its bootstrap CI beside the simulated distribution. */
export function summaryRows(dist: Distribution, cells: Cell[]) {
  const sim = distributionRows(dist, cells);
  const ci = measuredCIRows(cells);
  return cells.map((c, i) => {
    const s = sim.find((r) => r.policy === c.policy && r.module === c.module)!;
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      measuredMeanSeconds: ci[i].meanSeconds,
      measuredCi: `${ci[i].ciLoSeconds.toFixed(3)}-${ci[i].ciHiSeconds.toFixed(3)}`,
      simulatedMeanSeconds: s.meanSeconds,
      simulatedSdSeconds: s.sdSeconds,
      simulatedP5P95Seconds: `${s.p5Seconds.toFixed(3)}-${s.p95Seconds.toFixed(3)}`,
      measuredMeanPercentile: s.measuredMeanPercentile,
    };
  });
}

/** Consecutive groups of `size`: e.g. five-boot samples from many boots. */
function groups(xs: readonly number[], size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i + size <= xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

/**
 * The posterior-predictive check: for each measured cell, where its five-boot
 * mean (and its five-boot sd) falls among the model's five-boot means (and sds)
 * under the calibrated parameters. A cell below the 5th or above the 95th
 * percentile is flagged: the model rarely produces a five-boot table like it.
 */
export function posteriorPredictiveRows(dist: Distribution, cells: Cell[], size?: number) {
  return cells.map((c) => {
    const gs = groups(spans(dist[c.policy], c.module), size ?? c.seconds.length);
    const meanPct = percentileRank(mean(c.seconds), gs.map(mean));
    const sdPct = percentileRank(describe(c.seconds).sd, gs.map((g) => describe(g).sd));
    const flag = (p: number) => (p < 5 ? "below 5%" : p > 95 ? "above 95%" : "ok");
    return {
      config: c.config,
      module: c.module,
      simulatedFiveBootMeans: gs.length,
      measuredMeanSeconds: mean(c.seconds),
      measuredMeanPercentile: meanPct,
      meanCheck: flag(meanPct),
      measuredSdSeconds: describe(c.seconds).sd,
      measuredSdPercentile: sdPct,
      sdCheck: flag(sdPct),
    };
  });
}
