/** Notebook 01's tables, read from records: measured vs simulated cells, the unseen-boot fit, the parameters' spread. */
import type { CellFit } from "../../3-experiments/calibrate/fit";
import type { Cell } from "../../2-measurements/measured";
import type { CellComparison } from "../../3-experiments/records/seedTable";
import { mean, sampleSd } from "../../core/stats/describe";

/** One row per cell: means, error and spread. */
export function comparisonRows(cs: CellComparison[]) {
  return cs.map((c) => {
    const m = mean(c.measured);
    const s = mean(c.simulated);
    return {
      config: c.config,
      policy: c.policy,
      module: c.module,
      measuredMeanSeconds: m,
      simulatedMeanSeconds: s,
      errorPct: ((s - m) / m) * 100,
      measuredSdSeconds: sampleSd(c.measured),
      simulatedSdSeconds: sampleSd(c.simulated),
    };
  });
}

export function fitRows(fits: CellFit[]) {
  return fits.map((c) => ({ config: c.config, module: c.module, measuredMeanSeconds: c.measuredMean, simulatedMeanSeconds: c.simulatedMean, errorPct: c.errorPct }));
}

/** The fit on boots it never saw: error, the model's own noise on that mean, and the spread ratio. */
export function unseenRows(fits: CellFit[]) {
  return fits.map((c) => ({
    config: c.config,
    module: c.module,
    boots: c.boots,
    measuredMeanSeconds: c.measuredMean,
    simulatedMeanSeconds: c.simulatedMean,
    errorPct: c.errorPct,
    modelNoisePct: (c.simulatedSd / Math.sqrt(c.boots) / c.simulatedMean) * 100,
    measuredSdSeconds: c.measuredSd,
    simulatedSdSeconds: c.simulatedSd,
    sdRatio: c.simulatedSd / c.measuredSd,
  }));
}

/** The bootstrap spread of each free parameter as a table. */
export function parameterRows(rec: { free: Array<{ name: string; lo: number; hi: number }>; params: Record<string, number>; bootstrap: { spread: Array<{ name: string; median: number; p5: number; p95: number; relativeWidth: number }> } }) {
  return rec.free.map((f) => {
    const s = rec.bootstrap.spread.find((x) => x.name === f.name)!;
    return {
      parameter: f.name,
      fitted: rec.params[f.name],
      bootstrapMedian: s.median,
      bootstrapP5: s.p5,
      bootstrapP95: s.p95,
      relativeWidth: s.relativeWidth,
      bounds: `${f.lo}-${f.hi}`,
    };
  });
}

/** Notebook 01's title for the held-out prediction: "Predicted 'my' (merge) from a fit on base + revert only". */
export function heldOutTitle(cal: { outOfSample: { fittedOn: string[] } }, cells: Cell[]): string {
  const held = cells.filter((c) => !cal.outOfSample.fittedOn.includes(c.config));
  const configs = [...new Set(held.map((c) => `'${c.config}' (${c.policy})`))];
  return `Predicted ${configs.join(", ")} from a fit on ${cal.outOfSample.fittedOn.join(" + ")} only`;
}
