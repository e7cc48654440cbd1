/** Figure specs for notebook 03: spans and memory against CPU count and init latency. */
import { Band, PowerLaw, ratioGrid } from "../../3-experiments/sweep/aggregate";
import { cpusAxis, logTicks, secondsAxis, tickLabel, valueAxis } from "./axes";
import { colorOf } from "./palette";
import type { ScaleMarkers } from "../../3-experiments/records/scaleMarkers";
import { scaleMarkerShapes } from "./scaleMarkers";
import { Figure } from "./spec";
import { maxOf, minOf } from "../../core/arrays";

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

/** Every value a band's traces draw: its 5%, median and 95%. */
const bandValues = (bs: Band[]): number[] => bs.flatMap((b) => [b.p5SpanSeconds, b.medianSpanSeconds, b.p95SpanSeconds]);

function hexAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

/**
 * Median span and 5-95% band vs CPU count (log-log), the fitted exponent in each
 * legend entry; with `markers`, where the mechanisms that act at scale start
 * (figures/scaleMarkers.ts).
 */
export function spanVsCpusFigure(bs: Band[], module: string, fits: Record<string, PowerLaw>, initLatencyMs = 0, markers?: ScaleMarkers): Figure {
  const policies = [...new Set(bs.map((b) => b.policy))];
  const shown = bs.filter((b) => b.module === module && b.initLatencyMs === initLatencyMs);
  const data = policies.flatMap((p) => {
    const pts = shown.filter((b) => b.policy === p);
    const k = fits[p] ? ` (span ~ CPUs^${fits[p].exponent.toFixed(2)})` : "";
    return bandTraces(pts, p, (b) => b.cpus, `${p}${k}`);
  });
  const shapes = scaleMarkerShapes(markers, shown.map((b) => b.cpus));
  return {
    data,
    layout: {
      title: { text: `${module}: span vs CPU count (init fails after ${initLatencyMs} ms; median, 5-95% band)` },
      xaxis: cpusAxis(shown.map((b) => b.cpus)),
      yaxis: secondsAxis(bandValues(shown)),
      legend: { orientation: "h", y: -0.22 },
      ...(shapes.length ? { shapes } : {}),
      width: 860,
      height: shapes.length ? 580 : 520,
    },
  };
}

/** Median span and 5-95% band vs init-failure latency at one CPU count. */
export function spanVsLatencyFigure(bs: Band[], module: string, cpus: number): Figure {
  const policies = [...new Set(bs.map((b) => b.policy))];
  const shown = bs.filter((b) => b.module === module && b.cpus === cpus);
  const data = policies.flatMap((p) => bandTraces(shown.filter((b) => b.policy === p), p, (b) => b.initLatencyMs, p));
  return {
    data,
    layout: {
      title: { text: `${module}: span vs init-failure latency at ${cpus} CPUs (median, 5-95% band)` },
      xaxis: { title: { text: "time init runs before failing (ms)" } },
      yaxis: secondsAxis(bandValues(shown)),
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 500,
    },
  };
}

/** Heatmap of median span(a) / median span(b) over CPU count x latency. */
export function ratioHeatmapFigure(bs: Band[], a: string, b: string, module: string): Figure {
  const g = ratioGrid(bs, a, b, module);
  // The colours are log10 of the ratio; the colour bar is labelled in ratios ("2x", "5x", "10x"), as a log axis is.
  const ratios = g.z.flat().filter((v): v is number => v !== null && v > 0);
  const ticks = ratios.length ? logTicks(minOf(ratios), maxOf(ratios)) : [];
  return {
    data: [
      {
        type: "heatmap",
        name: `${a} / ${b}`,
        x: g.cpus.map(String),
        y: g.latencies.map((l) => `${l} ms`),
        z: g.z.map((row) => row.map((v) => (v === null ? null : Math.log10(v)))),
        // A cell without a ratio (merge's median span is 0, or no boots) is left blank, not written "x".
        text: g.z.map((row) => row.map((v) => (v === null ? "" : `${v >= 10 ? v.toFixed(0) : v.toFixed(1)}x`))),
        texttemplate: "%{text}",
        colorscale: "Viridis",
        colorbar: { title: { text: "ratio (x, log scale)" }, tickmode: "array", tickvals: ticks.map(Math.log10), ticktext: ticks.map((t) => `${tickLabel(t)}x`) },
        showscale: true,
        hovertemplate: "%{x} CPUs, %{y}: %{text}<extra></extra>",
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
  const shown = bs.filter((b) => b.module === module && b.initLatencyMs === initLatencyMs);
  const data = policies.map((p) => {
    const pts = shown.filter((b) => b.policy === p).sort((x, y) => x.cpus - y.cpus);
    return {
      type: "scatter", mode: "lines+markers", name: p, x: pts.map((b) => b.cpus), y: pts.map((b) => b.medianPeakVmallocBytes / 1048576),
      line: { color: colorOf(p), width: 2 }, marker: { size: 5 },
    };
  });
  return {
    data,
    layout: {
      title: { text: `${module}: peak vmalloc held by load attempts in flight vs CPU count (median)` },
      xaxis: cpusAxis(shown.map((b) => b.cpus)),
      yaxis: valueAxis(shown.map((b) => b.medianPeakVmallocBytes / 1048576), { title: "peak vmalloc", unit: "MiB", tickSuffix: " MiB" }),
      legend: { orientation: "h", y: -0.2 },
      width: 860,
      height: 480,
    },
  };
}
