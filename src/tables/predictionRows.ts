/** Notebook 03's tables, read from the prediction and external-comparison records. */
import { ExternalComparison, externalTolerance } from "../records/external";
import type { Prediction, RatioPrediction } from "../records/uncertainty";
import type { PowerLaw } from "../sweep/aggregate";

/** One predicted point as a table row. */
export function predictionRows(ps: Prediction[]) {
  return ps.map((p) => ({
    policy: p.policy,
    module: p.module,
    cpus: p.cpus,
    "expected span s": p.centralSeconds,
    "90% interval s": `${p.p5Seconds.toFixed(2)}-${p.p95Seconds.toFixed(2)}`,
    "fitted parameters s": p.meanSeconds,
    "boot-to-boot 5-95% s": `${p.bootP5Seconds.toFixed(2)}-${p.bootP95Seconds.toFixed(2)}`,
  }));
}

/** The comparisons as a table. */
export function externalRows(cs: ExternalComparison[]) {
  return cs.map((c) => ({
    measurement: c.id,
    machine: `${c.cpus} CPUs`,
    policy: c.policy,
    module: c.module,
    "model quantity": c.measure,
    "reported s": c.reportedSeconds,
    "predicted s": c.predictedSeconds,
    "90% interval s": `${c.p5Seconds.toFixed(2)}-${c.p95Seconds.toFixed(2)}`,
    "error %": c.errorPct,
    [`within ${externalTolerance.belowPct}%..+${externalTolerance.abovePct}%`]: c.withinAim ? "yes" : "no",
  }));
}

/** Power-law fits of a CPU sweep, one row per policy. */
export function scalingRows(fits: Record<string, PowerLaw>) {
  return Object.entries(fits).map(([policy, f]) => ({ policy, "exponent k": f.exponent, "C (s)": f.prefactor, "r^2": f.r2, points: f.points }));
}

/** span(a) / span(b) per CPU count with its 90% interval over the refits. */
export function ratioRows(rs: RatioPrediction[], a: string, b: string) {
  return rs.map((r) => ({ cpus: r.cpus, [`${a} / ${b}`]: r.ratio, "90% interval": `${r.p5.toFixed(1)}-${r.p95.toFixed(1)}` }));
}
