/** Notebook 01's tables, read from records: measured vs simulated cells, the unseen-boot fit, the parameters' spread. */
import type { CellFit } from "../calibrate/fit";
import { meanOf } from "../model/run";
import type { CellComparison } from "../records/seedTable";
import { sampleSd } from "../stats/describe";

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
