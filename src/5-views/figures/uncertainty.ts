/**
 * Figure specs for predictions with their uncertainty, the external
 * measurements beside the model, what the calibration pins down, and where a
 * failing load's time goes. Plain data in, plotly specs out.
 */
import type { LoadBreakdown } from "../../3-experiments/records/breakdown";
import type { ExternalComparison } from "../../3-experiments/records/external";
import { intervalName, Prediction, RatioPrediction } from "../../3-experiments/records/uncertainty";
import type { ParamSpread } from "../../3-experiments/calibrate/calibration";
import { cpusAxis, secondsAxis, valueAxis } from "./axes";
import { colorOf } from "./palette";
import type { ScaleMarkers } from "../../3-experiments/records/scaleMarkers";
import { scaleMarkerShapes } from "./scaleMarkers";
import { Figure } from "./spec";

function rgba(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** One policy's predictions along x: the 90% interval as a shaded band under the central line. */
function intervalTraces(preds: Prediction[], policy: string, module: string, xOf: (p: Prediction) => number): Array<Record<string, unknown>> {
  const pts = preds.filter((p) => p.policy === policy && p.module === module).sort((a, b) => xOf(a) - xOf(b));
  const color = colorOf(policy);
  const x = pts.map(xOf);
  return [
    { type: "scatter", mode: "lines", x, y: pts.map((p) => p.p5Seconds), line: { width: 0, color }, showlegend: false, hoverinfo: "skip", legendgroup: policy },
    { type: "scatter", mode: "lines", x, y: pts.map((p) => p.p95Seconds), line: { width: 0, color }, fill: "tonexty", fillcolor: rgba(color, 0.2), showlegend: false, hoverinfo: "skip", legendgroup: policy },
    { type: "scatter", mode: "lines+markers", name: `${policy} (model, ${intervalName(pts[0]?.widenFactor ?? 1)})`, x, y: pts.map((p) => p.centralSeconds), line: { color, width: 2 }, marker: { size: 5 }, legendgroup: policy },
  ];
}

/**
 * Expected span vs CPU count per policy (log-log): the line is the fitted
 * parameters' mean, the shaded band the 90% interval over the bootstrap refits;
 * external measurements, if given, as their reported value (open diamond) beside
 * the prediction for that machine (filled circle with its 90% interval). With
 * `markers`, vertical marks where udevd's timeout, children_max's cap and each
 * step of the FQS delay start to act (figures/scaleMarkers.ts).
 */
export function predictionVsCpusFigure(preds: Prediction[], module: string, external: ExternalComparison[] = [], markers?: ScaleMarkers): Figure {
  const policies = [...new Set(preds.map((p) => p.policy))];
  const data: Array<Record<string, unknown>> = policies.flatMap((policy) => intervalTraces(preds, policy, module, (p) => p.cpus));
  const shown = preds.filter((p) => p.module === module);
  const ext = external.filter((c) => c.module.split("+").includes(module));
  for (const e of ext) {
    const color = colorOf(e.policy);
    data.push({
      type: "scatter", mode: "markers", name: `${e.policy} ${e.cpus} CPUs ${e.module.replace(/_cpufreq/g, "")}: predicted for that machine`, x: [e.cpus], y: [e.predictedSeconds],
      error_y: { type: "data", symmetric: false, array: [e.p95Seconds - e.predictedSeconds], arrayminus: [e.predictedSeconds - e.p5Seconds], color },
      marker: { symbol: "circle", size: 9, color }, legendgroup: `ext-${e.id}`,
    });
    data.push({
      type: "scatter", mode: "markers", name: `${e.policy} ${e.cpus} CPUs ${e.module.replace(/_cpufreq/g, "")}: reported (${e.errorPct >= 0 ? "+" : ""}${e.errorPct.toFixed(0)}%)`, x: [e.cpus], y: [e.reportedSeconds],
      marker: { symbol: "diamond-open", size: 13, line: { width: 2 }, color }, legendgroup: `ext-${e.id}`,
      hovertemplate: `${e.id}: ${e.measure}, reported %{y:.2f} s<extra></extra>`,
    });
  }
  const xs = [...shown.map((p) => p.cpus), ...ext.map((e) => e.cpus)];
  const shapes = scaleMarkerShapes(markers, xs);
  return {
    data,
    layout: {
      title: { text: `${module}: expected span vs CPU count, with the calibration's 90% interval${ext.length ? " and external measurements" : ""}` },
      xaxis: cpusAxis(xs),
      yaxis: secondsAxis([...shown.flatMap((p) => [p.p5Seconds, p.p95Seconds, p.centralSeconds]), ...ext.flatMap((e) => [e.p5Seconds, e.p95Seconds, e.predictedSeconds, e.reportedSeconds])]),
      legend: { orientation: "h", y: -0.22 },
      ...(shapes.length ? { shapes } : {}),
      width: 900,
      height: shapes.length ? 620 : 560,
    },
  };
}

/** span(a) / span(b) against CPU count, with the 90% interval over the bootstrap refits (the heatmap's companion). */
export function ratioPredictionFigure(rs: RatioPrediction[], a: string, b: string, module: string): Figure {
  const x = rs.map((r) => r.cpus);
  const color = colorOf(a);
  return {
    data: [
      { type: "scatter", mode: "lines", x, y: rs.map((r) => r.p5), line: { width: 0, color }, showlegend: false, hoverinfo: "skip" },
      { type: "scatter", mode: "lines", x, y: rs.map((r) => r.p95), line: { width: 0, color }, fill: "tonexty", fillcolor: rgba(color, 0.2), name: `${intervalName(rs[0]?.widenFactor ?? 1)} (bootstrap refits)` },
      { type: "scatter", mode: "lines+markers", name: `${a} / ${b} (median of refits)`, x, y: rs.map((r) => r.ratio), line: { color, width: 2 } },
    ],
    layout: {
      title: { text: `${module}: how many times longer ${a} takes than ${b}, with its 90% interval (init fails at once)` },
      xaxis: cpusAxis(x),
      yaxis: valueAxis(rs.flatMap((r) => [r.p5, r.p95, r.ratio]), { title: `span ratio ${a} / ${b}`, unit: "x", tickSuffix: "x" }),
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 480,
    },
  };
}

/** Expected span vs init-failure latency at one CPU count, with the 90% interval over refits. */
export function predictionVsLatencyFigure(preds: Prediction[], module: string): Figure {
  const policies = [...new Set(preds.map((p) => p.policy))];
  const cpus = preds[0]?.cpus;
  const data = policies.flatMap((policy) => intervalTraces(preds, policy, module, (p) => p.initLatencyMs));
  return {
    data,
    layout: {
      title: { text: `${module}: expected span vs init-failure latency at ${cpus} CPUs, with the calibration's 90% interval` },
      xaxis: { title: { text: "time init runs before failing (ms)" } },
      yaxis: secondsAxis(preds.filter((p) => p.module === module).flatMap((p) => [p.p5Seconds, p.p95Seconds, p.centralSeconds])),
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 480,
    },
  };
}

/** Each free parameter's bootstrap 5-95% range relative to its fitted value: narrow = pinned down by the data. */
export function parameterSpreadFigure(spread: ParamSpread[]): Figure {
  const rel = (x: number, s: ParamSpread) => x / s.fitted;
  return {
    data: [
      {
        type: "scatter", mode: "markers", name: "fitted value (= 1)", x: spread.map(() => 1), y: spread.map((s) => s.name), marker: { size: 10, color: "#000000" },
      },
      {
        type: "scatter", mode: "markers", name: "bootstrap median, 5-95% range", x: spread.map((s) => rel(s.median, s)), y: spread.map((s) => s.name),
        error_x: { type: "data", symmetric: false, array: spread.map((s) => rel(s.p95, s) - rel(s.median, s)), arrayminus: spread.map((s) => rel(s.median, s) - rel(s.p5, s)) },
        marker: { size: 8, color: "#0072B2" },
      },
    ],
    layout: {
      title: { text: "Which parameters the measurements pin down: bootstrap refits relative to the fitted value" },
      xaxis: valueAxis([1, ...spread.flatMap((s) => [rel(s.median, s), rel(s.p5, s), rel(s.p95, s)])], { title: "parameter / fitted value", unit: "ratio" }),
      yaxis: { title: { text: "free parameter" }, automargin: true },
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 440,
    },
  };
}

/** Correlations of the parameters across bootstrap refits. */
export function parameterCorrelationFigure(c: { names: string[]; matrix: number[][] }): Figure {
  return {
    data: [
      {
        type: "heatmap", name: "correlation", x: c.names, y: c.names, z: c.matrix, zmin: -1, zmax: 1, colorscale: "RdBu",
        text: c.matrix.map((r) => r.map((v) => v.toFixed(2))), texttemplate: "%{text}", colorbar: { title: { text: "Pearson r" } },
      },
    ],
    layout: {
      title: { text: "Correlations of the fitted parameters across bootstrap refits (logit scale)" },
      xaxis: { title: { text: "free parameter" }, automargin: true },
      yaxis: { title: { text: "free parameter" }, automargin: true, autorange: "reversed" },
      width: 760,
      height: 620,
    },
  };
}

/** Stacked bars: a failing load's mean time per step, one bar per CPU count. */
export function breakdownFigure(bs: LoadBreakdown[]): Figure {
  const parts: Array<[keyof LoadBreakdown, string, string]> = [
    ["gracePeriodsMs", "grace periods (two synchronize_rcu)", "#0072B2"],
    ["mutexWaitMs", "waiting for module_mutex", "#E69F00"],
    ["herdRechecksMs", "herd re-checks under module_mutex", "#D55E00"],
    ["otherKernelMs", "read, layout, formation, teardown", "#009E73"],
  ];
  const x = bs.map((b) => `${b.cpus} CPUs`);
  return {
    data: [
      ...parts.map(([key, name, color]) => ({ type: "bar", name, x, y: bs.map((b) => b[key] as number), marker: { color } })),
      { type: "scatter", mode: "markers", name: "span / full loads (what each load adds)", x, y: bs.map((b) => b.spanPerLoadMs), marker: { symbol: "line-ew-open", size: 40, line: { width: 3 }, color: "#000000" } },
    ],
    layout: {
      barmode: "stack",
      title: { text: `One failing ${bs[0]?.module ?? ""} load under ${bs[0]?.policy ?? ""}: where its time goes` },
      xaxis: { title: { text: "machine (CPU count)" } },
      yaxis: { title: { text: "mean time per full load (ms)" } },
      legend: { orientation: "h", y: -0.2 },
      width: 760,
      height: 500,
    },
  };
}
