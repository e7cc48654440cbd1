/** Summaries of sweep rows: medians and 5-95% bands per point, power-law fits, ratios. */
import { mean, quantile } from "../../core/stats/describe";
import { invalid } from "../../core/errors";
import type { SweepRow } from "./csv";

export interface Band {
  policy: string;
  module: string;
  cpus: number;
  initLatencyMs: number;
  initResult: string;
  boots: number;
  medianSpanSeconds: number;
  p5SpanSeconds: number;
  p95SpanSeconds: number;
  medianPeakVmallocBytes: number;
  medianFullLoads: number;
}


/** One band per (policy, module, cpus, latency, result), in first-seen order. */
export function bands(rows: SweepRow[]): Band[] {
  const groups = new Map<string, SweepRow[]>();
  for (const r of rows) {
    const k = [r.policy, r.module, r.cpus, r.initLatencyMs, r.initResult].join("|");
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => {
    const s = g.map((r) => r.spanSeconds);
    return {
      policy: g[0].policy,
      module: g[0].module,
      cpus: g[0].cpus,
      initLatencyMs: g[0].initLatencyMs,
      initResult: g[0].initResult,
      boots: g.length,
      medianSpanSeconds: quantile(s, 0.5),
      p5SpanSeconds: quantile(s, 0.05),
      p95SpanSeconds: quantile(s, 0.95),
      medianPeakVmallocBytes: quantile(g.map((r) => r.peakVmallocBytes), 0.5),
      medianFullLoads: quantile(g.map((r) => r.fullLoads), 0.5),
    };
  });
}

export interface PowerLaw {
  /** y = prefactor * x^exponent */
  exponent: number;
  prefactor: number;
  /** Coefficient of determination of the log-log fit. */
  r2: number;
  points: number;
}

/** Least squares on log x, log y; points with y <= 0 cannot be on a log scale and are refused. */
export function fitPowerLaw(xs: number[], ys: number[]): PowerLaw {
  if (xs.length !== ys.length || xs.length < 2) throw invalid("power-law data", `${xs.length} x, ${ys.length} y`, "two or more (x, y) pairs");
  for (const [i, v] of [...xs, ...ys].entries()) if (!(v > 0) || !Number.isFinite(v)) throw invalid(`power-law value #${i}`, v, "positive finite numbers");
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const n = lx.length;
  const mx = mean(lx);
  const my = mean(ly);
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (lx[i] - mx) * (ly[i] - my);
    sxx += (lx[i] - mx) ** 2;
    syy += (ly[i] - my) ** 2;
  }
  const exponent = sxy / sxx;
  const intercept = my - exponent * mx;
  const r2 = syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
  return { exponent, prefactor: Math.exp(intercept), r2, points: n };
}

/** Fit span = C * cpus^k per policy over the bands of one module and latency, from `minCpus` up. */
export function scalingFits(bs: Band[], module: string, initLatencyMs: number, minCpus = 64): Record<string, PowerLaw> {
  const out: Record<string, PowerLaw> = {};
  for (const policy of [...new Set(bs.map((b) => b.policy))]) {
    const pts = bs.filter((b) => b.policy === policy && b.module === module && b.initLatencyMs === initLatencyMs && b.cpus >= minCpus && b.medianSpanSeconds > 0);
    if (pts.length >= 2) out[policy] = fitPowerLaw(pts.map((b) => b.cpus), pts.map((b) => b.medianSpanSeconds));
  }
  return out;
}

/** median span(policy a) / median span(policy b) over cpus x latency for one module. */
export function ratioGrid(bs: Band[], a: string, b: string, module: string) {
  const cpus = [...new Set(bs.map((x) => x.cpus))].sort((x, y) => x - y);
  const lat = [...new Set(bs.map((x) => x.initLatencyMs))].sort((x, y) => x - y);
  const at = (p: string, c: number, l: number) => bs.find((x) => x.policy === p && x.module === module && x.cpus === c && x.initLatencyMs === l);
  const z = lat.map((l) =>
    cpus.map((c) => {
      const num = at(a, c, l);
      const den = at(b, c, l);
      return num && den && den.medianSpanSeconds > 0 ? num.medianSpanSeconds / den.medianSpanSeconds : null;
    }),
  );
  return { cpus, latencies: lat, z };
}
