/** Notebook 01's figure: the seed's five-boot table, measured beside simulated. */
import { meanOf } from "../model/run";
import type { CellComparison } from "../records/seedTable";
import { Figure } from "./spec";

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
