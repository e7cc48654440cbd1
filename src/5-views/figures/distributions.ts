/** Figure specs for notebook 02 (plain data in, plotly specs out). */
import { Cell } from "../../2-measurements/measured";
import { ecdf, quantile } from "../../core/stats/describe";
import { BootResult } from "../../1-model/boot";
import { SegmentKind } from "../../1-model/types";
import { policies } from "../../1-model/policies";
import type { Study } from "../../4-studies/study";

import { countSamples, Distribution, spans } from "../../3-experiments/records/distributions";
import { secondsAxis, valueAxis } from "./axes";
import { colorOf } from "./palette";
import { Figure } from "./spec";
import { maxOf, minOf } from "../../core/arrays";

/**
 * A distribution drawn from `k + 1` evenly spaced quantiles (0, 1/k, ..., 1) of its
 * sample instead of every value: the same curve at screen resolution, a fraction of
 * the data in the notebook.
 */
export const drawnQuantiles = 200;

export function evenQuantiles(xs: readonly number[], k = drawnQuantiles): number[] {
  const sorted = [...xs].sort((a, b) => a - b);
  if (sorted.length <= k + 1) return sorted;
  return Array.from({ length: k + 1 }, (_, i) => {
    const h = (i / k) * (sorted.length - 1);
    const lo = Math.floor(h);
    return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
  });
}

/** Violins of the simulated spans per policy (drawn from their quantiles), with the measured boots on top. */
export function spanViolinFigure(dist: Distribution, cells: Cell[], module: string): Figure {
  const policies = Object.keys(dist);
  const n = dist[policies[0]].length;
  const drawn = policies.map((p) => evenQuantiles(spans(dist[p], module)));
  const violins = policies.map((p, i) => ({
    type: "violin",
    name: p,
    x0: p,
    y: drawn[i],
    line: { color: colorOf(p) },
    points: false,
    meanline: { visible: true },
    spanmode: "hard",
    showlegend: true,
  }));
  const measured = cells.filter((c) => c.module === module);
  const measuredBoots = Math.max(0, ...measured.map((c) => c.seconds.length));
  return {
    data: [
      ...violins,
      {
        type: "scatter",
        mode: "markers",
        name: "measured boots",
        x: measured.flatMap((c) => c.seconds.map(() => c.policy)),
        y: measured.flatMap((c) => c.seconds),
        marker: { color: "black", size: 7, symbol: "x" },
      },
    ],
    layout: {
      title: { text: `${module}: span per boot, ${n} simulated boots per policy${measuredBoots ? ` vs the ${measuredBoots} measured` : ""}` },
      xaxis: { title: { text: "policy" } },
      yaxis: secondsAxis([...drawn.flat(), ...measured.flatMap((c) => c.seconds)]),
      legend: { orientation: "h", y: -0.2 },
      violinmode: "overlay",
      width: 820,
      height: 480,
    },
  };
}

/** Empirical CDFs of the simulated spans (at their quantiles), the measured boots as dashed steps. */
export function spanEcdfFigure(dist: Distribution, cells: Cell[], module: string): Figure {
  const sim = Object.entries(dist).map(([p, results]) => {
    const x = evenQuantiles(spans(results, module));
    const y = x.map((_, i) => (i + 1) / x.length);
    return { type: "scatter", mode: "lines", name: `${p} (simulated)`, x, y, line: { color: colorOf(p), shape: "hv", width: 2 } };
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
      xaxis: secondsAxis([...sim, ...meas].flatMap((t) => t.x)),
      yaxis: { title: { text: "share of boots (fraction)" }, range: [0, 1.02] },
      legend: { orientation: "h", y: -0.25 },
      width: 820,
      height: 480,
    },
  };
}

/**
 * A box's statistics computed here, as plotly would from the raw values (linear
 * quartiles, whiskers to the furthest value within 1.5 IQR), so the figure holds
 * five numbers per box rather than every boot.
 */
export function boxStats(xs: readonly number[]): { q1: number[]; median: number[]; q3: number[]; lowerfence: number[]; upperfence: number[] } {
  const q = (p: number) => quantile(xs, p);
  const [q1, med, q3] = [q(0.25), q(0.5), q(0.75)];
  const iqr = q3 - q1;
  const inside = xs.filter((x) => x >= q1 - 1.5 * iqr && x <= q3 + 1.5 * iqr);
  return { q1: [q1], median: [med], q3: [q3], lowerfence: [minOf(inside)], upperfence: [maxOf(inside)] };
}

/** Box plots of the counts that explain the spans: full loads, herd wake-ups, peak vmalloc. */
export function countsFigure(dist: Distribution): Figure {
  const policies = Object.keys(dist);
  // herd wake-ups + 1: a policy without a herd has 0, which a log scale cannot show.
  const panels: Array<[keyof ReturnType<typeof countSamples>, { title: string; unit: string; tickSuffix?: string }]> = [
    ["fullLoads", { title: "full loads per boot", unit: "count" }],
    ["herdWakeups", { title: "herd wake-ups per boot + 1", unit: "count" }],
    ["peakVmallocMiB", { title: "peak vmalloc in flight", unit: "MiB" }],
  ];
  const stats = panels.map(([key]) => policies.map((p) => boxStats(countSamples(dist[p])[key].map((v) => (key === "herdWakeups" ? v + 1 : v)))));
  const data = panels.flatMap((_, i) =>
    policies.map((p, j) => ({
      type: "box",
      name: p,
      x: [p],
      ...stats[i][j],
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
    // Room between the panels for each one's tick labels and axis title.
    grid: { rows: 1, columns: 3, pattern: "independent", xgap: 0.35 },
    legend: { orientation: "h", y: -0.3 },
    width: 980,
    height: 460,
  };
  panels.forEach(([, axis], i) => {
    const s = i === 0 ? "" : String(i + 1);
    const values = stats[i].flatMap((b) => [...b.lowerfence, ...b.q1, ...b.median, ...b.q3, ...b.upperfence]);
    layout[`xaxis${s}`] = { showticklabels: false, title: { text: "policy" } };
    layout[`yaxis${s}`] = valueAxis(values, axis);
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
 * A timeline figure's title from the study's configurations: the policy, the
 * kernel base models, whether its configuration is the study's patch (the last
 * one) and its name when that differs from the policy's. The seed's: "One boot
 * under base (6.0-rc3): failing loads serialised", "The same boot under merge
 * (the patch, measured as my)".
 */
export function timelineTitle(study: Pick<Study, "configs">, policy: string, first: boolean): string {
  const configs = Object.keys(study.configs);
  const config = configs.find((c) => study.configs[c] === policy);
  const notes = [
    policy === "base" ? policies.base.kernel : "",
    config !== undefined && config === configs[configs.length - 1] ? "the patch" : "",
    config !== undefined && config !== policy ? `measured as ${config}` : config === undefined ? "not measured" : "",
  ].filter((x) => x !== "");
  const head = `${first ? "One boot" : "The same boot"} under ${policy}${notes.length ? ` (${notes.join(", ")})` : ""}`;
  return policy === "base" ? `${head}: failing loads serialised` : head;
}

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
      // Contiguous segments of one phase (read, layout, formation: all "loading") are drawn as one.
      let open: { start: number; end: number } | null = null;
      const flush = () => {
        if (open) x.push(open.start / 1e6, open.end / 1e6, null), y.push(row, row, null);
        open = null;
      };
      for (const s of r.segments) {
        if (phaseOf[s.kind] !== phase) {
          flush();
          continue;
        }
        if (open && (open as { end: number }).end === s.startUs) (open as { end: number }).end = s.endUs;
        else {
          flush();
          open = { start: s.startUs, end: s.endUs };
        }
      }
      flush();
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
