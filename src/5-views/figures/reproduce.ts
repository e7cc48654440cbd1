/** Notebook 01's figure: the study's table of boots, measured beside simulated. */
import { mean } from "../../core/stats/describe";
import type { CellComparison } from "../../3-experiments/records/seedTable";
import { secondsAxis } from "./axes";
import { Figure } from "./spec";

const words = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"];

/** "Five-boot", "Two-boot", "12-boot". */
export function bootsAdjective(n: number): string {
  const w = words[n] ?? String(n);
  return `${w[0].toUpperCase()}${w.slice(1)}-boot`;
}

const colors = { measured: "#4c72b0", simulated: "#dd8452" };

/**
 * Grouped bars of measured and simulated means per configuration and module,
 * each boot as a point on its bar; log y so 2 s and 45 s are both readable, its
 * range from the boots shown. `source` names the measurements in the title (the
 * study's caption, e.g. "study mybox").
 */
export function measuredVsSimulatedFigure(cs: CellComparison[], source?: string): Figure {
  const labels = cs.map((c) => `${c.config}<br>${c.module}`);
  const xs = cs.map((_, i) => i);
  const offset = 0.2;
  const bars = (kind: "measured" | "simulated", dx: number) => ({
    type: "bar",
    name: `${kind} mean`,
    x: xs.map((x) => x + dx),
    y: cs.map((c) => mean(c[kind])),
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
  const measuredBoots = Math.max(...cs.map((c) => c.measured.length));
  const simulatedBoots = Math.max(...cs.map((c) => c.simulated.length));
  const simulated = simulatedBoots === measuredBoots ? "" : ` (${simulatedBoots} simulated boots)`;
  const values = cs.flatMap((c) => [...c.measured, ...c.simulated, mean(c.measured), mean(c.simulated)]);
  return {
    data: [bars("measured", -offset), bars("simulated", offset), points("measured", -offset), points("simulated", offset)],
    layout: {
      title: { text: `${bootsAdjective(measuredBoots)} spans: measured${source ? ` (${source})` : ""} vs calibrated model${simulated}` },
      xaxis: { title: { text: "configuration and module" }, tickvals: xs, ticktext: labels },
      yaxis: secondsAxis(values, { fromDecade: true }),
      legend: { orientation: "h", y: -0.25 },
      width: 820,
      height: 500,
      margin: { b: 140 },
    },
  };
}
