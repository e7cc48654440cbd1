/** Figure specs for notebook 02 (plain data in, plotly specs out). */
import { Cell } from "../data/measured";
import { BootResult } from "../model/boot";
import { SegmentKind } from "../model/types";
import { ecdf } from "../stats/describe";
import { countSamples, Distribution, spans } from "../records/distributions";
import { colorOf } from "./palette";
import { Figure } from "./spec";

/** Violins of the simulated spans per policy, with the measured boots on top. */
export function spanViolinFigure(dist: Distribution, cells: Cell[], module: string): Figure {
  const policies = Object.keys(dist);
  const n = dist[policies[0]].length;
  const violins = policies.map((p) => ({
    type: "violin",
    name: p,
    x: Array(n).fill(p),
    y: spans(dist[p], module),
    line: { color: colorOf(p) },
    points: false,
    meanline: { visible: true },
    spanmode: "hard",
    showlegend: true,
  }));
  const measured = cells.filter((c) => c.module === module);
  return {
    data: [
      ...violins,
      {
        type: "scatter",
        mode: "markers",
        name: "measured boots (seed)",
        x: measured.flatMap((c) => c.seconds.map(() => c.policy)),
        y: measured.flatMap((c) => c.seconds),
        marker: { color: "black", size: 7, symbol: "x" },
      },
    ],
    layout: {
      title: { text: `${module}: span per boot, ${n} simulated boots per policy vs the 5 measured` },
      xaxis: { title: { text: "policy" } },
      yaxis: { title: { text: "first to last load attempt (s, log scale)" }, type: "log" },
      legend: { orientation: "h", y: -0.2 },
      violinmode: "overlay",
      width: 820,
      height: 480,
    },
  };
}

/** Empirical CDFs of the simulated spans, the measured five boots as dashed steps. */
export function spanEcdfFigure(dist: Distribution, cells: Cell[], module: string): Figure {
  const sim = Object.entries(dist).map(([p, results]) => {
    const e = ecdf(spans(results, module));
    return { type: "scatter", mode: "lines", name: `${p} (simulated)`, x: e.x, y: e.y, line: { color: colorOf(p), shape: "hv", width: 2 } };
  });
  const meas = cells
    .filter((c) => c.module === module)
    .map((c) => {
      const e = ecdf(c.seconds);
      return {
        type: "scatter",
        mode: "lines+markers",
        name: `${c.config} (measured)`,
        x: [e.x[0], ...e.x],
        y: [0, ...e.y],
        line: { color: colorOf(c.policy), shape: "hv", dash: "dash", width: 1.5 },
        marker: { size: 6, symbol: "x", color: "black" },
      };
    });
  return {
    data: [...sim, ...meas],
    layout: {
      title: { text: `${module}: cumulative distribution of the span` },
      xaxis: { title: { text: "first to last load attempt (s, log scale)" }, type: "log" },
      yaxis: { title: { text: "share of boots (fraction)" }, range: [0, 1.02] },
      legend: { orientation: "h", y: -0.25 },
      width: 820,
      height: 480,
    },
  };
}

/** Box plots of the counts that explain the spans: full loads, herd wake-ups, peak vmalloc. */
export function countsFigure(dist: Distribution): Figure {
  const policies = Object.keys(dist);
  const panels: Array<[keyof ReturnType<typeof countSamples>, string]> = [
    ["fullLoads", "full loads per boot (count)"],
    ["herdWakeups", "herd wake-ups per boot (count)"],
    ["peakVmallocMiB", "peak vmalloc in flight (MiB)"],
  ];
  const data = panels.flatMap(([key], i) =>
    policies.map((p) => ({
      type: "box",
      name: p,
      y: countSamples(dist[p])[key].map((v) => (key === "herdWakeups" ? v + 1 : v)),
      xaxis: i === 0 ? "x" : `x${i + 1}`,
      yaxis: i === 0 ? "y" : `y${i + 1}`,
      marker: { color: colorOf(p), size: 3 },
      boxpoints: false,
      legendgroup: p,
      showlegend: i === 0,
    })),
  );
  const layout: Record<string, unknown> = {
    title: { text: "What the spans are made of: work per boot, by policy" },
    grid: { rows: 1, columns: 3, pattern: "independent" },
    legend: { orientation: "h", y: -0.3 },
    width: 980,
    height: 460,
  };
  panels.forEach(([, label], i) => {
    const s = i === 0 ? "" : String(i + 1);
    layout[`xaxis${s}`] = { showticklabels: false, title: { text: "policy" } };
    layout[`yaxis${s}`] = { title: { text: i === 1 ? `${label}, +1, log` : `${label}, log` }, type: "log" };
  });
  return { data, layout };
}

const phaseOf: Record<SegmentKind, string> = {
  userspace: "loading",
  read: "loading",
  layout: "loading",
  formation: "loading",
  wait: "waiting",
  init: "init",
  teardown: "teardown",
  gracePeriod: "teardown",
  mutexWait: "teardown",
};
const phaseColors: Record<string, string> = { waiting: "#D9D9D9", loading: "#0072B2", init: "#D55E00", teardown: "#009E73" };

/**
 * A Gantt-style timeline of one boot: each load request a row, its phases as
 * coloured segments. Drawn as one line trace per phase (segments separated by
 * gaps), which keeps the static SVG small with hundreds of rows.
 */
export function timelineFigure(boot: BootResult, title: string): Figure {
  const reqs = [...(boot.requests ?? [])].sort((a, b) => (a.module === b.module ? a.startUs - b.startUs : a.module < b.module ? -1 : 1));
  const traces = Object.keys(phaseColors).map((phase) => {
    const x: Array<number | null> = [];
    const y: Array<number | null> = [];
    reqs.forEach((r, row) => {
      for (const s of r.segments) {
        if (phaseOf[s.kind] !== phase) continue;
        x.push(s.startUs / 1e6, s.endUs / 1e6, null);
        y.push(row, row, null);
      }
    });
    return { type: "scatter", mode: "lines", name: phase, x, y, line: { color: phaseColors[phase], width: phase === "waiting" ? 1 : 2 }, hoverinfo: "skip" };
  });
  const firstOf = (m: string) => reqs.findIndex((r) => r.module === m);
  const modules = [...new Set(reqs.map((r) => r.module))];
  return {
    data: traces,
    layout: {
      title: { text: title },
      xaxis: { title: { text: "time since the first uevent (s)" } },
      yaxis: {
        title: { text: "load request (sorted by module, then start)" },
        tickvals: modules.map(firstOf),
        ticktext: modules,
        autorange: "reversed",
        zeroline: false,
        automargin: true,
      },
      legend: { orientation: "h", y: -0.15, title: { text: "phase" } },
      width: 900,
      height: 560,
    },
  };
}
