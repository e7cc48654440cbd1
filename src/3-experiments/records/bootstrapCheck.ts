/**
 * How far the calibration's linearised bootstrap is from a full one. Each
 * linearised refit takes a few Gauss-Newton steps from the fitted point with its
 * Jacobian; a full refit (`calibrate --bootstrap N --full`) runs a whole fit to
 * the same resample. Both records fit the same cells on the same boots and draw
 * the same resamples (resample b of seed 1 is the same in both), so refit b of
 * one is compared with refit b of the other: per free parameter its 5-95% range,
 * and the `base` prediction at larger machines under each set of refits.
 */
import type { CalibrationRecord } from "../calibrate/calibration";
import type { Params } from "../../1-model/params";
import type { Scenario } from "../../1-model/scenario";
import { withCpus } from "../../1-model/scenario";
import { quantile } from "../../core/stats/describe";
import { defineExperiment } from "./cache";
import type { Progress } from "./experiments";
import { predict, Prediction, predictionDesign } from "./uncertainty";


/** The CPU counts the two bootstraps' predictions are compared at. */
export const bootstrapCheckCpus = [1024, 1536];

export interface ParamRangeComparison {
  name: string;
  fitted: number;
  linearisedP5: number;
  linearisedP95: number;
  fullP5: number;
  fullP95: number;
}

export interface BootstrapComparison {
  refits: number;
  params: ParamRangeComparison[];
  linearised: Prediction[];
  full: Prediction[];
}

/** The first `n` linearised refits: the same resamples as the full record's. */
const linearisedRefits = (cal: CalibrationRecord, n: number): Params[] => cal.bootstrap.refits.slice(0, n).map((r) => r.params);
const fullRefits = (full: CalibrationRecord): Params[] => full.bootstrap.refits.map((r) => r.params);

export function paramRanges(cal: CalibrationRecord, full: CalibrationRecord): ParamRangeComparison[] {
  const n = full.bootstrap.refits.length;
  return cal.free.map((f) => {
    const lin = linearisedRefits(cal, n).map((p) => p[f.name]);
    const ful = fullRefits(full).map((p) => p[f.name]);
    return { name: f.name, fitted: cal.params[f.name], linearisedP5: quantile(lin, 0.05), linearisedP95: quantile(lin, 0.95), fullP5: quantile(ful, 0.05), fullP95: quantile(ful, 0.95) };
  });
}

const requests = (scenario: Scenario) => bootstrapCheckCpus.map((cpus) => ({ scenario: withCpus(scenario, cpus), policy: "base" }));

export const bootstrapComparison = defineExperiment(
  "bootstrap-check",
  (cal: CalibrationRecord, full: CalibrationRecord, scenario: Scenario, _o: Progress = {}) => ({
    reqs: requests(scenario),
    params: cal.params,
    linearised: linearisedRefits(cal, full.bootstrap.refits.length),
    full: fullRefits(full),
    design: predictionDesign,
  }),
  async (cal, full, scenario, o = {}): Promise<BootstrapComparison> => {
    const n = full.bootstrap.refits.length;
    return {
      refits: n,
      params: paramRanges(cal, full),
      linearised: await predict(requests(scenario), cal.params, linearisedRefits(cal, n), predictionDesign, o),
      full: await predict(requests(scenario), cal.params, fullRefits(full), predictionDesign, o),
    };
  },
);

/** One row per free parameter, then one per predicted point: the two bootstraps' 5-95% ranges side by side. */
export function bootstrapComparisonRows(c: BootstrapComparison) {
  const r = (x: number) => Number(x.toPrecision(3));
  const params = c.params.map((p) => ({ quantity: p.name, fitted: r(p.fitted), linearised5to95: `${r(p.linearisedP5)}-${r(p.linearisedP95)}`, full5to95: `${r(p.fullP5)}-${r(p.fullP95)}` }));
  const preds = c.linearised.map((l, i) => {
    const f = c.full[i];
    return { quantity: `base ${l.module} span at ${l.cpus} CPUs, s`, fitted: r(l.meanSeconds), linearised5to95: `${r(l.p5Seconds)}-${r(l.p95Seconds)}`, full5to95: `${r(f.p5Seconds)}-${r(f.p95Seconds)}` };
  });
  return [...params, ...preds];
}

/** How much wider (or narrower) the full bootstrap's prediction intervals are than the linearised ones: width ratios. */
export function intervalWidthRatios(c: BootstrapComparison): Array<{ cpus: number; module: string; ratio: number }> {
  return c.linearised.map((l, i) => ({ cpus: l.cpus, module: l.module, ratio: (c.full[i].p95Seconds - c.full[i].p5Seconds) / (l.p95Seconds - l.p5Seconds) }));
}
