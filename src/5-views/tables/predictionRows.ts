/** Notebook 03's tables, read from the prediction and external-comparison records. */
import type { LoadBreakdown } from "../../3-experiments/records/breakdown";
import { ExternalComparison } from "../../3-experiments/records/external";
import type { Prediction, RatioPrediction } from "../../3-experiments/records/uncertainty";
import type { PowerLaw } from "../../3-experiments/sweep/aggregate";

/** One predicted point as a table row. */
export function predictionRows(ps: Prediction[]) {
  return ps.map((p) => ({
    policy: p.policy,
    module: p.module,
    cpus: p.cpus,
    expectedSpanSeconds: p.centralSeconds,
    interval90Seconds: `${p.p5Seconds.toFixed(2)}-${p.p95Seconds.toFixed(2)}`,
    fittedParamsSeconds: p.meanSeconds,
    bootToBootSeconds: `${p.bootP5Seconds.toFixed(2)}-${p.bootP95Seconds.toFixed(2)}`,
  }));
}

/** The comparisons as a table. */
export function externalRows(cs: ExternalComparison[]) {
  return cs.map((c) => ({
    measurement: c.id,
    machine: `${c.cpus} CPUs`,
    policy: c.policy,
    module: c.module,
    modelQuantity: c.measure,
    reportedSeconds: c.reportedSeconds,
    predictedSeconds: c.predictedSeconds,
    interval90Seconds: `${c.p5Seconds.toFixed(2)}-${c.p95Seconds.toFixed(2)}`,
    errorPct: c.errorPct,
    withinAim: c.withinAim ? "yes" : "no",
  }));
}

/** Power-law fits of a CPU sweep, one row per policy. */
export function scalingRows(fits: Record<string, PowerLaw>) {
  return Object.entries(fits).map(([policy, f]) => ({ policy, exponent: f.exponent, prefactorSeconds: f.prefactor, r2: f.r2, points: f.points }));
}

/** One policy's span over another's per CPU count, with its 90% interval over the refits. */
export function ratioRows(rs: RatioPrediction[]) {
  return rs.map((r) => ({ cpus: r.cpus, ratio: r.ratio, interval90: `${r.p5.toFixed(1)}-${r.p95.toFixed(1)}` }));
}

/** Where the time of one failing load goes, one row per machine. */
export function breakdownRows(bs: LoadBreakdown[]) {
  return bs.map((b) => ({ ...b }));
}
