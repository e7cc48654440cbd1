/** Figure specs for notebook 03: spans and memory against CPU count and init latency. */
import { Band, PowerLaw, ratioGrid } from "../sweep/aggregate";
import { colorOf } from "./palette";
import { Figure } from "./spec";

function bandTraces(points: Band[], policy: string, x: (b: Band) => number, label: string) {
  const pts = [...points].sort((a, b) => x(a) - x(b));
  const color = colorOf(policy);
  return [
    { type: "scatter", mode: "lines", x: pts.map(x), y: pts.map((b) => b.p5SpanSeconds), line: { width: 0, color }, showlegend: false, hoverinfo: "skip", legendgroup: policy },
    {
      type: "scatter", mode: "lines", x: pts.map(x), y: pts.map((b) => b.p95SpanSeconds), line: { width: 0, color },
      fill: "tonexty", fillcolor: hexAlpha(color, 0.18), showlegend: false, hoverinfo: "skip", legendgroup: policy,
    },
    { type: "scatter", mode: "lines+markers", name: label, x: pts.map(x), y: pts.map((b) => b.medianSpanSeconds), line: { color, width: 2 }, marker: { size: 5 }, legendgroup: policy },
  ];
}

function hexAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/** Median span and 5-95% band vs CPU count (log-log), the fitted exponent in each legend entry. */
export function spanVsCpusFigure(bs: Band[], module: string, fits: Record<string, PowerLaw>, initLatencyMs = 0): Figure {
  const policies = [...new Set(bs.map((b) => b.policy))];
  const data = policies.flatMap((p) => {
    const pts = bs.filter((b) => b.policy === p && b.module === module && b.initLatencyMs === initLatencyMs);
    const k = fits[p] ? ` (span ~ CPUs^${fits[p].exponent.toFixed(2)})` : "";
    return bandTraces(pts, p, (b) => b.cpus, `${p}${k}`);
  });
  return {
    data,
    layout: {
      title: { text: `${module}: span vs CPU count (init fails after ${initLatencyMs} ms; median, 5-95% band)` },
      xaxis: { title: { text: "CPUs (count, log scale)" }, type: "log" },
      yaxis: { title: { text: "first to last load attempt (s, log scale)" }, type: "log" },
      legend: { orientation: "h", y: -0.22 },
      width: 860,
      height: 520,
    },
  };
}

/** Median span and 5-95% band vs init-failure latency at one CPU count. */
export function spanVsLatencyFigure(bs: Band[], module: string, cpus: number): Figure {
  const policies = [...new Set(bs.map((b) => b.policy))];
  const data = policies.flatMap((p) => bandTraces(bs.filter((b) => b.policy === p && b.module === module && b.cpus === cpus), p, (b) => b.initLatencyMs, p));
  return {
    data,
    layout: {
      title: { text: `${module}: span vs init-failure latency at ${cpus} CPUs (median, 5-95% band)` },
      xaxis: { title: { text: "time init runs before failing (ms)" } },
      yaxis: { title: { text: "first to last load attempt (s, log scale)" }, type: "log" },
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 500,
    },
  };
}

/** Heatmap of median span(a) / median span(b) over CPU count x latency. */
export function ratioHeatmapFigure(bs: Band[], a: string, b: string, module: string): Figure {
  const g = ratioGrid(bs, a, b, module);
  return {
    data: [
      {
        type: "heatmap",
        name: `${a} / ${b}`,
        x: g.cpus.map(String),
        y: g.latencies.map((l) => `${l} ms`),
        z: g.z.map((row) => row.map((v) => (v === null ? null : Math.log10(v)))),
        text: g.z.map((row) => row.map((v) => (v === null ? "" : v >= 10 ? v.toFixed(0) : v.toFixed(1)))),
        texttemplate: "%{text}x",
        colorscale: "Viridis",
        colorbar: { title: { text: "ratio (log10)" } },
        showscale: true,
        hovertemplate: "%{x} CPUs, %{y}: %{text}x<extra></extra>",
      },
    ],
    layout: {
      title: { text: `${module}: how many times longer ${a} takes than ${b}` },
      xaxis: { title: { text: "CPUs (count)" }, type: "category" },
      yaxis: { title: { text: "init-failure latency (ms)" }, type: "category" },
      width: 860,
      height: 480,
    },
  };
}

/** Median peak vmalloc held by load attempts in flight vs CPU count (log-log). */
export function vmallocVsCpusFigure(bs: Band[], module: string, initLatencyMs = 0): Figure {
  const policies = [...new Set(bs.map((b) => b.policy))];
  const data = policies.map((p) => {
    const pts = bs.filter((b) => b.policy === p && b.module === module && b.initLatencyMs === initLatencyMs).sort((x, y) => x.cpus - y.cpus);
    return {
      type: "scatter", mode: "lines+markers", name: p, x: pts.map((b) => b.cpus), y: pts.map((b) => b.medianPeakVmallocBytes / 1048576),
      line: { color: colorOf(p), width: 2 }, marker: { size: 5 },
    };
  });
  return {
    data,
    layout: {
      title: { text: `${module}: peak vmalloc held by load attempts in flight vs CPU count (median)` },
      xaxis: { title: { text: "CPUs (count, log scale)" }, type: "log" },
      yaxis: { title: { text: "peak vmalloc (MiB, log scale)" }, type: "log" },
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 480,
    },
  };
}
