/**
 * Predictions with the calibration's uncertainty. Every prediction runs the
 * model twice over: under the fitted parameters on many boots (their mean, and
 * the boot-to-boot 5-95% range), and under each bootstrap refit's parameters on
 * a few boots of the same seed (common random numbers, so the refits differ by
 * their parameters, not by their luck). The 5-95% range of the refits' means is
 * the prediction's 90% interval, and their median its central value: along
 * directions the seed hardly constrains (grace periods against the herd) the
 * refits settle to one side of the fitted point, so the fitted parameters' own
 * value is kept beside it (meanSeconds) rather than quoted alone.
 *
 * A calibration whose verdict is flagged (not converged, or missing a measured
 * mean beyond its 95% interval on unseen boots; calibrate/verdict.ts) gets no
 * interval narrower than its own miss: each interval becomes [p5 / k, p95 x k],
 * k the verdict's widenFactor (1 for a fit that is not flagged).
 */
import type { BootResult } from "../../1-model/boot";
import type { Params } from "../../1-model/params";
import { mean, quantile } from "../../core/stats/describe";
import type { Scenario } from "../../1-model/scenario";
import { BootJob, PoolOptions, runBoots } from "../parallel/pool";
import { seedMachineCpus } from "../../1-model/limits";

export interface PredictionDesign {
  seed: number;
  /** Boots under the fitted parameters. */
  boots: number;
  /** Boots under each refit's parameters. */
  bootsPerRefit: number;
}

/** One predicted quantity: a scenario, a policy, a module. */
export interface Prediction {
  scenario: string;
  cpus: number;
  /** The init-failure latency of the scenario's first module, ms (for sweeps over it). */
  initLatencyMs: number;
  policy: string;
  module: string;
  /** Mean span under the fitted parameters, seconds. */
  meanSeconds: number;
  /** The prediction: the median of the refits' means (the fitted parameters' mean when there are no refits). */
  centralSeconds: number;
  /** Boot-to-boot 5% and 95% under the fitted parameters. */
  bootP5Seconds: number;
  bootP95Seconds: number;
  /** The 90% interval of the expected span over the bootstrap refits. */
  p5Seconds: number;
  p95Seconds: number;
  refits: number;
  /** Each refit's expected span, in refit order: the fitted mean plus the refit's shift on the same boots. */
  refitMeans: number[];
  /** What p5Seconds and p95Seconds were widened by for the fit's own miss (1: the refits' 90% interval as it is). */
  widenFactor: number;
  /** udevd's killed events per boot (event timeout), mean over the fitted parameters' boots: where the timeout starts to act. */
  killedEvents: number;
}

export interface PredictionRequest {
  scenario: Scenario;
  policy: string;
}


/** A value from each boot of a (scenario, policy, module): the span by default. */
export type BootMetric = (b: BootResult, module: string) => number;
export const spanMetric: BootMetric = (b, m) => b.modules[m].spanSeconds;

/** Every job of a set of predictions, in a fixed order: fitted boots first, then each refit's. */
function jobsOf(reqs: PredictionRequest[], fitted: Params, refits: Params[], d: PredictionDesign, logTimes: boolean): BootJob[] {
  const jobs: BootJob[] = [];
  for (const r of reqs) {
    for (let b = 1; b <= d.boots; b++) jobs.push({ policy: r.policy, scenario: r.scenario, params: fitted, seed: d.seed, boot: b, logTimes });
    for (const p of refits) for (let b = 1; b <= d.bootsPerRefit; b++) jobs.push({ policy: r.policy, scenario: r.scenario, params: p, seed: d.seed, boot: b, logTimes });
  }
  return jobs;
}

/** Refits run boots 1..bootsPerRefit of the fitted parameters' boots, so there must be at least as many of those. */
function checkDesign(d: PredictionDesign): void {
  if (d.bootsPerRefit > d.boots) throw new Error(`prediction design: bootsPerRefit ${d.bootsPerRefit} > boots ${d.boots}`);
}

export async function predict(
  reqs: PredictionRequest[],
  fitted: Params,
  refits: Params[],
  d: PredictionDesign,
  o: PoolOptions & { metric?: BootMetric; modules?: string[]; logTimes?: boolean; widenFactor?: number } = {},
): Promise<Prediction[]> {
  checkDesign(d);
  const k = o.widenFactor ?? 1;
  if (!(k >= 1)) throw new Error(`predict: widenFactor ${k} (allowed >= 1)`);
  const metric = o.metric ?? spanMetric;
  const results = await runBoots(jobsOf(reqs, fitted, refits, d, o.logTimes === true), o);
  const perRequest = d.boots + refits.length * d.bootsPerRefit;
  const out: Prediction[] = [];
  reqs.forEach((r, i) => {
    const rs = results.slice(i * perRequest, (i + 1) * perRequest);
    const main = rs.slice(0, d.boots);
    for (const module of o.modules ?? Object.keys(r.scenario.modules)) {
      const xs = main.map((b) => metric(b, module));
      // Every refit runs boots 1..k of the seed, the first k of the fitted parameters' boots: what those k boots
      // add by their luck is common to all, so each refit's shift from the fitted parameters on the same k boots
      // is added to the fitted mean over all boots (a control variate: the luck of k boots cancels).
      const sameBoots = mean(xs.slice(0, d.bootsPerRefit));
      const refitMeans = refits.map((_, k) => {
        const own = mean(rs.slice(d.boots + k * d.bootsPerRefit, d.boots + (k + 1) * d.bootsPerRefit).map((b) => metric(b, module)));
        return mean(xs) + own - sameBoots;
      });
      out.push({
        scenario: r.scenario.name,
        cpus: r.scenario.cpus,
        initLatencyMs: Object.values(r.scenario.modules)[0].initLatencyMs,
        policy: r.policy,
        module,
        meanSeconds: mean(xs),
        centralSeconds: refits.length ? quantile(refitMeans, 0.5) : mean(xs),
        bootP5Seconds: quantile(xs, 0.05),
        bootP95Seconds: quantile(xs, 0.95),
        p5Seconds: refits.length ? quantile(refitMeans, 0.05) / k : NaN,
        p95Seconds: refits.length ? quantile(refitMeans, 0.95) * k : NaN,
        refits: refits.length,
        refitMeans,
        widenFactor: k,
        killedEvents: mean(main.map((b) => b.udevd.killedEvents)),
      });
    }
  });
  return out;
}

/** The prediction grid of notebook 03 and the commit message: boots per point and per refit. */
export const predictionDesign: PredictionDesign = { seed: 6, boots: 16, bootsPerRefit: 2 };
export const predictionCpus = [32, 64, 128, seedMachineCpus, 512, 1024, 2048];
export const predictionPolicies = ["base", "merge", "no-wait-going", "idempotent"];

export function predictionRequests(scenarioAt: (cpus: number) => Scenario, policies = predictionPolicies, cpus = predictionCpus): PredictionRequest[] {
  return policies.flatMap((policy) => cpus.map((c) => ({ scenario: scenarioAt(c), policy })));
}

/** Init-failure latencies at the seed's CPU count, for the latency curve's interval. */
export const predictionLatenciesMs = [0, 100, 500, 1000, 2000];

export interface RatioPrediction {
  cpus: number;
  ratio: number;
  p5: number;
  p95: number;
  /** What p5 and p95 were widened by (the product of the two spans' factors; 1 when not widened). */
  widenFactor: number;
}

/**
 * What a prediction's interval is called: the refits' 90% interval, or, for a
 * flagged fit, that interval widened by its miss ("90% interval widened x1.13").
 */
export function intervalName(widenFactor: number): string {
  return widenFactor > 1 ? `90% interval widened x${widenFactor.toFixed(2)}` : "90% interval";
}

/** "90% interval 6.9-7.2", or for a flagged fit "90% interval widened x1.13: 174-231" (the ends already formatted). */
export function intervalText(lo: string, hi: string, widenFactor: number): string {
  return `${intervalName(widenFactor)}${widenFactor > 1 ? ":" : ""} ${lo}-${hi}`;
}

/**
 * span(a) / span(b) per CPU count, with the 90% interval over refits (each
 * refit's own ratio), widened by both predictions' factors for a flagged fit
 * (each span may be off by its factor, in either direction).
 */
export function ratioPredictions(ps: Prediction[], a: string, b: string, module: string): RatioPrediction[] {
  const at = (policy: string, cpus: number) => ps.find((p) => p.policy === policy && p.module === module && p.cpus === cpus);
  const cpus = [...new Set(ps.filter((p) => p.module === module).map((p) => p.cpus))].sort((x, y) => x - y);
  return cpus.flatMap((c) => {
    const pa = at(a, c);
    const pb = at(b, c);
    if (!pa || !pb) return [];
    const rs = pa.refitMeans.map((m, i) => m / pb.refitMeans[i]);
    const k = pa.widenFactor * pb.widenFactor;
    return [{ cpus: c, ratio: rs.length ? quantile(rs, 0.5) : pa.meanSeconds / pb.meanSeconds, p5: rs.length ? quantile(rs, 0.05) / k : NaN, p95: rs.length ? quantile(rs, 0.95) * k : NaN, widenFactor: k }];
  });
}
