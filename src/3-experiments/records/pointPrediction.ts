/**
 * `modburst predict`: one policy on one machine, the expected span of each
 * module with its 90% interval across the calibration's structural variants x
 * bootstrap refits (calibration.ts refitParams), and which variant and refit
 * gave each end. A cached record like every other (same design as notebook
 * 03's predictions), so asking twice computes once.
 */
import type { CalibrationRecord } from "../calibrate/calibration";
import { refitParams, refitVariants } from "../calibrate/calibration";
import type { Scenario } from "../../1-model/scenario";
import { defineExperiment } from "./cache";
import type { Progress } from "./experiments";
import { predict, Prediction, predictionDesign } from "./uncertainty";

/** Which refit of which variant an end of the interval came from (the refit whose mean is nearest the quantile). */
export interface IntervalEnd {
  variant: string;
  /** 1-based, within its variant's refits. */
  refit: number;
  seconds: number;
}

export interface PointPrediction extends Prediction {
  /** The structural variants the interval is taken across, with how many refits each gave. */
  variants: Array<{ name: string; refits: number; medianSeconds: number; minSeconds: number; maxSeconds: number }>;
  low: IntervalEnd;
  high: IntervalEnd;
}

export const pointPredictions = defineExperiment(
  "predict",
  (cal: CalibrationRecord, scenario: Scenario, policy: string, _o: Progress = {}) => ({ scenario, policy, params: cal.params, refits: refitParams(cal), variants: refitVariants(cal), design: predictionDesign, widenFactor: cal.verdict.widenFactor }),
  async (cal, scenario, policy, o = {}): Promise<PointPrediction[]> => {
    const ps = await predict([{ scenario, policy }], cal.params, refitParams(cal), predictionDesign, { ...o, widenFactor: cal.verdict.widenFactor });
    return ps.map((p) => withProvenance(p, refitVariants(cal)));
  },
);

/** Per variant, its refits' spread; and the refits nearest each end of the interval. */
export function withProvenance(p: Prediction, labels: string[]): PointPrediction {
  const names = [...new Set(labels)];
  const variants = names.map((name) => {
    const xs = p.refitMeans.filter((_, i) => labels[i] === name).sort((a, b) => a - b);
    return { name, refits: xs.length, medianSeconds: xs[Math.floor((xs.length - 1) / 2)], minSeconds: xs[0], maxSeconds: xs[xs.length - 1] };
  });
  const nearest = (target: number): IntervalEnd => {
    let best = 0;
    p.refitMeans.forEach((m, i) => {
      if (Math.abs(m - target) < Math.abs(p.refitMeans[best] - target)) best = i;
    });
    const refit = labels.slice(0, best + 1).filter((l) => l === labels[best]).length;
    return { variant: labels[best], refit, seconds: p.refitMeans[best] };
  };
  return { ...p, variants, low: nearest(p.p5Seconds * p.widenFactor), high: nearest(p.p95Seconds / p.widenFactor) };
}
