/** Notebook 01's analysis: the measured cells beside the calibrated model's boots, as plain records. */
import { Cell } from "../data/measured";
import { meanOf } from "../model/run";
import { Params } from "../model/params";
import { CellFit, simulateCellSpans } from "../calibrate/fit";
import { sampleSd } from "../stats/describe";
import { Figure } from "../figures/spec";

export interface CellComparison {
  config: string;
  policy: string;
  module: string;
  measured: number[];
  simulated: number[];
}

/** Boots per configuration in the seed's table layout (rows #1-#5), measured and simulated alike. */
export const tableBoots = 5;

export async function compareCells(cells: Cell[], params: Params, o: { cpus: number; seed: number; boots: number }): Promise<CellComparison[]> {
  const spans = await simulateCellSpans(cells, params, o);
  return cells.map((c, i) => ({ config: c.config, policy: c.policy, module: c.module, measured: c.seconds, simulated: spans[i] }));
}

/** One row per cell: means, error and spread. */
export function comparisonRows(cs: CellComparison[]) {
  return cs.map((c) => {
    const m = meanOf(c.measured);
    const s = meanOf(c.simulated);
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      "measured mean s": m,
      "simulated mean s": s,
      "error %": ((s - m) / m) * 100,
      "measured sd s": sampleSd(c.measured),
      "simulated sd s": sampleSd(c.simulated),
    };
  });
}

export function fitRows(fits: CellFit[]) {
  return fits.map((c) => ({ config: c.config, module: c.module, "measured mean s": c.measuredMean, "simulated mean s": c.simulatedMean, "error %": c.errorPct }));
}

const colors = { measured: "#4c72b0", simulated: "#dd8452" };

/**
 * Grouped bars of measured and simulated means per configuration and module,
 * each boot as a point on its bar; log y so 2 s and 45 s are both readable.
 */
export function measuredVsSimulatedFigure(cs: CellComparison[]): Figure {
  const labels = cs.map((c) => `${c.config}<br>${c.module}`);
  const xs = cs.map((_, i) => i);
  const offset = 0.2;
  const bars = (kind: "measured" | "simulated", dx: number) => ({
    type: "bar",
    name: `${kind} mean`,
    x: xs.map((x) => x + dx),
    y: cs.map((c) => meanOf(c[kind])),
    width: 0.38,
    marker: { color: colors[kind], opacity: 0.75 },
    legendgroup: kind,
    hovertemplate: `${kind} mean %{y:.3f} s<extra></extra>`,
  });
  const points = (kind: "measured" | "simulated", dx: number) => ({
    type: "scatter",
    mode: "markers",
    name: `${kind} boots`,
    x: cs.flatMap((c, i) => c[kind].map((_, b) => i + dx + (b - (c[kind].length - 1) / 2) * 0.05)),
    y: cs.flatMap((c) => c[kind]),
    marker: { color: "black", size: 5, symbol: kind === "measured" ? "circle" : "diamond-open" },
    legendgroup: kind,
    hovertemplate: `${kind} boot %{y:.3f} s<extra></extra>`,
  });
  return {
    data: [bars("measured", -offset), bars("simulated", offset), points("measured", -offset), points("simulated", offset)],
    layout: {
      title: { text: "Five-boot spans: measured (seed) vs calibrated model" },
      xaxis: { title: { text: "configuration and module" }, tickvals: xs, ticktext: labels },
      yaxis: { title: { text: "first to last load attempt (s, log scale)" }, type: "log", tickvals: [1, 2, 5, 10, 20, 50], range: [0, Math.log10(70)] },
      legend: { orientation: "h", y: -0.25 },
      width: 820,
      height: 500,
      margin: { b: 140 },
    },
  };
}

/** The fit on boots it never saw: error, the model's own noise on that mean, and the spread ratio. */
export function unseenRows(fits: CellFit[]) {
  return fits.map((c) => ({
    config: c.config,
    module: c.module,
    boots: c.boots,
    "measured mean s": c.measuredMean,
    "simulated mean s": c.simulatedMean,
    "error %": c.errorPct,
    "model noise %": (c.simulatedSd / Math.sqrt(c.boots) / c.simulatedMean) * 100,
    "measured sd s": c.measuredSd,
    "simulated sd s": c.simulatedSd,
    "sd ratio": c.simulatedSd / c.measuredSd,
  }));
}

/** The bootstrap spread of each free parameter as a table. */
export function parameterRows(rec: { free: Array<{ name: string; lo: number; hi: number }>; params: Record<string, number>; bootstrap: { spread: Array<{ name: string; median: number; p5: number; p95: number; relativeWidth: number }> } }) {
  return rec.free.map((f) => {
    const s = rec.bootstrap.spread.find((x) => x.name === f.name)!;
    return {
      parameter: f.name,
      fitted: rec.params[f.name],
      "bootstrap median": s.median,
      "bootstrap 5%": s.p5,
      "bootstrap 95%": s.p95,
      "(95%-5%) / fitted": s.relativeWidth,
      bounds: `${f.lo}-${f.hi}`,
    };
  });
}
